package io.aperture.internal.ring;

import io.aperture.ChannelOptions;
import io.aperture.internal.section.RingHeader;
import io.aperture.internal.section.SectionFaults;
import io.aperture.internal.section.SubscriberLink;
import io.aperture.internal.section.TerminalState;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.LockSupport;

/**
 * The end of a publisher's channel, on the conductor's thread once its loop returned: the ring kept for late
 * subscribers for the linger (when the stream completed or failed), the subscribers still attached let go, the
 * ring's files removed, and the outcome signalled, whatever faults on the way.
 */
final class PublisherTeardown {
    private final ChannelOptions options;
    private final PublisherCore.Outcome done;
    private final long intervalNs;
    private final PublisherRing ring;
    private final PublisherSink<?> sink;
    /** Set once the stream ended and the ring stays for {@code linger}. */
    private volatile boolean lingering;

    PublisherTeardown(ChannelOptions options, PublisherCore.Outcome done, PublisherRing ring, PublisherSink<?> sink) {
        this.options = options;
        this.done = done;
        this.intervalNs = options.livenessInterval().toNanos();
        this.ring = ring;
        this.sink = sink;
    }

    /** Whether the stream ended and the ring stays for its linger: a close leaves it to the linger. */
    boolean lingering() {
        return lingering;
    }

    /**
     * Signals {@code outcome} and removes the channel's files, whatever faults on the way. The JVM may raise the
     * fault of an access to a truncated section a few instructions after it ({@link SectionFaults}), outside the
     * catch around it: so the steps are retried, each done once, and a truncated ring is no longer touched.
     */
    void finish(Runnable outcome) {
        boolean lingerFirst = false;
        boolean decided = false;
        boolean signalled = false;
        boolean cleaned = false;
        List<Throwable> faults = new ArrayList<>(0);
        while (!(signalled && cleaned)) { // each step is marked done before it runs: at most one try each
            try {
                try {
                    if (!decided) {
                        decided = true;
                        int state = ring.truncated() ? TerminalState.CLOSED : RingHeader.terminalState(ring.section);
                        lingerFirst = !options.linger().isZero()
                            && (state == TerminalState.COMPLETED || state == TerminalState.ERRORED);
                    }
                    if (lingerFirst) {
                        if (!signalled) {
                            lingering = true; // the sink's dispose hook, run by the outcome, must not end the linger
                            signalled = true;
                            outcome.run(); // the stream is over for the user; the ring stays for late subscribers
                            if (!ring.truncated()) {
                                linger();
                            }
                        }
                        if (!cleaned) {
                            cleaned = true;
                            Throwable cleanupFailure = cleanupReporting();
                            if (cleanupFailure != null) {
                                faults.add(cleanupFailure);
                            }
                        }
                    } else {
                        if (!cleaned) {
                            cleaned = true;
                            Throwable cleanupFailure = cleanupReporting();
                            if (cleanupFailure != null) {
                                faults.add(cleanupFailure);
                            }
                        }
                        if (!signalled) {
                            signalled = true;
                            for (Throwable fault : faults) {
                                done.dropped(fault); // after a success subscribers saw
                            }
                            faults.clear();
                            outcome.run();
                        }
                    }
                } catch (Throwable e) {
                    faults.add(e);
                }
            } catch (Throwable late) { // a fault raised late, on entry to the catch above
                faults.add(late);
            }
        }
        for (Throwable fault : faults) {
            done.dropped(fault);
        }
    }

    /**
     * Keeps the ring for late subscribers after the end, beating the heartbeat, until the linger passes. A
     * subscriber that comes then reads the terminal record by itself: nothing is admitted or written.
     */
    private void linger() {
        long deadline = System.nanoTime() + options.linger().toNanos();
        long now;
        while ((now = System.nanoTime()) - deadline < 0) {
            ring.beat();
            LockSupport.parkNanos(this, Math.min(intervalNs, deadline - now));
        }
    }

    /** Lets go of the subscribers still attached, and removes and closes the ring. */
    private void cleanup() {
        for (SubscriberLink link : ring.links()) {
            ring.retire(link, sink.endOfChannel(), sink.endOfChannelDetail());
        }
        ring.roster.closeRetired();
        ring.ring.remove();
        ring.ring.close();
    }

    /** {@link #cleanup}, every step of it whatever fails; returns what failed, or null. */
    private Throwable cleanupReporting() {
        try {
            cleanup();
            return null;
        } catch (Throwable e) {
            try {
                ring.ring.remove(); // the files go whatever else failed
                ring.ring.close();
            } catch (Throwable again) {
                e.addSuppressed(again);
            }
            return e;
        }
    }
}
