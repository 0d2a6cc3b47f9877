package io.aperture.internal.section;

/**
 * Layout of a subscriber control section, the file {@code <channel>.sub-<index>}. Created and written
 * only by its subscriber; the publisher maps it read-only. Native byte order, naturally aligned.
 *
 * <pre>
 *   0               4               8               12              16
 *  +-------------------------------+-------------------------------+
 *  |  magic + version (stored last)|     ring session attached to  |  0
 *  +-------------------------------+-------------------------------+
 *  |        subscriber pid         |  subscriber start (epoch ms)  |  16
 *  +---------------+---------------+-------------------------------+
 *  |  index        |  flags        |  subscriber id (random, != 0) |  32
 *  +---------------+---------------+-------------------------------+
 *  |  requested: messages requested, saturating (own 128-byte line)|  128
 *  |  consumed: slot sequence consumed, the ring's gating sequence |  256
 *  |  delivered: messages delivered downstream                     |  384
 *  |  cancelled flag (int)                                         |  512
 *  |  heartbeat (System.nanoTime)                                  |  640
 *  |  wake word (int) | parked flag (int)                          |  768
 *  +---------------------------------------------------------------+
 *  |  end: kind (int) | message length (int) | message (UTF-8)     |  1024
 *  +---------------------------------------------------------------+
 *  |  reserved up to 4096                                          |
 *  +---------------------------------------------------------------+
 * </pre>
 */
public final class SubscriberDescriptor {
    public static final int MAGIC = 0x41505355; // "APSU"
    public static final long MAGIC_VERSION =
        ((long) MAGIC << 32) | ((long) RingDescriptor.VERSION_MAJOR << 16) | RingDescriptor.VERSION_MINOR;

    /** True for a ready section of this layout's major version (any minor version). */
    public static boolean isCompatible(long magicVersion) {
        return (int) (magicVersion >>> 32) == MAGIC && ((int) (magicVersion >>> 16) & 0xFFFF) == RingDescriptor.VERSION_MAJOR;
    }

    /** Magic and version; release store after every other field: it means "ready". */
    public static final int MAGIC_VERSION_OFFSET = 0;
    public static final int RING_SESSION_ID_OFFSET = MAGIC_VERSION_OFFSET + 8;
    public static final int PID_OFFSET = RING_SESSION_ID_OFFSET + 8;
    public static final int START_OFFSET = PID_OFFSET + 8;
    public static final int INDEX_OFFSET = START_OFFSET + 8;
    /** Bit 0 ({@link #FLAG_JOIN_OLDEST}): start at the oldest record the ring still holds; bit 1: {@link #FLAG_POLLS}; bit 2 is reserved. */
    public static final int FLAGS_OFFSET = INDEX_OFFSET + 4;
    public static final int FLAG_JOIN_OLDEST = 1;
    /**
     * Bit 1: this subscriber waits for records by polling (BUSY_SPIN, YIELDING, BACKOFF), never asleep on the
     * ring's wake word, so the publisher skips the wake check (a full fence) after each record for it. It still
     * sleeps there while it has no demand; the publisher's terminal signals wake every sleeper on that word.
     */
    public static final int FLAG_POLLS = 2;
    /*
     * Bit 2 is reserved: subscribers of an earlier build set it to say they issued membarrier(GLOBAL_EXPEDITED)
     * after announcing themselves parked. Publishers ignore it and always fence (docs/waiting.md says why).
     */
    /** Random id of this claim of the section; the publisher admits it by writing it in the ring's table. */
    public static final int SUBSCRIBER_ID_OFFSET = FLAGS_OFFSET + 4;

    /** Cumulative messages requested, saturating at Long.MAX_VALUE; single writer; release store, acquire load. */
    public static final int REQUESTED_OFFSET = RingDescriptor.CACHE_LINE_PAIR_LENGTH;
    /** Slot sequence consumed; the publisher gates on it; release store, acquire load. */
    public static final int CONSUMED_OFFSET = REQUESTED_OFFSET + RingDescriptor.CACHE_LINE_PAIR_LENGTH;
    /** Messages delivered downstream (statistics); release store. */
    public static final int DELIVERED_OFFSET = CONSUMED_OFFSET + RingDescriptor.CACHE_LINE_PAIR_LENGTH;
    /** Non-zero once the subscriber cancelled; release store, acquire load. */
    public static final int CANCELLED_OFFSET = DELIVERED_OFFSET + RingDescriptor.CACHE_LINE_PAIR_LENGTH;
    /** Subscriber heartbeat in {@code System.nanoTime()} units; release store. */
    public static final int HEARTBEAT_OFFSET = CANCELLED_OFFSET + RingDescriptor.CACHE_LINE_PAIR_LENGTH;
    /** 32-bit word the subscriber bumps to wake a parked publisher (futex word; reserved for blocking waits). */
    public static final int WAKE_OFFSET = HEARTBEAT_OFFSET + RingDescriptor.CACHE_LINE_PAIR_LENGTH;
    /** Non-zero while the subscriber is parked waiting on the ring's wake word. */
    public static final int PARKED_OFFSET = WAKE_OFFSET + 4;

    /**
     * Why the subscriber left, said before it stores its cancelled flag (plain stores, published by that release):
     * one of the {@code END_} kinds. Zero: not said (a subscriber of an earlier build, or one that died).
     */
    public static final int END_KIND_OFFSET = 1024;
    /** Length in bytes of the end's message, in [0, {@link #END_MESSAGE_MAX}]. */
    public static final int END_LENGTH_OFFSET = END_KIND_OFFSET + 4;
    /** The end's message, UTF-8: the subscriber's exception, or the reason it refused the channel. */
    public static final int END_MESSAGE_OFFSET = END_LENGTH_OFFSET + 4;
    public static final int END_MESSAGE_MAX = 1024;
    /** Its downstream cancelled. */
    public static final int END_CANCELLED = 1;
    /** It failed (a record it could not decode, a corrupt section, its downstream's error): the message says how. */
    public static final int END_FAILED = 2;
    /** It refused the channel before admission (its codec is not the channel's): the message says why. */
    public static final int END_REFUSED = 3;
    /** It read the channel's terminal record. */
    public static final int END_READ_TO_END = 4;

    /**
     * The Reactor {@code Context} entries the subscriber sends its publisher ({@code ChannelOptions.withContextKeys}):
     * the byte length of the entries that follow, in [0, {@link #CONTEXT_MAX_LENGTH}]; written before the magic.
     */
    public static final int CONTEXT_LENGTH_OFFSET = 2560;
    /** The entries: for each, u16 key length, the key (UTF-8), u16 value length, the value (UTF-8). */
    public static final int CONTEXT_OFFSET = CONTEXT_LENGTH_OFFSET + 4;
    public static final int CONTEXT_MAX_LENGTH = 1024;
    public static final int CONTEXT_MAX_ENTRIES = 16;

    public static final int LENGTH = 4096;

    private SubscriberDescriptor() {
    }
}
