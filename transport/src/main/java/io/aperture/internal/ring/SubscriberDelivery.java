package io.aperture.internal.ring;

import io.aperture.ApertureException;
import io.aperture.Codec;
import io.aperture.CorruptSectionException;
import io.aperture.RemoteException;
import io.aperture.SlowSubscriberException;
import io.aperture.internal.section.OwnSubscriberSection;
import io.aperture.internal.section.RingDescriptor;
import io.aperture.internal.section.RingHeader;
import io.aperture.internal.section.SectionFaults;
import io.aperture.internal.section.SubscriberTable;

import java.nio.ByteBuffer;

/**
 * Each record a subscriber's drain loop ({@link SubscriberDrain}) reads, as its {@link RingReader}'s handler:
 * decoded, checked against the dropped word on a channel that drops slow subscribers, and handed to the downstream
 * within its demand; a poll's batch ends when the demand is met, on a cancel, or after {@link #MAX_BATCH_NS}, and
 * the heartbeat goes on within a long one. The drain thread only.
 */
final class SubscriberDelivery<T> implements RingReader.RecordHandler {
    /**
     * The clock is looked at once in this many + 1 deliveries here (the heartbeat, the batch's time), and by a drain
     * loop that reads on every poll once in this many + 1 polls (its housekeeping).
     */
    static final int BUSY_CLOCK_MASK = 15;
    /**
     * The longest a batch runs (looked at every {@code BUSY_CLOCK_MASK + 1} deliveries) before it ends and stores
     * {@code consumed}: behind a slow downstream the writer regains space every millisecond (or 16 messages), not
     * once per quarter ring; a fast reader, whose quarter-ring batches take less, pays one extra store a millisecond.
     * Not on a channel that drops slow subscribers (see {@link #onData}).
     */
    private static final long MAX_BATCH_NS = 1_000_000L;

    private final String channel;
    private final Codec<T> codec;
    private final SubscriberCore.Downstream<? super T> actual;
    private final SubscriberDemand demand;
    private final long intervalNs;
    private final OwnSubscriberSection own;
    private final ByteBuffer ringSection;
    private final RingHeader header;
    private final int index;
    /** The ring's publisher drops slow subscribers: each record is checked against the dropped word. */
    private final boolean dropsSlowest;
    /** When the drain thread last beat the heartbeat, and the records it delivered since it last looked at the clock. */
    private long lastBeatNs;
    private int deliveredSinceClock;
    /** When {@link #clockCheck} last ended a batch (or the drain began). */
    private long batchClockNs;
    private long delivered;
    private boolean completed;
    private Throwable terminalError;

    SubscriberDelivery(String channel, Codec<T> codec, SubscriberCore.Downstream<? super T> actual,
                       SubscriberDemand demand, long intervalNs, OwnSubscriberSection own, ByteBuffer ringSection,
                       RingHeader header, int index) {
        this.channel = channel;
        this.codec = codec;
        this.actual = actual;
        this.demand = demand;
        this.intervalNs = intervalNs;
        this.own = own;
        this.ringSection = ringSection;
        this.header = header;
        this.index = index;
        this.dropsSlowest = (header.flags & RingDescriptor.FLAG_DROP_SLOWEST) != 0;
    }

    /** The messages delivered to the downstream so far. */
    long delivered() {
        return delivered;
    }

    /** Whether the publisher's COMPLETE record was read. */
    boolean completed() {
        return completed;
    }

    /** The publisher's error, read from its ERROR record; null when none was read. */
    Throwable terminalError() {
        return terminalError;
    }

    /** The first batch is timed from {@code nowNs}. */
    void startBatchClock(long nowNs) {
        batchClockNs = nowNs;
    }

    /** Beats the heartbeat at {@code nowNs} (the drain loop's housekeeping). */
    void heartbeat(long nowNs) {
        lastBeatNs = nowNs;
        own.heartbeat(nowNs);
    }

    /**
     * Beats the heartbeat if a liveness interval passed since the last beat; returns whether the batch under way
     * should end, because {@link #MAX_BATCH_NS} passed since the last batch this check ended. The drain thread only.
     */
    private boolean clockCheck() {
        long now = System.nanoTime();
        if (now - lastBeatNs >= intervalNs) {
            lastBeatNs = now;
            own.heartbeat(now);
        }
        if (now - batchClockNs >= MAX_BATCH_NS) {
            batchClockNs = now;
            return true;
        }
        return false;
    }

    /** Throws {@link SlowSubscriberException} if the publisher dropped this subscriber. */
    void checkDropped() {
        long lag = SubscriberTable.droppedAfterRecord(ringSection, index); // LoadLoad, then opaque: after the record

        if (lag != 0) {
            if ((header.flags & RingDescriptor.FLAG_DROP_SLOWEST) == 0 || lag < 0 || lag > header.capacity) {
                throw new CorruptSectionException(channel + ".ring", SubscriberTable.droppedOffset(index),
                    "dropped word " + lag + " of subscriber " + index + " is not a lag in [1, " + header.capacity
                    + "] of a channel that drops slow subscribers (flags " + header.flags + ")");
            }
            throw new SlowSubscriberException(channel, lag, delivered);
        }
    }

    // ---------------------------------------------------------------- records (called by the poller)

    @Override
    public boolean onData(ByteBuffer payload, long sequence) {
        int length = payload.remaining();
        T value;
        try {
            value = codec.decode(payload);
        } catch (Throwable e) {
            if (SectionFaults.isFault(e)) {
                throw (InternalError) e; // a fault of the section (truncated) the payload is in: named by run()
            }
            throw new ApertureException("channel '" + channel + "': codec '" + codec.name() + "' failed to decode the "
                + length + "-byte record at seq " + sequence + ": " + e, e);
        }
        if (dropsSlowest) {
            checkDropped(); // a record overwritten while it was decoded is never delivered
        }
        if (value == null) {
            throw new ApertureException("channel '" + channel + "': codec '" + codec.name()
                + "' decoded null from the record at seq " + sequence + " (§2.13)");
        }
        delivered++;
        actual.onNext(value);
        boolean batchDue = false;
        if ((++deliveredSinceClock & BUSY_CLOCK_MASK) == 0) {
            // One poll may deliver a quarter ring to a slow downstream: the heartbeat goes on meanwhile, and the batch
            // ends once it has run for MAX_BATCH_NS, so consumed (stored at its end) returns space to the writer.
            // Not on a channel that drops slow subscribers: its writer judges the holder of a full ring by whether every
            // write waits for space, which a holder that returned space in small steps would hide (docs/multicast.md).
            batchDue = clockCheck() && !dropsSlowest;
        }
        long demanded = demand.requested();
        if (demand.replenishDue(delivered)) {
            demand.advertise(demanded, delivered); // top up within a long batch, so the publisher never waits for its end
        }
        return !demand.cancelled() && demanded > delivered && !batchDue;
    }

    @Override
    public void onComplete() {
        completed = true;
    }

    @Override
    public void onError(String remoteClassName, String remoteMessage) {
        terminalError = new RemoteException(channel, remoteClassName, remoteMessage);
    }
}
