package io.aperture.internal.section;

/**
 * Header of one record in the ring. A record starts at a slot boundary and fills one or more whole slots.
 *
 * <pre>
 *   0                               4               5               8
 *  +-------------------------------+---------------+---------------+------------------------------
 *  |  payload length (bits 0-31)   | type (32-39)  | check (40-63) |  payload (length bytes) ...
 *  +-------------------------------+---------------+---------------+------------------------------
 *   one 64-bit word in native byte order: the commit word, stored last with release
 * </pre>
 *
 * <p>The header word is the record's commit (layout 3.0): the writer stores the payload, then the header
 * with one release store; a reader acquire-loads the header of the record it expects next and takes the
 * record only once that word is non-zero. {@code check} is the low 24 bits of the slot sequence the record
 * starts at. Before a record is committed, the writer zeroes the header word of the slot right after it
 * (one slot of headroom is kept free for that), so a reader that arrives at a slot ahead of the writer
 * finds 0 there, never a header or payload bytes of an earlier lap: a non-zero header whose check is not
 * the expected sequence's is therefore corruption, not a race.
 *
 * <p>Records never wrap, except on a double-mapped ring: when a record does not fit before the end of the
 * slot area the publisher fills the rest with one PADDING record and starts again at index 0.
 */
public final class RecordDescriptor {
    /** The 64-bit header word, at the start of the record. */
    public static final int HEADER_OFFSET = 0;
    public static final int HEADER_LENGTH = 8;
    /** A header word of 0: the record at this slot is not committed (yet). */
    public static final long UNCOMMITTED = 0L;

    public static final int TYPE_DATA = 1;
    public static final int TYPE_COMPLETE = 2;
    public static final int TYPE_ERROR = 3;
    public static final int TYPE_PADDING = 4;
    /**
     * One piece of a message longer than the max message length. Payload: i32 total length of the message,
     * i32 offset of this piece in it, then the piece. The pieces of one message are consecutive records, in
     * order; the message counts as published (and is delivered) with its last piece.
     */
    public static final int TYPE_FRAGMENT = 5;
    /** Bytes before a FRAGMENT record's piece: total length and offset. */
    public static final int FRAGMENT_HEADER_LENGTH = 8;
    public static final int FRAGMENT_TOTAL_OFFSET = 0;
    public static final int FRAGMENT_OFFSET_OFFSET = 4;

    public static final int CHECK_MASK = 0xFF_FFFF;

    /** ERROR payload: u16 class length, class (UTF-8), u16 message length (0xFFFF: none), message (UTF-8). */
    public static final int ERROR_CLASS_MAX_BYTES = 256;
    public static final int ERROR_MESSAGE_MAX_BYTES = 1024;

    /**
     * Largest ERROR payload: independent of the channel's max message length, so an error can always be
     * described, yet bounded by half the ring like every record.
     */
    public static int maxErrorLength(int capacity) {
        return Math.min(4 + ERROR_CLASS_MAX_BYTES + ERROR_MESSAGE_MAX_BYTES, capacity / 2 - HEADER_LENGTH);
    }

    /** The header word of a record of {@code type} and {@code length} payload bytes starting at slot {@code sequence}. */
    public static long header(int type, long sequence, int length) {
        return (long) typeCheck(type, sequence) << 32 | (length & 0xFFFF_FFFFL);
    }

    /** The high half of a header word: {@code check << 8 | type}. */
    public static int typeCheck(int type, long sequence) {
        return (int) ((sequence & CHECK_MASK) << 8) | type;
    }

    /** Payload length of a header word (may be negative in a corrupt word). */
    public static int length(long header) {
        return (int) header;
    }

    public static int type(long header) {
        return (int) (header >>> 32) & 0xFF;
    }

    public static int check(long header) {
        return (int) (header >>> 40);
    }

    public static int expectedCheck(long sequence) {
        return (int) (sequence & CHECK_MASK);
    }

    /** Slots a record of {@code length} payload bytes fills. */
    public static int slots(int length, int slotShift) {
        return (HEADER_LENGTH + length + (1 << slotShift) - 1) >>> slotShift;
    }

    public static String typeName(int type) {
        switch (type) {
            case TYPE_DATA: return "DATA";
            case TYPE_COMPLETE: return "COMPLETE";
            case TYPE_ERROR: return "ERROR";
            case TYPE_PADDING: return "PADDING";
            case TYPE_FRAGMENT: return "FRAGMENT";
            default: return "UNKNOWN(" + type + ")";
        }
    }

    private RecordDescriptor() {
    }
}
