package io.aperture.stress;

import io.aperture.internal.waiting.ParkingSpot;
import io.aperture.internal.waiting.Waker;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.Description;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.II_Result;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

/**
 * Park/wake in single-waiter mode, as the subscriber's drain thread waits for the ring cursor: the real
 * {@link ParkingSpot} (announces {@code parked = wake | BIT} in the subscriber section) against the real
 * {@link Waker} of the publisher (stores the cursor, then {@link Waker#wakeIfParked()}). The waiter stops
 * before its futex wait; whether the waker woke is read from its wake word, which a wake bumps.
 * r1: the waiter's re-check saw the cursor; r2: the waker woke (wake word bumped).
 */
@JCStressTest
@Description("Single-waiter park/wake (Dekker): the waiter's re-check or the waker's parked load sees the other's store")
@Outcome(id = "1, 1", expect = ACCEPTABLE, desc = "both saw the other: the waiter does not sleep, a spare wake")
@Outcome(id = "1, 0", expect = ACCEPTABLE, desc = "the waiter saw the cursor and does not sleep; no wake needed")
@Outcome(id = "0, 1", expect = ACCEPTABLE, desc = "the waiter goes to sleep and the waker wakes it")
@Outcome(id = "0, 0", expect = FORBIDDEN, desc = "lost wake-up: the waiter sleeps and nobody wakes it")
@State
public class ParkWakeSingleWaiterStress {
    final ParkWakePair pair = ParkWakePair.subscriberWaitsForCursor();

    /** FutexWaitStrategy's steps before it sleeps (ParkWakePair): read the wake value, announce, re-check. */
    @Actor
    public void waiter(II_Result r) {
        r.r1 = pair.waiterRechecks();
    }

    /** RingSequencer.publish and RingWriter: store the cursor, then wake a parked subscriber. */
    @Actor
    public void waker() {
        // Release store of the cursor: the record before it is visible to a reader that acquires it.
        pair.store();
        // Full fence (StoreLoad), then acquire load of the subscriber's parked word; wakes if it names the wake value.
        pair.waker.wakeIfParked();
    }

    @Arbiter
    public void woke(II_Result r) {
        r.r2 = pair.woke();
    }
}
