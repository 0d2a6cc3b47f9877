package io.aperture.internal.ring;

import io.aperture.internal.section.OwnSubscriberSection;
import io.aperture.internal.waiting.ParkingSpot;
import io.aperture.internal.waiting.Waker;

import java.util.concurrent.atomic.AtomicLongFieldUpdater;
import java.util.concurrent.locks.LockSupport;

/**
 * A subscriber's demand: what its downstream requested and whether it cancelled, from any thread (§3.9: a
 * non-positive request is kept to end the stream; demand adds up to {@code Long.MAX_VALUE}), and the replenishing
 * window that the drain thread advertises in its section's shared {@code requested}: at most
 * {@code min(downstream requested, delivered + window)}, raised once at most three quarters of the window are
 * outstanding ({@code advertised - delivered <= window - window / 4}).
 */
final class SubscriberDemand {
    private static final AtomicLongFieldUpdater<SubscriberDemand> REQUESTED =
        AtomicLongFieldUpdater.newUpdater(SubscriberDemand.class, "requested");

    private final Thread drain;
    /** The demand window; Long.MAX_VALUE for a {@link io.aperture.RingDrain}, whose unbounded demand crosses at once. */
    private final long window;
    private final long replenish;
    private volatile long requested;
    private volatile boolean cancelled;
    /** True while the drain thread sleeps for lack of demand: request() must then wake it. */
    private volatile boolean idle;
    /** The first non-positive request amount (§3.9); valid once {@link #badRequested} is true. */
    private long badRequest;
    private volatile boolean badRequested;
    /** The drain thread's parking spot, once attached: a request or a cancel wakes it there. */
    private volatile ParkingSpot spot;
    // drain thread only, once attached
    private OwnSubscriberSection own;
    /** Wakes a publisher conductor waiting for demand after {@code requested}. */
    private Waker demandWaker;
    private long advertised;

    SubscriberDemand(Thread drain, long window) {
        this.drain = drain;
        this.window = window;
        this.replenish = Math.max(1, window / 4);
    }

    /** The drain thread attached: its own section, the waker of a conductor waiting for demand, the spot it sleeps on. */
    void attached(OwnSubscriberSection section, Waker conductorWaker, ParkingSpot parkingSpot) {
        own = section;
        demandWaker = conductorWaker;
        spot = parkingSpot;
    }

    /** {@link SubscriberCore#request}. */
    void request(long n) {
        if (n <= 0) {
            if (!badRequested) {
                badRequest = n;
                badRequested = true; // volatile store publishes badRequest to the drain thread
            }
        } else {
            long current;
            long next;
            do {
                current = requested;
                next = current + n < 0 ? Long.MAX_VALUE : current + n; // capped: unbounded once it overflows
            } while (current != Long.MAX_VALUE && !REQUESTED.compareAndSet(this, current, next));
        }
        LockSupport.unpark(drain);
        wakeIfIdle();
    }

    /** Wakes the drain thread if it sleeps on the ring's futex for lack of demand (no system call otherwise). */
    private void wakeIfIdle() {
        ParkingSpot s = spot;
        if (idle && s != null) {
            s.wakeSleepers();
        }
    }

    /** Cancels, and wakes the drain thread wherever it waits. */
    void cancel() {
        cancelled = true;
        LockSupport.unpark(drain);
        ParkingSpot s = spot;
        if (s != null) {
            s.wakeSleepers(); // the drain thread may sleep on the ring's futex, which unpark does not end
        }
    }

    /** What the downstream requested so far (capped at {@code Long.MAX_VALUE}). */
    long requested() {
        return requested;
    }

    boolean cancelled() {
        return cancelled;
    }

    /** A non-positive amount was requested (§3.9): the stream ends with {@link IllegalArgumentException}. */
    boolean badRequested() {
        return badRequested;
    }

    /** The first non-positive amount requested; read after {@link #badRequested}. */
    long badRequest() {
        return badRequest;
    }

    /** Cancelled, or a non-positive amount requested: the drain thread stops. */
    boolean stopped() {
        return cancelled || badRequested;
    }

    /** The drain thread sleeps for lack of demand ({@code true}), or woke ({@code false}). */
    void idle(boolean sleeping) {
        idle = sleeping; // volatile: request() reads it after its own volatile RMW of the demand (Dekker, in-process)
    }

    /** The demand advertised in the shared {@code requested}. */
    long advertised() {
        return advertised;
    }

    /** Whether at most three quarters of the window are outstanding after {@code delivered}: time to top it up. */
    boolean replenishDue(long delivered) {
        return advertised - delivered <= window - replenish;
    }

    /**
     * Raises the shared {@code requested} to {@code min(demanded, delivered + window)} once at least a
     * quarter of the window was delivered since the last raise (or nothing is outstanding).
     */
    void advertise(long demanded, long delivered) {
        long limit = delivered + window < 0 ? Long.MAX_VALUE : delivered + window;
        long target = Math.min(demanded, limit);
        if (target > advertised && advertised - delivered <= window - replenish) {
            advertised = target;
            // Release: the publisher reads the new demand with acquire; it orders after our consumed stores.
            own.requested().set(target);
            demandWaker.wakeIfParked();
        }
    }
}
