package io.aperture.stress;

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
 * {@link ParkWakeCountedStress} for the subscriber's drain loop, a burst writer: the publisher's writer waits
 * (counted) for space, the subscriber stores {@code consumed}, checks with {@link Waker#wakeIfSeenParked()}
 * (no fence), and settles before it would wait ({@link Waker#settle()}). With the settle no wake-up is lost.
 * r1: the waiter's re-check saw the consumed slots; r2: the waker woke (wake word bumped).
 */
@JCStressTest
@Description("Drain loop as a burst writer: cheap wake check per poll, then the settling full check: no lost wake-up")
@Outcome(id = "1, 1", expect = ACCEPTABLE, desc = "both saw the other: the waiter does not sleep, a spare wake")
@Outcome(id = "1, 0", expect = ACCEPTABLE, desc = "the waiter saw the consumed slots and does not sleep; no wake needed")
@Outcome(id = "0, 1", expect = ACCEPTABLE, desc = "the waiter goes to sleep and the waker wakes it")
@Outcome(id = "0, 0", expect = FORBIDDEN, desc = "lost wake-up: the waiter sleeps and nobody wakes it")
@State
public class ParkWakeCountedSettledStress {
    final ParkWakePair pair = ParkWakePair.writerWaitsForSpace();

    /** FutexWaitStrategy's steps before it sleeps (ParkWakePair): read the wake value, announce, re-check the space. */
    @Actor
    public void waiter(II_Result r) {
        r.r1 = pair.waiterRechecks();
    }

    /** SubscriberDrain's loop: store consumed (a poll), the cheap check, then the settle before its wait. */
    @Actor
    public void waker() {
        // Release store of consumed: the slots read before it may be overwritten once the publisher sees it.
        pair.store();
        // Opaque load of the ring's parked count, no fence: may be done before the consumed store is visible.
        pair.waker.wakeIfSeenParked();
        // Full fence (StoreLoad), then acquire load of the parked count, if the cheap check saw no announcement.
        pair.waker.settle();
    }

    @Arbiter
    public void woke(II_Result r) {
        r.r2 = pair.woke();
    }
}
