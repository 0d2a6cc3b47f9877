package io.aperture;

import java.time.Duration;
import java.util.Objects;

/**
 * Settings of one channel end. Immutable; each {@code with} method returns a copy. Values are checked
 * when set, and the error names the value and its limit.
 *
 * <p>The publisher's ring settings (capacity, slot length, maximum message length) are written in the
 * ring header; a subscriber reads them from there, so only the publisher's matter.
 */
public final class ChannelOptions {
    /** 1 MiB of slots. */
    public static final int DEFAULT_RING_CAPACITY = 1 << 20;
    /** 64-byte slots. */
    public static final int DEFAULT_SLOT_LENGTH = 64;
    /** Messages the subscriber lets the publisher run ahead of delivery. */
    public static final int DEFAULT_DEMAND_WINDOW = 1024;

    private static final ChannelOptions DEFAULTS = new ChannelOptions(DEFAULT_RING_CAPACITY, DEFAULT_SLOT_LENGTH, 0,
        Waiting.BLOCKING, DEFAULT_DEMAND_WINDOW, Duration.ofSeconds(10), Duration.ofMillis(25), Duration.ZERO);

    private final int ringCapacity;
    private final int slotLength;
    private final int maxMessageLength;
    private final Waiting waiting;
    private final int demandWindow;
    private final Duration attachTimeout;
    private final Duration livenessInterval;
    private final Duration heartbeatTimeout;

    private ChannelOptions(int ringCapacity, int slotLength, int maxMessageLength, Waiting waiting, int demandWindow,
                           Duration attachTimeout, Duration livenessInterval, Duration heartbeatTimeout) {
        this.ringCapacity = ringCapacity;
        this.slotLength = slotLength;
        this.maxMessageLength = maxMessageLength;
        this.waiting = waiting;
        this.demandWindow = demandWindow;
        this.attachTimeout = attachTimeout;
        this.livenessInterval = livenessInterval;
        this.heartbeatTimeout = heartbeatTimeout;
    }

    /**
     * The defaults: 1 MiB ring of 64-byte slots, max message capacity / 8, blocking waits, demand window
     * 1024, attach timeout 10 s, liveness checked every 25 ms, no heartbeat timeout.
     */
    public static ChannelOptions defaults() {
        return DEFAULTS;
    }

    /** Bytes of the ring's slot area: a power of two from 1 KiB to 1 GiB. */
    public ChannelOptions withRingCapacity(int bytes) {
        if (bytes < RingDescriptor.MIN_CAPACITY || bytes > RingDescriptor.MAX_CAPACITY || Integer.bitCount(bytes) != 1) {
            throw new IllegalArgumentException("ring capacity " + bytes + " is not a power of two in ["
                + RingDescriptor.MIN_CAPACITY + ", " + RingDescriptor.MAX_CAPACITY + "]");
        }
        return new ChannelOptions(bytes, slotLength, maxMessageLength, waiting, demandWindow, attachTimeout,
            livenessInterval, heartbeatTimeout);
    }

    /** Bytes per slot: a power of two from 16 to 4096. */
    public ChannelOptions withSlotLength(int bytes) {
        if (bytes < RingDescriptor.MIN_SLOT_LENGTH || bytes > RingDescriptor.MAX_SLOT_LENGTH || Integer.bitCount(bytes) != 1) {
            throw new IllegalArgumentException("slot length " + bytes + " is not a power of two in ["
                + RingDescriptor.MIN_SLOT_LENGTH + ", " + RingDescriptor.MAX_SLOT_LENGTH + "]");
        }
        return new ChannelOptions(ringCapacity, bytes, maxMessageLength, waiting, demandWindow, attachTimeout,
            livenessInterval, heartbeatTimeout);
    }

    /**
     * Largest encoded message in bytes, at most {@code ringCapacity / 2 - 8} (checked when the channel
     * opens). Zero means the default, {@code ringCapacity / 8}.
     */
    public ChannelOptions withMaxMessageLength(int bytes) {
        if (bytes < 0) {
            throw new IllegalArgumentException("max message length " + bytes + " < 0");
        }
        return new ChannelOptions(ringCapacity, slotLength, bytes, waiting, demandWindow, attachTimeout,
            livenessInterval, heartbeatTimeout);
    }

    /** How this end waits for the other. */
    public ChannelOptions withWaiting(Waiting waiting) {
        return new ChannelOptions(ringCapacity, slotLength, maxMessageLength, Objects.requireNonNull(waiting, "waiting"),
            demandWindow, attachTimeout, livenessInterval, heartbeatTimeout);
    }

    /**
     * Subscriber side: how many messages beyond those delivered it lets the publisher produce, never more
     * than its downstream asked for. Replenished when a quarter of it was delivered. At least 1.
     */
    public ChannelOptions withDemandWindow(int messages) {
        if (messages < 1) {
            throw new IllegalArgumentException("demand window " + messages + " < 1");
        }
        return new ChannelOptions(ringCapacity, slotLength, maxMessageLength, waiting, messages, attachTimeout,
            livenessInterval, heartbeatTimeout);
    }

    /** Subscriber side: how long to wait for the channel's publisher to appear before failing. */
    public ChannelOptions withAttachTimeout(Duration timeout) {
        if (timeout.isNegative()) {
            throw new IllegalArgumentException("attach timeout " + timeout + " < 0");
        }
        return new ChannelOptions(ringCapacity, slotLength, maxMessageLength, waiting, demandWindow, timeout,
            livenessInterval, heartbeatTimeout);
    }

    /** How often each end checks that its peer process still runs, and beats its own heartbeat. */
    public ChannelOptions withLivenessInterval(Duration interval) {
        if (interval.isNegative() || interval.isZero()) {
            throw new IllegalArgumentException("liveness interval " + interval + " <= 0");
        }
        return new ChannelOptions(ringCapacity, slotLength, maxMessageLength, waiting, demandWindow, attachTimeout,
            interval, heartbeatTimeout);
    }

    /**
     * How old the peer's heartbeat may be before the peer is taken as hung and treated as dead; zero (the
     * default) turns the check off. Crashed processes are detected without it, through their file locks,
     * within about two liveness intervals. Set it above the longest pause a peer may legitimately take
     * (GC pauses, a downstream {@code onNext} that blocks).
     */
    public ChannelOptions withHeartbeatTimeout(Duration timeout) {
        if (timeout.isNegative()) {
            throw new IllegalArgumentException("heartbeat timeout " + timeout + " < 0");
        }
        return new ChannelOptions(ringCapacity, slotLength, maxMessageLength, waiting, demandWindow, attachTimeout,
            livenessInterval, timeout);
    }

    public Duration heartbeatTimeout() {
        return heartbeatTimeout;
    }

    public int ringCapacity() {
        return ringCapacity;
    }

    public int slotLength() {
        return slotLength;
    }

    /** The effective maximum message length for this ring capacity. */
    public int maxMessageLength() {
        return maxMessageLength == 0 ? ringCapacity / 8 : maxMessageLength;
    }

    public Waiting waiting() {
        return waiting;
    }

    public int demandWindow() {
        return demandWindow;
    }

    public Duration attachTimeout() {
        return attachTimeout;
    }

    public Duration livenessInterval() {
        return livenessInterval;
    }

    void validateRing() {
        int max = RingDescriptor.maxMessageLengthFor(ringCapacity);
        if (maxMessageLength() > max) {
            throw new IllegalArgumentException("max message length " + maxMessageLength() + " > " + max
                + " (ring capacity " + ringCapacity + " / 2 - record header " + RecordDescriptor.HEADER_LENGTH + ")");
        }
        if (slotLength * 2 > ringCapacity) {
            throw new IllegalArgumentException("slot length " + slotLength + " > ring capacity " + ringCapacity + " / 2");
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
            + attachTimeout + ", livenessInterval=" + livenessInterval + ", heartbeatTimeout=" + heartbeatTimeout + '}';
    }
}
