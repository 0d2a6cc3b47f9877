package io.aperture;

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
 *  |  cursor: highest published slot sequence (own 128-byte line)  |  256
 *  |  published: messages published                (own line)      |  384
 *  |  terminal state (int)                         (own line)      |  512
 *  |  heartbeat (System.nanoTime)                  (own line)      |  640
 *  |  wake word (int) | parked flag (int)          (own line)      |  768
 *  +---------------------------------------------------------------+
 *  |  reserved up to the page boundary                             |  896 .. 4096
 *  +---------------------------------------------------------------+
 *  |  slots: capacity bytes = capacity / slot length slots         |  4096
 *  +---------------------------------------------------------------+
 * </pre>
 *
 * <p>The slot area starts on a page boundary so that it can later be mapped twice back to back.
 * A record starts at a slot boundary with the header described by {@link RecordDescriptor}.
 */
final class RingDescriptor {
    static final int CACHE_LINE_PAIR_LENGTH = 128;

    static final int MAGIC = 0x41505254; // "APRT"
    static final int VERSION_MAJOR = 1;
    static final int VERSION_MINOR = 0;
    static final long MAGIC_VERSION = ((long) MAGIC << 32) | ((long) VERSION_MAJOR << 16) | VERSION_MINOR;

    /** Magic and version; release store by the publisher after every other header field: it means "ready". */
    static final int MAGIC_VERSION_OFFSET = 0;
    /** Random id of this publisher incarnation; subscribers copy it into their section. */
    static final int SESSION_ID_OFFSET = MAGIC_VERSION_OFFSET + 8;
    /** Bytes of the slot area, a power of two. */
    static final int CAPACITY_OFFSET = SESSION_ID_OFFSET + 8;
    /** Bytes per slot, a power of two. */
    static final int SLOT_LENGTH_OFFSET = CAPACITY_OFFSET + 4;
    /** Largest payload of one record in bytes. */
    static final int MAX_MESSAGE_LENGTH_OFFSET = SLOT_LENGTH_OFFSET + 4;
    /** How many subscriber sections ({@code <channel>.sub-<i>}, i below this) the publisher serves. */
    static final int MAX_SUBSCRIBERS_OFFSET = MAX_MESSAGE_LENGTH_OFFSET + 4;
    static final int PUBLISHER_PID_OFFSET = MAX_SUBSCRIBERS_OFFSET + 4;
    static final int PUBLISHER_START_OFFSET = PUBLISHER_PID_OFFSET + 8;
    /** Bit 0: slot area double mapped. */
    static final int FLAGS_OFFSET = PUBLISHER_START_OFFSET + 8;
    static final int CODEC_SCHEMA_ID_OFFSET = FLAGS_OFFSET + 4;
    static final int CODEC_NAME_LENGTH_OFFSET = CODEC_SCHEMA_ID_OFFSET + 4;
    static final int CODEC_NAME_OFFSET = CODEC_NAME_LENGTH_OFFSET + 4;
    static final int CODEC_NAME_MAX_LENGTH = 64;

    /** Highest published slot sequence; single writer (publisher); release store, acquire load. */
    static final int CURSOR_OFFSET = 2 * CACHE_LINE_PAIR_LENGTH;
    /** Messages published (DATA records); single writer; release store, acquire load. */
    static final int PUBLISHED_OFFSET = CURSOR_OFFSET + CACHE_LINE_PAIR_LENGTH;
    /** {@link TerminalState} code; CAS by the publisher's threads, acquire load by subscribers. */
    static final int TERMINAL_OFFSET = PUBLISHED_OFFSET + CACHE_LINE_PAIR_LENGTH;
    /** Publisher heartbeat in {@code System.nanoTime()} units (CLOCK_MONOTONIC); release store. */
    static final int HEARTBEAT_OFFSET = TERMINAL_OFFSET + CACHE_LINE_PAIR_LENGTH;
    /** 32-bit word the publisher bumps to wake parked subscribers (futex word; reserved for blocking waits). */
    static final int WAKE_OFFSET = HEARTBEAT_OFFSET + CACHE_LINE_PAIR_LENGTH;
    /** Non-zero while the publisher is parked waiting on a subscriber's wake word. */
    static final int PARKED_OFFSET = WAKE_OFFSET + 4;

    /** Start of the slot area: one page, so the slot area is page aligned in the file. */
    static final int SLOTS_OFFSET = 4096;

    static final int MIN_SLOT_LENGTH = 16;
    static final int MAX_SLOT_LENGTH = 4096;
    static final int MIN_CAPACITY = 1024;
    static final int MAX_CAPACITY = 1 << 30;
    static final int MAX_SUBSCRIBERS_LIMIT = 1024;
    /** At most 2^24 slots: the 24-bit record check then tells every slot of a lap from the previous lap's. */
    static final int MAX_SLOTS = 1 << 24;

    static long fileLength(int capacity) {
        return (long) SLOTS_OFFSET + capacity;
    }

    /** The largest payload a ring of this capacity can carry: a record must fit in half the ring. */
    static int maxMessageLengthFor(int capacity) {
        return capacity / 2 - RecordDescriptor.HEADER_LENGTH;
    }

    private RingDescriptor() {
    }
}
