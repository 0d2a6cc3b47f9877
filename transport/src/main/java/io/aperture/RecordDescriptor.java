package io.aperture;

/**
 * Header of one record in the ring. A record starts at a slot boundary and fills one or more whole slots.
 *
 * <pre>
 *   0               4               8
 *  +---------------+---------------+------------------------------
 *  | payload length| check<<8|type |  payload (length bytes) ... padded to whole slots
 *  +---------------+---------------+------------------------------
 * </pre>
 *
 * <p>{@code check} is the low 24 bits of the slot sequence the record starts at: a reader that lands on
 * a stale record from an earlier lap, or on payload bytes, sees a mismatch and reports corruption.
 * Records never wrap: when a record does not fit before the end of the slot area the publisher fills
 * the rest with one PADDING record and starts again at index 0.
 */
final class RecordDescriptor {
    static final int LENGTH_OFFSET = 0;
    static final int TYPE_CHECK_OFFSET = 4;
    static final int HEADER_LENGTH = 8;

    static final int TYPE_DATA = 1;
    static final int TYPE_COMPLETE = 2;
    static final int TYPE_ERROR = 3;
    static final int TYPE_PADDING = 4;
    /**
     * One piece of a message longer than the max message length. Payload: i32 total length of the message,
     * i32 offset of this piece in it, then the piece. The pieces of one message are consecutive records, in
     * order; the message counts as published (and is delivered) with its last piece.
     */
    static final int TYPE_FRAGMENT = 5;
    /** Bytes before a FRAGMENT record's piece: total length and offset. */
    static final int FRAGMENT_HEADER_LENGTH = 8;
    static final int FRAGMENT_TOTAL_OFFSET = 0;
    static final int FRAGMENT_OFFSET_OFFSET = 4;

    static final int CHECK_MASK = 0xFF_FFFF;

    /** ERROR payload: u16 class length, class (UTF-8), u16 message length (0xFFFF: none), message (UTF-8). */
    static final int ERROR_CLASS_MAX_BYTES = 256;
    static final int ERROR_MESSAGE_MAX_BYTES = 1024;

    /**
     * Largest ERROR payload: independent of the channel's max message length, so an error can always be
     * described, yet bounded by half the ring like every record.
     */
    static int maxErrorLength(int capacity) {
        return Math.min(4 + ERROR_CLASS_MAX_BYTES + ERROR_MESSAGE_MAX_BYTES, capacity / 2 - HEADER_LENGTH);
    }

    static int typeCheck(int type, long sequence) {
        return (int) ((sequence & CHECK_MASK) << 8) | type;
    }

    static int type(int typeCheck) {
        return typeCheck & 0xFF;
    }

    static int check(int typeCheck) {
        return typeCheck >>> 8;
    }

    static int expectedCheck(long sequence) {
        return (int) (sequence & CHECK_MASK);
    }

    static String typeName(int type) {
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
