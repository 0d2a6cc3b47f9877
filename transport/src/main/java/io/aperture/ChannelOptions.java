package io.aperture;

import io.aperture.internal.section.RecordDescriptor;
import io.aperture.internal.section.RingDescriptor;

import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * Settings of one channel end. Immutable; each {@code with} method returns a copy. Values are checked
 * when set, and the error names the value and its limit.
 *
 * <p>The publisher's ring settings (capacity, slot length, maximum message length, subscribers, slow
 * consumer policy, linger) are written in the ring header or used by the publisher only; a subscriber
 * reads the ring's from its header, so only the publisher's matter.
 */
public final class ChannelOptions {
    /** 1 MiB of slots. */
    public static final int DEFAULT_RING_CAPACITY = 1 << 20;
    /** 64-byte slots. */
    public static final int DEFAULT_SLOT_LENGTH = 64;
    /** Messages the subscriber lets the publisher run ahead of delivery. */
    public static final int DEFAULT_DEMAND_WINDOW = 1024;
    /** Subscriber processes one channel serves at once. */
    public static final int DEFAULT_MAX_SUBSCRIBERS = 64;
    /** The most subscribers a ring can describe (its subscriber table fills the rest of the header page). */
    public static final int MAX_SUBSCRIBERS = RingDescriptor.MAX_SUBSCRIBERS_LIMIT;

    /** What the publisher does when the slowest subscriber holds the ring full. */
    public enum SlowConsumerPolicy {
        /** The slowest subscriber gates everyone: the publisher waits for ring space (default). */
        BLOCK,
        /**
         * A subscriber that holds the ring full while it lags the cursor by more than the drop lag, or for
         * longer than the drop time, is dropped: it ends with {@link SlowSubscriberException}; the others go on.
         */
        DROP_SLOWEST
    }

    /** Where a subscriber that joins a running channel starts. */
    public enum JoinAt {
        /** After the last record published when the publisher admits it (default). */
        LATEST,
        /** At the oldest record still held in the ring for the subscribers already attached. */
        OLDEST
    }

    /** What a section (the ring, a subscriber's section) is made of; each side chooses for the sections it owns. */
    public enum Sections {
        /** {@link #SEALED} where the system can make sealed memory (Linux), else {@link #FILES} (default). */
        AUTO,
        /**
         * Sealed anonymous memory (Linux {@code memfd_create}, sealed against shrinking and growing), named in the
         * section directory by a link to its owner's descriptor: no process can truncate it, and its name dangles
         * (and is removed by the next owner or {@code clean}) the moment its owner is gone. Peers reach it through
         * {@code /proc/<pid>}, so they must share the owner's pid namespace (not so across containers that share
         * only {@code /dev/shm}: use {@link #FILES} there). Asked for where it is not available, creating a channel
         * fails with {@link ApertureException}.
         */
        SEALED,
        /**
         * Files in the section directory: every platform, any directory (a disk directory keeps a crashed
         * publisher's ring for inspection), peers in other pid namespaces. A file truncated by another process of
         * the same user ends the stream with {@link CorruptSectionException} (never a crash), but cannot be
         * prevented.
         */
        FILES
    }

    /**
     * A timeout that never expires: any duration of {@value #FOREVER_NANOS} ns (about 146 years) or more, such as
     * {@code ChronoUnit.FOREVER.getDuration()}, means the same.
     */
    public static final Duration FOREVER = ChronoUnit.FOREVER.getDuration();
    /** The longest timeout kept in nanoseconds: longer ones are forever. Deadlines stay free of overflow. */
    static final long FOREVER_NANOS = 1L << 62;

    private static final ChannelOptions DEFAULTS = new ChannelOptions();

    private int ringCapacity = DEFAULT_RING_CAPACITY;
    private int slotLength = DEFAULT_SLOT_LENGTH;
    private int maxMessageLength;
    private Waiting waiting = Waiting.BLOCKING;
    private int demandWindow = DEFAULT_DEMAND_WINDOW;
    private Duration attachTimeout = Duration.ofSeconds(10);
    private Duration firstSubscriberTimeout = FOREVER;
    private Duration livenessInterval = Duration.ofMillis(25);
    private Duration heartbeatTimeout = Duration.ZERO;
    private int maxSubscribers = DEFAULT_MAX_SUBSCRIBERS;
    private SlowConsumerPolicy slowConsumerPolicy = SlowConsumerPolicy.BLOCK;
    private long dropLagBytes;
    private Duration dropTime = Duration.ofSeconds(1);
    private JoinAt joinAt = JoinAt.LATEST;
    private Duration linger = Duration.ZERO;
    private int maxFragmentedMessageLength;
    private boolean doubleMapping = true;
    private Sections sections = Sections.AUTO;
    private boolean payloadChecksums;
    private List<String> contextKeys = List.of();

    private ChannelOptions() {
    }

    private ChannelOptions with(Consumer<ChannelOptions> change) {
        ChannelOptions copy = new ChannelOptions();
        copy.ringCapacity = ringCapacity;
        copy.slotLength = slotLength;
        copy.maxMessageLength = maxMessageLength;
        copy.waiting = waiting;
        copy.demandWindow = demandWindow;
        copy.attachTimeout = attachTimeout;
        copy.firstSubscriberTimeout = firstSubscriberTimeout;
        copy.livenessInterval = livenessInterval;
        copy.heartbeatTimeout = heartbeatTimeout;
        copy.maxSubscribers = maxSubscribers;
        copy.slowConsumerPolicy = slowConsumerPolicy;
        copy.dropLagBytes = dropLagBytes;
        copy.dropTime = dropTime;
        copy.joinAt = joinAt;
        copy.linger = linger;
        copy.maxFragmentedMessageLength = maxFragmentedMessageLength;
        copy.doubleMapping = doubleMapping;
        copy.sections = sections;
        copy.payloadChecksums = payloadChecksums;
        copy.contextKeys = contextKeys;
        change.accept(copy);
        return copy;
    }

    /**
     * The defaults: 1 MiB ring of 64-byte slots, max message capacity / 8, blocking waits, demand window
     * 1024, attach timeout 10 s, liveness checked every 25 ms, no heartbeat timeout, up to 64 subscribers,
     * {@link SlowConsumerPolicy#BLOCK}, joiners start at {@link JoinAt#LATEST}, no linger.
     *
     * @return the shared default options
     */
    public static ChannelOptions defaults() {
        return DEFAULTS;
    }

    /**
     * Bytes of the ring's slot area: a power of two from 1 KiB to 1 GiB.
     *
     * @param bytes the slot area's size in bytes
     * @return a copy with this ring capacity
     * @throws IllegalArgumentException when {@code bytes} is not a power of two from 1 KiB to 1 GiB
     */
    public ChannelOptions withRingCapacity(int bytes) {
        if (bytes < RingDescriptor.MIN_CAPACITY || bytes > RingDescriptor.MAX_CAPACITY || Integer.bitCount(bytes) != 1) {
            throw new IllegalArgumentException("ring capacity " + bytes + " is not a power of two in ["
                + RingDescriptor.MIN_CAPACITY + ", " + RingDescriptor.MAX_CAPACITY + "]");
        }
        return with(o -> o.ringCapacity = bytes);
    }

    /**
     * Bytes per slot: a power of two from 16 to 4096.
     *
     * @param bytes the length of one slot in bytes
     * @return a copy with this slot length
     * @throws IllegalArgumentException when {@code bytes} is not a power of two from 16 to 4096
     */
    public ChannelOptions withSlotLength(int bytes) {
        if (bytes < RingDescriptor.MIN_SLOT_LENGTH || bytes > RingDescriptor.MAX_SLOT_LENGTH || Integer.bitCount(bytes) != 1) {
            throw new IllegalArgumentException("slot length " + bytes + " is not a power of two in ["
                + RingDescriptor.MIN_SLOT_LENGTH + ", " + RingDescriptor.MAX_SLOT_LENGTH + "]");
        }
        return with(o -> o.slotLength = bytes);
    }

    /**
     * Largest encoded message in bytes, at most {@code ringCapacity / 2 - 8} (checked when the channel
     * opens). Zero means the default, {@code ringCapacity / 8}.
     *
     * @param bytes the largest encoded message in bytes, or 0 for the default
     * @return a copy with this maximum message length
     * @throws IllegalArgumentException when {@code bytes} is negative
     */
    public ChannelOptions withMaxMessageLength(int bytes) {
        if (bytes < 0) {
            throw new IllegalArgumentException("max message length " + bytes + " < 0");
        }
        return with(o -> o.maxMessageLength = bytes);
    }

    /**
     * How this end waits for the other.
     *
     * @param waiting the wait strategy, such as {@link Waiting#BLOCKING} (the default)
     * @return a copy with this wait strategy
     */
    public ChannelOptions withWaiting(Waiting waiting) {
        Objects.requireNonNull(waiting, "waiting");
        return with(o -> o.waiting = waiting);
    }

    /**
     * Subscriber side: how many messages beyond those delivered it lets the publisher produce, never more
     * than its downstream asked for. Replenished when a quarter of it was delivered. At least 1.
     *
     * @param messages the window in messages, at least 1 (default {@value #DEFAULT_DEMAND_WINDOW})
     * @return a copy with this demand window
     * @throws IllegalArgumentException when {@code messages} is below 1
     */
    public ChannelOptions withDemandWindow(int messages) {
        if (messages < 1) {
            throw new IllegalArgumentException("demand window " + messages + " < 1");
        }
        return with(o -> o.demandWindow = messages);
    }

    /**
     * Subscriber side: how long to wait for the channel's publisher to appear and admit it before failing
     * (default 10 s); {@link #FOREVER} waits until the subscription is cancelled.
     *
     * @param timeout how long the subscriber waits to be admitted; zero or more
     * @return a copy with this attach timeout
     * @throws IllegalArgumentException when {@code timeout} is negative
     */
    public ChannelOptions withAttachTimeout(Duration timeout) {
        if (timeout.isNegative()) {
            throw new IllegalArgumentException("attach timeout " + timeout + " < 0");
        }
        return with(o -> o.attachTimeout = timeout);
    }

    /**
     * Publisher side: how long a publisher waits for its first subscriber before its {@code publish} Mono fails
     * with an {@link ApertureException} and the ring is removed (default {@link #FOREVER}: it waits until the
     * Mono is disposed).
     *
     * @param timeout how long the publisher waits for its first subscriber; zero or more
     * @return a copy with this first-subscriber timeout
     * @throws IllegalArgumentException when {@code timeout} is negative
     */
    public ChannelOptions withFirstSubscriberTimeout(Duration timeout) {
        if (timeout.isNegative()) {
            throw new IllegalArgumentException("first subscriber timeout " + timeout + " < 0");
        }
        return with(o -> o.firstSubscriberTimeout = timeout);
    }

    /**
     * How often each end checks that its peer processes still run, and beats its own heartbeat; also how
     * often the publisher looks for new subscribers.
     *
     * @param interval the period of the liveness checks, positive (default 25 ms)
     * @return a copy with this liveness interval
     * @throws IllegalArgumentException when {@code interval} is zero or negative
     */
    public ChannelOptions withLivenessInterval(Duration interval) {
        if (interval.isNegative() || interval.isZero()) {
            throw new IllegalArgumentException("liveness interval " + interval + " <= 0");
        }
        return with(o -> o.livenessInterval = interval);
    }

    /**
     * How old the peer's heartbeat may be before the peer is taken as hung and treated as dead; zero (the
     * default) turns the check off. Crashed processes are detected without it, through their file locks,
     * within about two liveness intervals. Set it above the longest pause a peer may legitimately take
     * (GC pauses, a downstream {@code onNext} that blocks).
     *
     * @param timeout the oldest heartbeat taken as alive, or zero for no heartbeat check
     * @return a copy with this heartbeat timeout
     * @throws IllegalArgumentException when {@code timeout} is negative
     */
    public ChannelOptions withHeartbeatTimeout(Duration timeout) {
        if (timeout.isNegative()) {
            throw new IllegalArgumentException("heartbeat timeout " + timeout + " < 0");
        }
        return with(o -> o.heartbeatTimeout = timeout);
    }

    /**
     * Publisher side: how many subscriber processes the channel serves at once, 1 to {@value #MAX_SUBSCRIBERS}.
     *
     * @param subscribers the number of subscriber sections the ring has room for
     * @return a copy with this subscriber limit
     * @throws IllegalArgumentException when {@code subscribers} is not in [1, {@value #MAX_SUBSCRIBERS}]
     */
    public ChannelOptions withMaxSubscribers(int subscribers) {
        if (subscribers < 1 || subscribers > MAX_SUBSCRIBERS) {
            throw new IllegalArgumentException("max subscribers " + subscribers + " not in [1, " + MAX_SUBSCRIBERS + "]");
        }
        return with(o -> o.maxSubscribers = subscribers);
    }

    /**
     * Publisher side: {@link SlowConsumerPolicy#BLOCK}, the default.
     *
     * @return a copy whose publisher waits for the slowest subscriber
     */
    public ChannelOptions withBlockingSlowConsumers() {
        return with(o -> o.slowConsumerPolicy = SlowConsumerPolicy.BLOCK);
    }

    /**
     * Publisher side: {@link SlowConsumerPolicy#DROP_SLOWEST}. While the ring is full, the subscriber that
     * holds it (the one furthest behind) is dropped once it lags the cursor by more than {@code lagBytes},
     * or once the ring has been full for {@code time}: every write since then had to wait for space,
     * however slowly the holder moves. A full ring lags by about its capacity, so a lag below the capacity
     * drops the holder as soon as the ring fills (within one liveness interval); {@code Long.MAX_VALUE}
     * drops by time only. The time must be positive.
     *
     * @param lagBytes the lag behind the cursor, in bytes, past which the holder of a full ring is dropped
     * @param time     how long the ring may stay full before its holder is dropped; positive
     * @return a copy whose publisher drops the slowest subscriber
     * @throws IllegalArgumentException when {@code lagBytes} is negative or {@code time} is not positive
     */
    public ChannelOptions withDroppingSlowConsumers(long lagBytes, Duration time) {
        if (lagBytes < 0) {
            throw new IllegalArgumentException("drop lag " + lagBytes + " bytes < 0");
        }
        if (time.isNegative() || time.isZero()) {
            throw new IllegalArgumentException("drop time " + time + " <= 0");
        }
        return with(o -> {
            o.slowConsumerPolicy = SlowConsumerPolicy.DROP_SLOWEST;
            o.dropLagBytes = lagBytes;
            o.dropTime = time;
        });
    }

    /**
     * Subscriber side: where a subscriber that joins a running channel starts.
     *
     * @param joinAt {@link JoinAt#LATEST} (the default) or {@link JoinAt#OLDEST}
     * @return a copy with this join position
     */
    public ChannelOptions withJoinAt(JoinAt joinAt) {
        Objects.requireNonNull(joinAt, "joinAt");
        return with(o -> o.joinAt = joinAt);
    }

    /**
     * Publisher side: how long the ring stays after the stream ended, so that a subscriber that comes
     * late still gets the terminal signal ({@code onComplete} or the remote error) instead of waiting for
     * a channel that is gone. Zero (the default) removes the ring at once. The {@code publish} Mono ends
     * when the stream ends, not after the linger.
     *
     * @param linger how long the ring stays after the end of the stream; zero or more
     * @return a copy with this linger
     * @throws IllegalArgumentException when {@code linger} is negative
     */
    public ChannelOptions withLinger(Duration linger) {
        if (linger.isNegative()) {
            throw new IllegalArgumentException("linger " + linger + " < 0");
        }
        return with(o -> o.linger = linger);
    }

    /**
     * Large messages, both sides. A message whose encoding is longer than the max message length is carried
     * in FRAGMENT records and reassembled by each subscriber, up to {@code bytes} (at most 2 GiB - 1). The
     * publisher encodes such a message into a buffer of its own first (a copy: only messages that fit one
     * record are encoded in place) and fails longer ones with {@link MessageTooLargeException}; a subscriber
     * refuses to assemble a message longer than its own setting (a clear error, never an
     * {@code OutOfMemoryError}), and holds one assembly buffer of at most that size. 0 (the default) turns
     * fragmentation off: every message must fit one record.
     *
     * @param bytes the longest message carried in fragments, or 0 to turn fragmentation off
     * @return a copy with this fragmented message limit
     * @throws IllegalArgumentException when {@code bytes} is negative
     */
    public ChannelOptions withMaxFragmentedMessageLength(int bytes) {
        if (bytes < 0) {
            throw new IllegalArgumentException("max fragmented message length " + bytes + " < 0");
        }
        return with(o -> o.maxFragmentedMessageLength = bytes);
    }

    /**
     * Both sides: map the ring's slot area twice back to back (Linux, a ring capacity that is a multiple of
     * 4096 up to 512 MiB), so that a record that runs past the end is contiguous in memory and is encoded
     * and decoded in place. On by default; where it is off or fails, a publisher pads to the end of the ring
     * instead (records never wrap), and a subscriber of a double-mapped ring copies the few records that wrap
     * into one piece.
     *
     * @param enabled whether to map the slot area twice
     * @return a copy with double mapping on or off
     */
    public ChannelOptions withDoubleMapping(boolean enabled) {
        return with(o -> o.doubleMapping = enabled);
    }

    /**
     * Whether the ring's slot area is mapped twice back to back where the platform allows it; see
     * {@link #withDoubleMapping(boolean)}.
     *
     * @return true unless double mapping was turned off
     */
    public boolean doubleMapping() {
        return doubleMapping;
    }

    /**
     * Each side: what the sections it creates are made of (its ring for a publisher, its own section for a
     * subscriber); see {@link Sections}. The two sides need not choose alike: a peer opens a section by its name,
     * whatever it is made of.
     *
     * @param sections {@link Sections#AUTO} (default), {@link Sections#SEALED} or {@link Sections#FILES}
     * @return a copy with this choice
     */
    public ChannelOptions withSections(Sections sections) {
        Objects.requireNonNull(sections, "sections");
        return with(o -> o.sections = sections);
    }

    /**
     * What the sections this side creates are made of; see {@link #withSections(Sections)}.
     *
     * @return {@link Sections#AUTO} unless another was chosen
     */
    public Sections sections() {
        return sections;
    }

    /**
     * The largest message carried in fragments; 0 when fragmentation is off.
     *
     * @return the fragmented message limit in bytes, or 0
     */
    public int maxFragmentedMessageLength() {
        return maxFragmentedMessageLength;
    }

    /**
     * The age past which a peer's heartbeat marks it as hung; see {@link #withHeartbeatTimeout(Duration)}.
     *
     * @return the heartbeat timeout, or {@link Duration#ZERO} when the check is off
     */
    public Duration heartbeatTimeout() {
        return heartbeatTimeout;
    }

    /**
     * The size of the ring's slot area; see {@link #withRingCapacity(int)}.
     *
     * @return the ring capacity in bytes, a power of two
     */
    public int ringCapacity() {
        return ringCapacity;
    }

    /**
     * The length of one slot; see {@link #withSlotLength(int)}.
     *
     * @return the slot length in bytes, a power of two
     */
    public int slotLength() {
        return slotLength;
    }

    /**
     * The effective maximum message length for this ring capacity.
     *
     * @return the set maximum message length, or {@code ringCapacity / 8} when it was left at 0
     */
    public int maxMessageLength() {
        return maxMessageLength == 0 ? ringCapacity / 8 : maxMessageLength;
    }

    /**
     * Publisher side: every record carries a CRC32C of its payload ({@code java.util.zip.CRC32C}), which subscribers
     * check before they decode; a mismatch ends the stream with {@link CorruptSectionException} naming the record.
     * Off by default: no shared-memory transport checks payloads, and only a channel shared with code that is not
     * trusted needs it. The checksum takes 4 bytes of each record's room ({@link #maxMessageLength()} includes them).
     *
     * @param on whether each record carries a CRC32C of its payload
     * @return a copy with payload checksums on or off
     */
    public ChannelOptions withPayloadChecksums(boolean on) {
        return with(o -> o.payloadChecksums = on);
    }

    /**
     * Whether records carry a CRC32C of their payload; see {@link #withPayloadChecksums(boolean)}.
     *
     * @return true when payload checksums are on
     */
    public boolean payloadChecksums() {
        return payloadChecksums;
    }

    /**
     * Subscriber side: the Reactor {@code Context} entries, by key, that cross to the publisher's process, where the
     * publisher's source sees them in its own context (for example a trace id, or what a tracing library propagates):
     * one trace then spans both processes. Each present key's value crosses as its {@code toString()}; absent keys are
     * left out. The entries of a channel's first subscriber are the ones its source sees, since the source is
     * subscribed once. At most {@value io.aperture.internal.section.SubscriberDescriptor#CONTEXT_MAX_ENTRIES} keys, and
     * at most {@value io.aperture.internal.section.SubscriberDescriptor#CONTEXT_MAX_LENGTH} bytes encoded (2 bytes of
     * length before each UTF-8 key and value): more fails the subscription, naming the sizes. None by default.
     *
     * @param keys the Reactor context keys whose values cross to the publisher
     * @return a copy with these context keys
     * @throws IllegalArgumentException when there are more keys than a subscriber section holds
     */
    public ChannelOptions withContextKeys(String... keys) {
        List<String> copy = List.of(keys);
        if (copy.size() > io.aperture.internal.section.SubscriberDescriptor.CONTEXT_MAX_ENTRIES) {
            throw new IllegalArgumentException(copy.size() + " context keys > "
                + io.aperture.internal.section.SubscriberDescriptor.CONTEXT_MAX_ENTRIES);
        }
        return with(o -> o.contextKeys = copy);
    }

    /**
     * The Reactor context keys whose values a subscriber sends to the publisher; see
     * {@link #withContextKeys(String...)}.
     *
     * @return the keys, an unmodifiable list, empty by default
     */
    public List<String> contextKeys() {
        return contextKeys;
    }

    /**
     * How this end waits for the other; see {@link #withWaiting(Waiting)}.
     *
     * @return the wait strategy
     */
    public Waiting waiting() {
        return waiting;
    }

    /**
     * The subscriber's demand window; see {@link #withDemandWindow(int)}.
     *
     * @return the window in messages
     */
    public int demandWindow() {
        return demandWindow;
    }

    /**
     * How long a subscriber waits for its publisher to admit it; see {@link #withAttachTimeout(Duration)}.
     *
     * @return the attach timeout, possibly {@link #FOREVER}
     */
    public Duration attachTimeout() {
        return attachTimeout;
    }

    /**
     * {@link #attachTimeout()} in nanoseconds, at most {@value #FOREVER_NANOS} (forever).
     *
     * @return the attach timeout in nanoseconds
     */
    public long attachTimeoutNanos() {
        return nanos(attachTimeout);
    }

    /**
     * How long a publisher waits for its first subscriber; see {@link #withFirstSubscriberTimeout(Duration)}.
     *
     * @return the first-subscriber timeout, {@link #FOREVER} by default
     */
    public Duration firstSubscriberTimeout() {
        return firstSubscriberTimeout;
    }

    /**
     * {@link #firstSubscriberTimeout()} in nanoseconds, at most {@value #FOREVER_NANOS} (forever).
     *
     * @return the first-subscriber timeout in nanoseconds
     */
    public long firstSubscriberTimeoutNanos() {
        return nanos(firstSubscriberTimeout);
    }

    /**
     * Whether a timeout of {@code nanos} (from one of the {@code ...Nanos()} methods) never expires.
     *
     * @param nanos a timeout in nanoseconds
     * @return true when the timeout never expires
     */
    public static boolean isForever(long nanos) {
        return nanos >= FOREVER_NANOS;
    }

    private static long nanos(Duration timeout) {
        return timeout.compareTo(Duration.ofNanos(FOREVER_NANOS)) >= 0 ? FOREVER_NANOS : timeout.toNanos();
    }

    /**
     * A timeout for messages: "250 ms", or "forever".
     *
     * @param nanos a timeout in nanoseconds
     * @return the timeout in milliseconds followed by " ms", or "forever"
     */
    public static String describe(long nanos) {
        return isForever(nanos) ? "forever" : java.util.concurrent.TimeUnit.NANOSECONDS.toMillis(nanos) + " ms";
    }

    /**
     * The period of the liveness checks and heartbeats; see {@link #withLivenessInterval(Duration)}.
     *
     * @return the liveness interval
     */
    public Duration livenessInterval() {
        return livenessInterval;
    }

    /**
     * How many subscribers the channel serves at once; see {@link #withMaxSubscribers(int)}.
     *
     * @return the subscriber limit
     */
    public int maxSubscribers() {
        return maxSubscribers;
    }

    /**
     * What the publisher does when the slowest subscriber holds the ring full.
     *
     * @return {@link SlowConsumerPolicy#BLOCK} (the default) or {@link SlowConsumerPolicy#DROP_SLOWEST}
     */
    public SlowConsumerPolicy slowConsumerPolicy() {
        return slowConsumerPolicy;
    }

    /**
     * With {@link SlowConsumerPolicy#DROP_SLOWEST}: the lag in bytes past which a subscriber holding a full ring is
     * dropped.
     *
     * @return the drop lag in bytes
     */
    public long dropLagBytes() {
        return dropLagBytes;
    }

    /**
     * With {@link SlowConsumerPolicy#DROP_SLOWEST}: how long the publisher waits for a subscriber holding a full ring.
     *
     * @return the drop time
     */
    public Duration dropTime() {
        return dropTime;
    }

    /**
     * Where a subscriber that joins a running channel starts; see {@link #withJoinAt(JoinAt)}.
     *
     * @return the join position
     */
    public JoinAt joinAt() {
        return joinAt;
    }

    /**
     * How long the ring stays after the stream ended; see {@link #withLinger(Duration)}.
     *
     * @return the linger, {@link Duration#ZERO} by default
     */
    public Duration linger() {
        return linger;
    }

    /**
     * Checks that the ring settings fit together, as a publisher does before it opens a channel: the maximum message
     * length fits half the ring less a record header, a slot is at most half the ring, and a fragmented message limit
     * is larger than the maximum message length and leaves room for a fragment's data.
     *
     * @throws IllegalArgumentException naming the settings that do not fit, and their limit
     */
    public void validateRing() {
        int max = RingDescriptor.maxMessageLengthFor(ringCapacity);
        if (maxMessageLength() > max) {
            throw new IllegalArgumentException("max message length " + maxMessageLength() + " > " + max
                + " (ring capacity " + ringCapacity + " / 2 - record header " + RecordDescriptor.HEADER_LENGTH + ")");
        }
        if (slotLength * 2 > ringCapacity) {
            throw new IllegalArgumentException("slot length " + slotLength + " > ring capacity " + ringCapacity + " / 2");
        }
        if (maxFragmentedMessageLength != 0 && maxFragmentedMessageLength <= maxMessageLength()) {
            throw new IllegalArgumentException("max fragmented message length " + maxFragmentedMessageLength
                + " <= max message length " + maxMessageLength() + ": it must be larger (or 0 for no fragments)");
        }
        if (maxMessageLength() <= RecordDescriptor.FRAGMENT_HEADER_LENGTH && maxFragmentedMessageLength != 0) {
            throw new IllegalArgumentException("max message length " + maxMessageLength() + " leaves no room for a "
                + "fragment's data after its " + RecordDescriptor.FRAGMENT_HEADER_LENGTH + "-byte header");
        }
        if (ringCapacity / slotLength > RingDescriptor.MAX_SLOTS) {
            throw new IllegalArgumentException("ring capacity " + ringCapacity + " / slot length " + slotLength + " = "
                + ringCapacity / slotLength + " slots > " + RingDescriptor.MAX_SLOTS);
        }
    }

    @Override
    public String toString() {
        return "ChannelOptions{ringCapacity=" + ringCapacity + ", slotLength=" + slotLength + ", maxMessageLength="
            + maxMessageLength() + ", waiting=" + waiting + ", demandWindow=" + demandWindow + ", attachTimeout="
            + attachTimeout + ", firstSubscriberTimeout=" + firstSubscriberTimeout + ", livenessInterval=" + livenessInterval
            + ", heartbeatTimeout=" + heartbeatTimeout
            + ", maxSubscribers=" + maxSubscribers + ", slowConsumerPolicy=" + slowConsumerPolicy
            + (slowConsumerPolicy == SlowConsumerPolicy.DROP_SLOWEST ? ", dropLagBytes=" + dropLagBytes + ", dropTime="
            + dropTime : "") + ", joinAt=" + joinAt + ", linger=" + linger + ", maxFragmentedMessageLength="
            + maxFragmentedMessageLength + ", doubleMapping=" + doubleMapping + ", payloadChecksums=" + payloadChecksums
            + ", sections=" + sections
            + (contextKeys.isEmpty() ? "" : ", contextKeys=" + contextKeys) + '}';
    }
}
