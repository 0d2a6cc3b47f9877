package io.aperture.internal.ring;

import com.lmax.disruptor.AlertException;
import com.lmax.disruptor.Sequence;
import io.aperture.ApertureException;
import io.aperture.ChannelOptions;
import io.aperture.internal.section.SectionFaults;
import io.aperture.internal.section.SubscriberLink;
import io.aperture.internal.section.TerminalState;
import io.aperture.internal.waiting.Backoff;
import io.aperture.internal.waiting.ShmBarrier;
import io.aperture.internal.waiting.WaitStrategies;

import java.nio.file.Path;

/**
 * The conductor's loop ({@code aperture-pub-<channel>}): waits for a first subscriber and admits it, starts the
 * upstream, turns the subscribers' demand into upstream requests ({@link PublisherUpstream}), does the housekeeping
 * once a liveness interval ({@link PublisherHousekeeping}), lets go of subscribers that left, and sleeps for demand
 * when there is nothing to do. It ends when the writer ended the stream ({@link PublisherSink}), on close, or when
 * no subscriber is left; what comes after is {@link PublisherTeardown}'s.
 */
final class PublisherConductor {
    private static final long MAX_SCAN_PARK_NS = 1_000_000L;
    /** The first step of the back-offs for a first subscriber and for the upstream's onSubscribe. */
    private static final long FIRST_PARK_NS = 10_000L;

    private final Path directory;
    private final String channel;
    private final ChannelOptions options;
    private final PublisherCore.Outcome done;
    private final long intervalNs;
    private final PublisherRing ring;
    private final PublisherFaults faults;
    private final PublisherUpstream upstream;
    private final PublisherHousekeeping housekeeping;
    private final PublisherSink<?> sink;

    PublisherConductor(Path directory, String channel, ChannelOptions options, PublisherCore.Outcome done,
                       PublisherRing ring, PublisherFaults faults, PublisherUpstream upstream,
                       PublisherHousekeeping housekeeping, PublisherSink<?> sink) {
        this.directory = directory;
        this.channel = channel;
        this.options = options;
        this.done = done;
        this.intervalNs = options.livenessInterval().toNanos();
        this.ring = ring;
        this.faults = faults;
        this.upstream = upstream;
        this.housekeeping = housekeeping;
        this.sink = sink;
    }

    /** Conducts the channel until it ends; returns how to signal its outcome. */
    Runnable conduct() {
        SubscriberLink first = awaitFirstSubscriber();
        if (first == null) {
            ring.endRing(TerminalState.CLOSED);
            return () -> { };
        }
        ring.roster.admit(first);
        upstream.admitted(first);

        ShmBarrier demandBarrier = new ShmBarrier(WaitStrategies.of(options.waiting(), ring.conductorSpot),
            upstream.demand(), this::conductorShouldWake);
        // All demand requested upstream: no subscriber's store can end this wait, only a stop or the deadline.
        ShmBarrier idleBarrier = new ShmBarrier(WaitStrategies.stopOnly(options.waiting(), ring.conductorSpot),
            new Sequence(-1L), this::conductorShouldWake);
        housekeeping.startAt(System.nanoTime());
        Backoff awaitUpstream = new Backoff(FIRST_PARK_NS, intervalNs);
        while (true) {
            try {
                int state = sink.state();
                if (state == PublisherSink.COMPLETED) {
                    return done::completed;
                }
                if (state == PublisherSink.ERRORED) {
                    upstream.cancelIfLeftToConductor();
                    Throwable failure = sink.failureOfState();
                    return () -> done.failed(failure);
                }
                if (ring.closing()) {
                    upstream.cancel();
                    ring.endRing(TerminalState.CLOSED);
                    return () -> { };
                }
                ring.retireCancelled();
                ring.roster.closeRetired();
                if (ring.links().length == 0) {
                    // No live subscriber remains: cancel upstream and end the ring.
                    upstream.cancel();
                    // Its subscribers may have left because another process truncated the ring: then that is the end.
                    SectionFaults.checkLength(ring.ring.mapped());
                    ring.endRing(TerminalState.CANCELLED);
                    return done::completed;
                }
                upstream.startOnFirstDemand();
                boolean ready = upstream.isReady();
                if (upstream.started() && !ready) {
                    // onSubscribe is on its way from the upstream (§1.9); upstreamReady unparks this thread.
                    awaitUpstream.park(this);
                    continue;
                }
                if (ready && upstream.request()) {
                    continue;
                }
                long now = System.nanoTime();
                if (housekeeping.runIfDue(now)) {
                    continue;
                }
                try {
                    if (upstream.requestedAll()) {
                        idleBarrier.waitFor(0L, housekeeping.next());
                    } else {
                        demandBarrier.waitFor(upstream.requested() + 1, housekeeping.next());
                    }
                } catch (AlertException e) {
                    // a stop condition, or time for housekeeping: the loop looks at each
                }
            } catch (InternalError e) {
                if (!SectionFaults.isFault(e)) {
                    throw e;
                }
                faults.onFault(e); // a subscriber's section truncated: that subscriber goes; a truncated ring ends the channel
            }
        }
    }

    /**
     * Waits for a first subscriber; null when closed first.
     *
     * @throws ApertureException when none came within {@link ChannelOptions#withFirstSubscriberTimeout}
     */
    private SubscriberLink awaitFirstSubscriber() {
        Backoff backoff = new Backoff(FIRST_PARK_NS, MAX_SCAN_PARK_NS);
        long nextBeat = System.nanoTime();
        long timeoutNs = options.firstSubscriberTimeoutNanos();
        long deadline = nextBeat + timeoutNs;
        while (!ring.closing()) {
            SubscriberLink found = ring.roster.findFirst();
            if (found != null) {
                return found;
            }
            if (System.nanoTime() - nextBeat >= 0) {
                ring.beat();
                // A subscriber that read an overwritten header would attach to a session nobody serves.
                ring.ring.verifyHeader();
                nextBeat = System.nanoTime() + intervalNs;
            }
            long remaining = deadline - System.nanoTime();
            if (remaining <= 0) {
                throw new ApertureException("channel '" + channel + "' in " + directory + ": no subscriber within "
                    + ChannelOptions.describe(timeoutNs) + " (ChannelOptions.withFirstSubscriberTimeout)");
            }
            backoff.park(this, remaining);
        }
        return null;
    }

    private boolean conductorShouldWake() {
        if (sink.state() != PublisherSink.RUNNING || ring.closing()) {
            return true;
        }
        for (SubscriberLink link : ring.links()) {
            if (link.cancelled()) {
                return true;
            }
        }
        return false;
    }
}
