package io.aperture.internal.ring;

import io.aperture.ApertureException;
import io.aperture.ChannelOptions;
import io.aperture.CorruptSectionException;
import io.aperture.internal.section.MappedSection;
import io.aperture.internal.section.OwnSubscriberSection;
import io.aperture.internal.section.PeerLiveness;
import io.aperture.internal.section.RingHeader;
import io.aperture.internal.section.SubscriberLink;
import io.aperture.internal.section.SubscriberTable;
import io.aperture.internal.section.TerminalState;
import io.aperture.internal.waiting.Backoff;

import java.nio.ByteBuffer;

/**
 * A subscriber's wait to be admitted, on its drain thread once attached: until the publisher writes this
 * subscriber's id in its entry of the ring's subscriber table, then from the start the publisher chose (validated
 * against the cursor); or, when the stream ended before, from the terminal record (§1.4). Meanwhile it beats the
 * heartbeat and watches the publisher's liveness and both files.
 */
final class SubscriberAdmission {
    private static final long MAX_ATTACH_PARK_NS = 10_000_000L;
    /** The first step of the admission back-off. */
    private static final long FIRST_PARK_NS = 10_000L;
    /** {@link #await}: cancelled before the admission. */
    static final long CANCELLED = Long.MIN_VALUE;
    /** {@link #await}: the stream ended before the admission, and reading starts at its terminal record. */
    static final long AT_TERMINAL_RECORD = Long.MIN_VALUE + 1;

    private final String channel;
    private final ChannelOptions options;
    private final SubscriberDemand demand;
    private final OwnSubscriberSection own;
    private final MappedSection ring;
    private final ByteBuffer ringSection;
    private final RingHeader header;
    private final PeerLiveness liveness;
    private final int index;
    private final long subscriberId;
    private final int slotCount;
    /** The terminal record's sequence, when {@link #await} returned {@link #AT_TERMINAL_RECORD}. */
    private long terminalSequence;

    SubscriberAdmission(String channel, ChannelOptions options, SubscriberDemand demand, OwnSubscriberSection own,
                        MappedSection ring, RingHeader header, PeerLiveness liveness, int index, int slotCount) {
        this.channel = channel;
        this.options = options;
        this.demand = demand;
        this.own = own;
        this.ring = ring;
        this.ringSection = ring.buffer();
        this.header = header;
        this.liveness = liveness;
        this.index = index;
        this.subscriberId = own.subscriberId();
        this.slotCount = slotCount;
    }

    /**
     * Waits until the publisher admits this subscriber (its id in the ring's table), then stores where it starts
     * in the own section's {@code consumed}. Returns the start, {@link #AT_TERMINAL_RECORD} for a subscriber that
     * came after the stream's end (it reads the terminal record, at {@link #terminalSequence()}), or
     * {@link #CANCELLED}. A start is never below -1 (validated), so neither is a start.
     */
    long await() {
        String ringName = channel + ".ring";
        long deadline = System.nanoTime() + options.attachTimeoutNanos();
        long intervalNs = options.livenessInterval().toNanos();
        long nextHousekeeping = System.nanoTime() + intervalNs;
        Backoff backoff = new Backoff(FIRST_PARK_NS, MAX_ATTACH_PARK_NS / 10);
        while (true) {
            if (demand.stopped()) {
                return CANCELLED;
            }
            long admitted = SubscriberTable.admittedId(ringSection, index); // acquire: start below is complete
            if (admitted == subscriberId) {
                long start = SubscriberTable.start(ringSection, index);
                // The cursor is the publisher's lazy position: the start it chose is within one ring of it.
                long cursor = RingHeader.cursor(ringSection);
                if (start < -1 || start - cursor > slotCount || cursor - start > slotCount) {
                    throw new CorruptSectionException(ringName, SubscriberTable.startOffset(index),
                        "start " + start + " of subscriber " + index + " outside [cursor " + cursor + " - " + slotCount
                        + ", cursor + " + slotCount + "]");
                }
                // Release: from here the publisher gates the ring on this subscriber's own position.
                own.consumed().set(start);
                return start;
            }
            int terminal = RingHeader.terminalState(ringSection);
            if (terminal == TerminalState.COMPLETED || terminal == TerminalState.ERRORED) {
                long sequence = RingHeader.terminalSequence(ringName, ringSection, RingHeader.cursor(ringSection), slotCount);
                if (sequence >= 0) {
                    // The stream ended before this subscriber was admitted: deliver its terminal signal (§1.4).
                    terminalSequence = sequence;
                    return AT_TERMINAL_RECORD;
                }
            }
            if (terminal != TerminalState.OPEN && terminal != TerminalState.COMPLETED && terminal != TerminalState.ERRORED) {
                throw new ApertureException("channel '" + channel + "': publisher " + header.publisher + " ended the channel ("
                    + TerminalState.name(terminal) + ") before admitting this subscriber");
            }
            long now = System.nanoTime();
            if (now - nextHousekeeping >= 0) {
                nextHousekeeping = now + intervalNs;
                SubscriberCore.checkLengths(own, ring);
                own.heartbeat(now);
                String death = liveness.check(now);
                if (death != null && RingHeader.terminalState(ringSection) != TerminalState.OPEN) {
                    // It ended the channel, then let go of its lock, after this loop read the state: its state says why.
                    continue;
                }
                if (death != null) {
                    throw new ApertureException("channel '" + channel + "': publisher process " + death
                        + " before admitting this subscriber");
                }
                own.verify(demand.advertised(), SubscriberLink.NOT_STARTED); // nothing advertised or consumed yet
            }
            if (now - deadline >= 0) {
                throw new ApertureException("channel '" + channel + "': publisher " + header.publisher
                    + " did not admit this subscriber (section " + own.path().getFileName() + ") within "
                    + ChannelOptions.describe(options.attachTimeoutNanos()));
            }
            backoff.park(this, deadline - now);
        }
    }

    /** The terminal record's sequence, after {@link #await} returned {@link #AT_TERMINAL_RECORD}. */
    long terminalSequence() {
        return terminalSequence;
    }
}
