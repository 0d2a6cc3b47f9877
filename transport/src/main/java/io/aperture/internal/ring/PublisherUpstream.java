package io.aperture.internal.ring;

import com.lmax.disruptor.Sequence;
import io.aperture.internal.section.SubscriberLink;

import java.util.Map;
import java.util.concurrent.locks.LockSupport;

/**
 * The upstream as the publisher drives it: started once (at the first admission, or once the first demand crossed),
 * asked for what the slowest subscriber allows and never more, and cancelled once. Its {@code request} and
 * {@code cancel} are serial (§2.7): both run on the conductor, or on a writer that is the conductor's own thread.
 */
final class PublisherUpstream {
    private final PublisherCore.Upstream upstream;
    /** Start the upstream at the first admission ({@link io.aperture.RingPublisher}); else once the first demand crossed. */
    private final boolean startAtAdmission;
    private final PublisherRing ring;
    /** The upstream was started; conductor thread only. */
    private boolean started;
    /** The upstream can take requests ({@link #ready}). */
    private volatile boolean ready;
    /** What was requested upstream so far; conductor thread only. */
    private long requested;
    /** Set once the upstream was cancelled: {@link PublisherCore.Upstream#cancel} is called once. */
    private volatile boolean cancelled;
    /** A writer on another thread than the conductor's left the cancel to the conductor. */
    private volatile boolean cancelFromConductor;
    /** The Reactor context entries of the first admitted subscriber, for the upstream's context. */
    private volatile Map<String, String> remoteContext = Map.of();
    /** Min over the admitted subscribers of what each allows the upstream to have produced. */
    private final Sequence demand = new Sequence() {
        @Override
        public long get() {
            long min = Long.MAX_VALUE;
            for (SubscriberLink link : ring.links()) {
                min = Math.min(min, link.allowed.get());
            }
            return min;
        }
    };

    PublisherUpstream(PublisherCore.Upstream upstream, boolean startAtAdmission, PublisherRing ring) {
        this.upstream = upstream;
        this.startAtAdmission = startAtAdmission;
        this.ring = ring;
    }

    /** The first subscriber was admitted: its context is the upstream's, and it may start the upstream. */
    void admitted(SubscriberLink first) {
        remoteContext = first.context; // volatile: before the source is subscribed, on this thread or on demand
        if (startAtAdmission) {
            started = true;
            upstream.start();
        }
    }

    /** Starts the upstream once the first demand has crossed; conductor thread only. */
    void startOnFirstDemand() {
        if (!started && allowedNow() > 0) {
            // The first demand has crossed: a source that emits on subscription now has somewhere to emit.
            started = true;
            upstream.start();
        }
    }

    /** The upstream was started; conductor thread only. */
    boolean started() {
        return started;
    }

    /** Whether the upstream can take requests. */
    boolean isReady() {
        return ready;
    }

    /** Every demand to come was requested upstream already: no subscriber's store can raise it. */
    boolean requestedAll() {
        return requested == Long.MAX_VALUE;
    }

    /** What was requested upstream so far; conductor thread only. */
    long requested() {
        return requested;
    }

    /** Min over the admitted subscribers of what each allows, for the conductor's wait for demand. */
    Sequence demand() {
        return demand;
    }

    /** The context entries the channel's first admitted subscriber sent (empty until then, or when none). */
    Map<String, String> remoteContext() {
        return remoteContext;
    }

    /** {@link PublisherCore#upstreamReady}. */
    void ready() {
        ready = true;
        Thread c = ring.conductor();
        if (c == Thread.currentThread() && !startAtAdmission) {
            request();
        } else if (c != null) {
            LockSupport.unpark(c);
        }
    }

    /**
     * Passes on what the subscribers allow beyond what was requested upstream; conductor thread only. Returns
     * whether it requested anything.
     */
    boolean request() {
        long allowed = allowedNow();
        if (allowed <= requested) {
            return false;
        }
        long delta = allowed == Long.MAX_VALUE ? Long.MAX_VALUE : allowed - requested;
        requested = allowed;
        upstream.request(delta); // may run onNext on this thread, synchronously
        ring.waker.settle(); // the end of a synchronous burst: the full wake check its records owe
        return true;
    }

    /** Min over the admitted subscribers of {@code base + requested}, each validated (it may only grow). */
    private long allowedNow() {
        long min = Long.MAX_VALUE;
        for (SubscriberLink link : ring.links()) {
            min = Math.min(min, link.allowedValidated());
        }
        return min;
    }

    /**
     * §2.7: request and cancel must be serial, and the conductor may be calling request right now; so a
     * writer on another thread leaves the cancel to the conductor, which it wakes.
     */
    void cancelFromWriter() {
        if (ring.onConductor()) {
            cancel();
        } else {
            cancelFromConductor = true; // volatile, stored before fail() publishes the ERRORED state
        }
    }

    /** The conductor does the cancel a writer left to it, if any. */
    void cancelIfLeftToConductor() {
        if (cancelFromConductor) {
            cancel();
        }
    }

    /** Cancels the upstream once; the conductor, or the writer on the conductor's thread. */
    void cancel() {
        if (!cancelled) {
            cancelled = true; // the conductor, or the writer on the conductor's thread: one thread at a time
            upstream.cancel();
        }
    }
}
