package io.aperture.internal.ring;

import com.lmax.disruptor.AlertException;
import com.lmax.disruptor.Sequence;
import io.aperture.ApertureException;
import io.aperture.ChannelOptions;
import io.aperture.Codec;
import io.aperture.CorruptSectionException;
import io.aperture.internal.section.DoubleMapping;
import io.aperture.internal.section.MappedSection;
import io.aperture.internal.section.OwnSubscriberSection;
import io.aperture.internal.section.PeerLiveness;
import io.aperture.internal.section.RecordDescriptor;
import io.aperture.internal.section.RingDescriptor;
import io.aperture.internal.section.RingHeader;
import io.aperture.internal.section.SubscriberLink;
import io.aperture.internal.section.TerminalState;
import io.aperture.internal.waiting.ParkingSpot;
import io.aperture.internal.waiting.ShmBarrier;
import io.aperture.internal.waiting.WaitStrategies;
import io.aperture.internal.waiting.Waker;

import java.nio.ByteBuffer;

/**
 * A subscriber's drain loop, on its drain thread once admitted: advertises demand ({@link SubscriberDemand}),
 * walks the committed records ({@link RingReader}) and hands each decoded value to the downstream, stores
 * {@code consumed} once a batch, waits for records or for demand, does its housekeeping once a liveness interval
 * (heartbeat, the publisher's liveness, both files, the dropped word), and ends at the terminal record, or when the
 * publisher ended without one or died, once what it published was read.
 */
final class SubscriberDrain<T> {
    private final String channel;
    private final Codec<T> codec;
    private final ChannelOptions options;
    private final SubscriberCore.Downstream<? super T> actual;
    private final SubscriberDemand demand;
    private final long intervalNs;
    private final OwnSubscriberSection own;
    private final MappedSection ring;
    private final ByteBuffer ringSection;
    private final RingHeader header;
    /** This subscriber's double mapping of a ring whose publisher double-maps it; null: the copy path. */
    private final DoubleMapping ringDoubleMapping;
    private final int index;
    private final int slotCount;
    private final Waker waker;
    private final PeerLiveness liveness;
    private final ParkingSpot spot;
    private RingReader reader;
    /** Decodes each record and hands it to the downstream; counts what it delivered. */
    private final SubscriberDelivery<T> delivery;
    private long consumedWritten;
    /** The terminal record was read again after admission past it; only once. */
    private boolean terminalReread;

    /**
     * @param start            where the publisher admitted this subscriber ({@link SubscriberAdmission#await}), or
     *                         {@link SubscriberAdmission#AT_TERMINAL_RECORD}
     * @param terminalSequence the terminal record's sequence, when {@code start} is {@code AT_TERMINAL_RECORD}
     */
    SubscriberDrain(String channel, Codec<T> codec, ChannelOptions options, SubscriberCore.Downstream<? super T> actual,
                    SubscriberDemand demand, RingAttachment.Attached attached, Waker waker, PeerLiveness liveness,
                    ParkingSpot spot, long start, long terminalSequence) {
        this.channel = channel;
        this.codec = codec;
        this.options = options;
        this.actual = actual;
        this.demand = demand;
        this.intervalNs = options.livenessInterval().toNanos();
        this.own = attached.own();
        this.ring = attached.ring();
        this.ringSection = ring.buffer();
        this.header = attached.header();
        this.ringDoubleMapping = attached.doubleMapping();
        this.index = attached.index();
        this.slotCount = header.capacity / header.slotLength;
        this.waker = waker;
        this.liveness = liveness;
        this.spot = spot;
        this.delivery = new SubscriberDelivery<>(channel, codec, actual, demand, intervalNs, own, ringSection, header,
            index);
        if (start == SubscriberAdmission.AT_TERMINAL_RECORD) {
            consumedWritten = SubscriberLink.NOT_STARTED; // as written at the claim, not as read back
            terminalReread = true;
            reader = newReader(new Sequence(terminalSequence - 1));
        } else {
            consumedWritten = start;
            reader = newReader(own.consumed());
        }
    }

    /** Whether the publisher's COMPLETE record was read. */
    boolean completed() {
        return delivery.completed();
    }

    /** The publisher's error, read from its ERROR record; null when none was read. */
    Throwable terminalError() {
        return delivery.terminalError();
    }

    /** Drains until the stream ends, the downstream cancels, or a failure is thrown. */
    void drainLoop() throws Exception {
        // Waits for the header of the next record to be committed (the reader may be replaced: read it each time).
        Sequence nextCommitted = new Sequence() {
            @Override
            public long get() {
                return reader.committed().get();
            }
        };
        ShmBarrier dataBarrier = new ShmBarrier(WaitStrategies.of(options.waiting(), spot), nextCommitted, this::shouldWake);
        long nextHousekeeping = System.nanoTime() + intervalNs;
        delivery.startBatchClock(nextHousekeeping - intervalNs);
        String publisherDeath = null;
        long deliveredStored = 0;
        int pollsSinceClock = 0;
        while (true) {
            if (demand.stopped()) {
                return;
            }
            long demanded = demand.requested();
            long delivered = delivery.delivered();
            demand.advertise(demanded, delivered);
            if (demanded > delivered) {
                boolean read;
                try {
                    read = reader.poll(delivery);
                } catch (CorruptSectionException e) {
                    delivery.checkDropped(); // overwritten because the publisher dropped this subscriber: say so
                    throw e;
                }
                long consumedBefore = consumedWritten;
                if (!terminalReread) {
                    consumedWritten = reader.expectedConsumed();
                }
                delivered = delivery.delivered();
                if (delivered != deliveredStored) {
                    deliveredStored = delivered;
                    own.delivered(delivered);
                }
                if (consumedWritten != consumedBefore) {
                    // consumed moved (a batch of only fragments or padding moves it too, delivering nothing): a
                    // publisher waiting for space may go on. No fence per poll: settled before a wait.
                    waker.wakeIfSeenParked();
                }
                if (reader.terminated()) {
                    return;
                }
                if (read && ((++pollsSinceClock & SubscriberDelivery.BUSY_CLOCK_MASK) != 0 || System.nanoTime() - nextHousekeeping < 0)) {
                    continue;
                }
                // Nothing read, or busy all along and the housekeeping is due all the same: a subscriber that is never
                // idle still beats its heartbeat and checks its publisher and its own section.
            } else {
                int next = reader.peekNextType();
                if (next == RecordDescriptor.TYPE_COMPLETE || next == RecordDescriptor.TYPE_ERROR) {
                    reader.poll(delivery);
                    if (reader.terminated()) {
                        return;
                    }
                }
            }
            long now = System.nanoTime();
            if (now - nextHousekeeping >= 0) {
                nextHousekeeping = now + intervalNs;
                SubscriberCore.checkLengths(own, ring);
                delivery.heartbeat(now);
                publisherDeath = liveness.check(now);
                verifyOwnSection();
                if (!terminalReread) {
                    delivery.checkDropped();
                }
            }
            int terminal = RingHeader.terminalState(ringSection);
            if (terminal < TerminalState.OPEN || terminal > TerminalState.CLOSED) {
                throw new CorruptSectionException(channel + ".ring", RingDescriptor.TERMINAL_OFFSET,
                    "unknown terminal state " + terminal);
            }
            if ((terminal == TerminalState.COMPLETED || terminal == TerminalState.ERRORED) && !reader.hasUnread()) {
                long cursor = RingHeader.cursor(ringSection);
                long sequence = RingHeader.terminalSequence(channel + ".ring", ringSection, cursor, slotCount);
                if (sequence >= 0 && sequence < reader.nextRecord() && !terminalReread) {
                    // Admitted after the terminal record was written: read that record itself (§1.4).
                    terminalReread = true;
                    reader = newReader(new Sequence(sequence - 1));
                    continue;
                }
                // The publisher commits the terminal record (release) before the state: seeing the state (acquire)
                // with no record committed at this reader's next slot means the section is inconsistent.
                throw new CorruptSectionException(channel + ".ring", RingDescriptor.TERMINAL_OFFSET, "terminal state "
                    + TerminalState.name(terminal) + " but no terminal record committed at seq " + reader.nextRecord()
                    + " (cursor " + cursor + ")");
            }
            if ((terminal != TerminalState.OPEN && terminal != TerminalState.COMPLETED && terminal != TerminalState.ERRORED)
                || publisherDeath != null) {
                // The publisher ended without a terminal record, or died: what it published is still read first.
                if (!reader.hasUnread()) {
                    verifyOwnSection(); // a third party that wrote our section may be why the publisher ended
                    throw publisherGone(terminal, publisherDeath);
                }
                if (demanded > delivery.delivered()) {
                    continue;
                }
            }
            waker.settle(); // before any wait: a publisher must not sleep on space this thread already freed
            if (demanded > delivery.delivered()) {
                try {
                    dataBarrier.waitFor(reader.nextRecord(), nextHousekeeping);
                } catch (AlertException e) {
                    // stop condition or housekeeping: the loop looks at each
                }
            } else {
                idleUntilDemand(nextHousekeeping - now);
            }
        }
    }

    /**
     * No downstream demand: sleep on the ring's wake word (so a terminal record, which needs no demand,
     * wakes this thread) until {@code request}, {@code cancel} or the housekeeping deadline.
     */
    private void idleUntilDemand(long timeoutNs) {
        int wake = spot.wakeValue();
        spot.announce(wake);
        demand.idle(true); // volatile: request() reads it after its own volatile RMW of the demand (Dekker, in-process)
        try {
            if (demand.requested() > delivery.delivered() || demand.cancelled() || demand.badRequested()
                || RingHeader.terminalState(ringSection) != TerminalState.OPEN || reader.hasUnread()
                && isTerminalRecordNext()) {
                return;
            }
            spot.sleep(wake, Math.max(1, timeoutNs));
        } finally {
            demand.idle(false);
            spot.withdraw();
        }
    }

    private boolean isTerminalRecordNext() {
        int next = reader.peekNextType();
        return next == RecordDescriptor.TYPE_COMPLETE || next == RecordDescriptor.TYPE_ERROR;
    }

    private ApertureException publisherGone(int terminal, String publisherDeath) {
        // A publisher that set an end state said why it ended; its process may have exited (its lock freed) a moment
        // later, before this subscriber looked. Only a publisher that left the ring OPEN died without a word.
        if (publisherDeath != null && terminal == TerminalState.OPEN) {
            return new ApertureException("channel '" + channel + "': publisher process " + publisherDeath + " after "
                + delivery.delivered() + " message(s) were delivered");
        }
        return new ApertureException("channel '" + channel + "': publisher " + header.publisher + " ended the channel ("
            + TerminalState.name(terminal) + ") without completing, after " + delivery.delivered()
            + " message(s)");
    }

    /** Nobody but this subscriber wrote into its section (see {@link OwnSubscriberSection#verify}). */
    private void verifyOwnSection() {
        own.verify(demand.advertised(), consumedWritten);
    }

    private boolean shouldWake() {
        return demand.stopped() || RingHeader.terminalState(ringSection) != TerminalState.OPEN;
    }

    /** A reader of the ring from {@code consumed + 1}, in place (double mapped or not) or through the copy path. */
    private RingReader newReader(Sequence consumed) {
        return new RingReader(channel + ".ring", ringSection, (header.flags & RingDescriptor.FLAG_DOUBLE_MAPPED) != 0,
            ringDoubleMapping == null ? null : ringDoubleMapping.buffer(), consumed, header.capacity, header.slotLength,
            header.maxMessageLength).fragments(header.maxFragmentedLength, options.maxFragmentedMessageLength())
            .checksums((header.flags & RingDescriptor.FLAG_PAYLOAD_CHECKSUM) != 0);
    }
}
