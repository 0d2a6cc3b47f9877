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
 * Park/wake in counted mode, as the publisher's conductor waits for demand: the real {@link ParkingSpot}
 * (announces {@code demand parked += 1} in the ring section) against the real {@link Waker} of the subscriber
 * (stores {@code requested}, then {@link Waker#wakeIfParked()}). The waiter stops before its futex wait;
 * whether the waker woke is read from its wake word, which a wake bumps.
 * r1: the waiter's re-check saw the demand; r2: the waker woke (wake word bumped).
 */
@JCStressTest
@Description("Counted park/wake (Dekker): the waiter's re-check or the waker's parked load sees the other's store")
@Outcome(id = "1, 1", expect = ACCEPTABLE, desc = "both saw the other: the waiter does not sleep, a spare wake")
@Outcome(id = "1, 0", expect = ACCEPTABLE, desc = "the waiter saw the demand and does not sleep; no wake needed")
@Outcome(id = "0, 1", expect = ACCEPTABLE, desc = "the waiter goes to sleep and the waker wakes it")
@Outcome(id = "0, 0", expect = FORBIDDEN, desc = "lost wake-up: the waiter sleeps and nobody wakes it")
@State
public class ParkWakeCountedStress {
    final ParkWakePair pair = ParkWakePair.conductorWaitsForDemand();

    /** FutexWaitStrategy's steps before it sleeps (ParkWakePair): read the wake value, announce, re-check the demand. */
    @Actor
    public void waiter(II_Result r) {
        r.r1 = pair.waiterRechecks();
    }

    /** SubscriberDemand.advertise: store the new demand, then wake a parked publisher. */
    @Actor
    public void waker() {
        // Release store of requested: what the subscriber consumed before is visible with it.
        pair.store();
        // Full fence (StoreLoad), then acquire load of the ring's parked count; wakes if it is not zero.
        pair.waker.wakeIfParked();
    }

    @Arbiter
    public void woke(II_Result r) {
        r.r2 = pair.woke();
    }
}
