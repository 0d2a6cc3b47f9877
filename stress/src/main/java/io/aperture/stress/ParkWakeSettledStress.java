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
 * {@link ParkWakeSingleWaiterStress} for a burst writer (the conductor running a synchronous upstream): the
 * waker stores the cursor, checks with {@link Waker#wakeIfSeenParked()} (no fence), and settles before it
 * would wait ({@link Waker#settle()}, the full check the cheap one owes). The cheap check alone can miss the
 * announcement ({@link StoreBufferingControlStress} shows that store-then-load race on this machine); with the
 * settle no wake-up is lost. r1: the waiter's re-check saw the cursor; r2: the waker woke (wake word bumped).
 */
@JCStressTest
@Description("Burst writer: cheap wake check per record, then the settling full check: no lost wake-up")
@Outcome(id = "1, 1", expect = ACCEPTABLE, desc = "both saw the other: the waiter does not sleep, a spare wake")
@Outcome(id = "1, 0", expect = ACCEPTABLE, desc = "the waiter saw the cursor and does not sleep; no wake needed")
@Outcome(id = "0, 1", expect = ACCEPTABLE, desc = "the waiter goes to sleep and the waker wakes it")
@Outcome(id = "0, 0", expect = FORBIDDEN, desc = "lost wake-up: the waiter sleeps and nobody wakes it")
@State
public class ParkWakeSettledStress {
    final ParkWakePair pair = ParkWakePair.subscriberWaitsForCursor();

    /** FutexWaitStrategy's steps before it sleeps (ParkWakePair): read the wake value, announce, re-check. */
    @Actor
    public void waiter(II_Result r) {
        r.r1 = pair.waiterRechecks();
    }

    /** RingWriter on the burst thread: store the cursor, the cheap check, then the settle at the burst's end. */
    @Actor
    public void waker() {
        // Release store of the cursor: the record before it is visible to a reader that acquires it.
        pair.store();
        // Opaque load of the parked word, no fence: may be done before the cursor store is visible.
        pair.waker.wakeIfSeenParked();
        // Full fence (StoreLoad), then acquire load of the parked word, if the cheap check saw no announcement.
        pair.waker.settle();
    }

    @Arbiter
    public void woke(II_Result r) {
        r.r2 = pair.woke();
    }
}
