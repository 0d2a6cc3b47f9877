package io.aperture.internal.section;

/**
 * Layout of a ring section, the file {@code <channel>.ring}. Created and written only by the publisher;
 * every subscriber maps it read-only. All fields are in native byte order, naturally aligned.
 *
 * <pre>
 *   0               4               8               12              16
 *  +-------------------------------+-------------------------------+
 *  |  magic + version (stored last)|          session id           |  0
 *  +---------------+---------------+---------------+---------------+
 *  |   capacity    |  slot length  | max msg length| max subscr.   |  16
 *  +---------------+---------------+---------------+---------------+
 *  |        publisher pid          |   publisher start (epoch ms)  |  32
 *  +---------------+---------------+---------------+---------------+
 *  |     flags     |  schema id    | codec name len|               |  48
 *  +---------------+---------------+---------------+               |
 *  |             codec name (UTF-8, 64 bytes, zero padded)         |  60 .. 124
 *  +---------------------------------------------------------------+
 *  | max fragmented|                                               |  124
 *  +---------------+-----------------------------------------------+
 *  |  cursor: lazy position, the end of committed records (own line)|  256
 *  |  published: lazy count | subscribers (int) | dropped (own line)|  384, 392, 400
 *  |  terminal state (int) | terminal record seq  (own line)      |  512, 520
 *  |  heartbeat (System.nanoTime)                  (own line)      |  640
 *  |  wake word (int) | parked flag (int)          (own line)      |  768
 *  +---------------------------------------------------------------+
 *  |  reserved                                                     |  896 .. 1024
 *  +---------------------------------------------------------------+
 *  |  subscriber table: MAX_SUBSCRIBERS_LIMIT entries of 32 bytes  |  1024 .. 4096
 *  |    entry i: subscriber id (admitted; stored last) | start     |
 *  |             slot sequence | base (messages before its first)  |
 *  |             | dropped (lag in bytes when dropped, else 0)     |
 *  +---------------------------------------------------------------+
 *  |  slots: capacity bytes = capacity / slot length slots         |  4096
 *  +---------------------------------------------------------------+
 * </pre>
 *
 * <p>The slot area starts on a page boundary so that it can later be mapped twice back to back.
 * A record starts at a slot boundary with the header described by {@link RecordDescriptor}; that header
 * word is the record's commit (layout 3.0). The {@code cursor} and {@code published} words are advanced
 * lazily (batch ends, waits for space, terminal records, and at least once per quarter ring): readers
 * never poll them per record; whoever needs the exact end walks the committed headers after them.
 *
 * <p>The subscriber table is how the publisher admits a subscriber (which cannot be written to by the
 * publisher): subscriber {@code i} claims {@code <channel>.sub-<i>} with a random id, and waits until
 * entry {@code i} names that id. The publisher first writes where the subscriber starts and how many
 * messages came before, then the id with release. Entry {@code i}'s {@code dropped} word is set (release,
 * then a store-store fence) before the publisher overwrites slots that subscriber has not read.
 */
public final class RingDescriptor {
    public static final int CACHE_LINE_PAIR_LENGTH = 128;

    public static final int MAGIC = 0x41505254; // "APRT"
    public static final int VERSION_MAJOR = 3;
    public static final int VERSION_MINOR = 0;
    public static final long MAGIC_VERSION = ((long) MAGIC << 32) | ((long) VERSION_MAJOR << 16) | VERSION_MINOR;

    /** Magic and version; release store by the publisher after every other header field: it means "ready". */
    public static final int MAGIC_VERSION_OFFSET = 0;
    /** Random id of this publisher incarnation; subscribers copy it into their section. */
    public static final int SESSION_ID_OFFSET = MAGIC_VERSION_OFFSET + 8;
    /** Bytes of the slot area, a power of two. */
    public static final int CAPACITY_OFFSET = SESSION_ID_OFFSET + 8;
    /** Bytes per slot, a power of two. */
    public static final int SLOT_LENGTH_OFFSET = CAPACITY_OFFSET + 4;
    /** Largest payload of one record in bytes. */
    public static final int MAX_MESSAGE_LENGTH_OFFSET = SLOT_LENGTH_OFFSET + 4;
    /** How many subscriber sections ({@code <channel>.sub-<i>}, i below this) the publisher serves. */
    public static final int MAX_SUBSCRIBERS_OFFSET = MAX_MESSAGE_LENGTH_OFFSET + 4;
    public static final int PUBLISHER_PID_OFFSET = MAX_SUBSCRIBERS_OFFSET + 4;
    public static final int PUBLISHER_START_OFFSET = PUBLISHER_PID_OFFSET + 8;
    /**
     * Bit 0 ({@link #FLAG_DOUBLE_MAPPED}), bit 1 ({@link #FLAG_DROP_SLOWEST}), bit 2 ({@link #FLAG_PAYLOAD_CHECKSUM}),
     * bit 3 ({@link #FLAG_DEMAND_PARKED}).
     */
    public static final int FLAGS_OFFSET = PUBLISHER_START_OFFSET + 8;
    /** Flag: the publisher maps the slot area twice back to back, and records may run past its end. */
    public static final int FLAG_DOUBLE_MAPPED = 1;
    /** Flag: the publisher drops slow subscribers; without it a subscriber's {@code dropped} word must stay 0. */
    public static final int FLAG_DROP_SLOWEST = 2;
    /**
     * Flag: every DATA, FRAGMENT and ERROR record ends with a CRC32C ({@link #CHECKSUM_LENGTH} bytes, native order) of
     * the payload bytes before it, inside the record's length.
     */
    public static final int FLAG_PAYLOAD_CHECKSUM = 4;
    /**
     * Flag: the publisher's conductor announces its wait for demand in {@link #DEMAND_PARKED_OFFSET}, apart from the
     * writer's {@link #PARKED_OFFSET}; a subscriber wakes it there after raising {@code requested}. Without it (an
     * earlier build's ring) the subscriber checks {@link #PARKED_OFFSET} for both, as that build's publisher expects.
     */
    public static final int FLAG_DEMAND_PARKED = 8;
    /** Bytes of a record's payload checksum. */
    public static final int CHECKSUM_LENGTH = 4;
    public static final int CODEC_SCHEMA_ID_OFFSET = FLAGS_OFFSET + 4;
    public static final int CODEC_NAME_LENGTH_OFFSET = CODEC_SCHEMA_ID_OFFSET + 4;
    public static final int CODEC_NAME_OFFSET = CODEC_NAME_LENGTH_OFFSET + 4;
    public static final int CODEC_NAME_MAX_LENGTH = 64;
    /** Largest message carried in FRAGMENT records (0: none); a subscriber may allow less. */
    public static final int MAX_FRAGMENTED_LENGTH_OFFSET = CODEC_NAME_OFFSET + CODEC_NAME_MAX_LENGTH;

    /**
     * The lazy position: the last slot of a committed record, at most a quarter ring (plus one record) behind
     * the newest; single writer (publisher); release store, acquire load.
     */
    public static final int CURSOR_OFFSET = 2 * CACHE_LINE_PAIR_LENGTH;
    /** Messages published up to the lazy position; single writer; release store with it; statistics. */
    public static final int PUBLISHED_OFFSET = CURSOR_OFFSET + CACHE_LINE_PAIR_LENGTH;
    /** Subscribers admitted and not yet gone (int, statistics); release store by the conductor. */
    public static final int SUBSCRIBERS_OFFSET = PUBLISHED_OFFSET + 8;
    /** Subscribers dropped by {@code DROP_SLOWEST} so far (long, statistics); release store. */
    public static final int DROPPED_OFFSET = PUBLISHED_OFFSET + 16;
    /** {@link TerminalState} code; CAS by the publisher's threads, acquire load by subscribers. */
    public static final int TERMINAL_OFFSET = PUBLISHED_OFFSET + CACHE_LINE_PAIR_LENGTH;
    /**
     * Slot sequence of the COMPLETE or ERROR record, -1 before one is written; release store before the
     * terminal state, so a subscriber that joins after the end can read that record.
     */
    public static final int TERMINAL_SEQUENCE_OFFSET = TERMINAL_OFFSET + 8;
    /** Publisher heartbeat in {@code System.nanoTime()} units (CLOCK_MONOTONIC); release store. */
    public static final int HEARTBEAT_OFFSET = TERMINAL_OFFSET + CACHE_LINE_PAIR_LENGTH;
    /** 32-bit word the publisher bumps to wake parked subscribers (futex word; reserved for blocking waits). */
    public static final int WAKE_OFFSET = HEARTBEAT_OFFSET + CACHE_LINE_PAIR_LENGTH;
    /**
     * Publisher threads parked waiting for ring space (the writer: a subscriber's {@code consumed}), counted; each
     * sleeps on a subscriber's wake word. A subscriber's store of {@code consumed} wakes only when this is non-zero.
     */
    public static final int PARKED_OFFSET = WAKE_OFFSET + 4;
    /**
     * Publisher threads parked waiting for demand (the conductor: a subscriber's {@code requested}), counted, apart
     * from {@link #PARKED_OFFSET}: a subscriber's store of {@code consumed}, once per batch read, then never wakes a
     * conductor that waits for a raise of {@code requested}, once per quarter window.
     */
    public static final int DEMAND_PARKED_OFFSET = PARKED_OFFSET + 4;

    /** The subscriber table: one entry per subscriber index. */
    public static final int SUBSCRIBER_TABLE_OFFSET = 1024;
    public static final int SUBSCRIBER_ENTRY_LENGTH = 32;
    /** Entry word: the admitted subscriber's id; release store after the others, acquire load. */
    public static final int ENTRY_ID_OFFSET = 0;
    /** Entry word: the slot sequence the subscriber starts after (its first consumed value). */
    public static final int ENTRY_START_OFFSET = 8;
    /** Entry word: DATA messages published before the subscriber's first; its demand counts from there. */
    public static final int ENTRY_BASE_OFFSET = 16;
    /** Entry word: non-zero once the publisher dropped the subscriber: its lag in bytes. */
    public static final int ENTRY_DROPPED_OFFSET = 24;

    /** Start of the slot area: one page, so the slot area is page aligned in the file. */
    public static final int SLOTS_OFFSET = 4096;

    public static final int MIN_SLOT_LENGTH = 16;
    public static final int MAX_SLOT_LENGTH = 4096;
    public static final int MIN_CAPACITY = 1024;
    public static final int MAX_CAPACITY = 1 << 30;
    /** Entries that fit between the table's start and the slot area. */
    public static final int MAX_SUBSCRIBERS_LIMIT = 96;
    /** At most 2^24 slots: the 24-bit record check then tells every slot of a lap from the previous lap's. */
    public static final int MAX_SLOTS = 1 << 24;

    /** Offset of subscriber {@code index}'s table entry. */
    public static int entryOffset(int index) {
        return SUBSCRIBER_TABLE_OFFSET + index * SUBSCRIBER_ENTRY_LENGTH;
    }

    public static long fileLength(int capacity) {
        return (long) SLOTS_OFFSET + capacity;
    }

    /** The largest payload a ring of this capacity can carry: a record must fit in half the ring. */
    public static int maxMessageLengthFor(int capacity) {
        return capacity / 2 - RecordDescriptor.HEADER_LENGTH;
    }

    private RingDescriptor() {
    }
}
