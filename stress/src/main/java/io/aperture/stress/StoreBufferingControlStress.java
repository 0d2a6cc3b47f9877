package io.aperture.stress;

import io.aperture.internal.section.RingDescriptor;
import io.aperture.internal.section.ShmSequence;
import io.aperture.internal.section.SubscriberDescriptor;
import io.aperture.internal.waiting.Waker;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Description;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.II_Result;

import java.nio.ByteBuffer;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE_INTERESTING;

/**
 * Control for the park/wake tests: their shape over the same words, with the announcement a release store
 * instead of a volatile one and no fence before the waker's load. Release then acquire does not order a
 * store before a later load (StoreLoad), so both loads may miss: a lost wake-up. Seeing "0, 0" here shows
 * that the harness observes store buffering on this machine, so the park/wake tests could fail.
 * r1: the waiter's re-check saw the cursor; r2: the waker saw the announcement.
 */
@JCStressTest
@Description("Park/wake without the StoreLoad barriers: both loads missing the other's store is seen")
@Outcome(id = "1, 1", expect = ACCEPTABLE, desc = "both saw the other")
@Outcome(id = "1, 0", expect = ACCEPTABLE, desc = "the waiter saw the cursor")
@Outcome(id = "0, 1", expect = ACCEPTABLE, desc = "the waker saw the announcement")
@Outcome(id = "0, 0", expect = ACCEPTABLE_INTERESTING,
    desc = "store buffering: each load passed the other thread's store (a lost wake-up, were this production)")
@State
public class StoreBufferingControlStress {
    final ByteBuffer ring = StressSections.ringHeaderWords();
    final ByteBuffer subscriber = StressSections.subscriberWords();

    public StoreBufferingControlStress() {
        // Plain: nothing published yet; jcstress hands the state to the actors.
        ring.putLong(RingDescriptor.CURSOR_OFFSET, -1L);
    }

    @Actor
    public void waiter(II_Result r) {
        // Release store, deliberately too weak: a later load may pass it (ParkingSpot uses a volatile store).
        ShmSequence.INT.setRelease(subscriber, SubscriberDescriptor.PARKED_OFFSET, Waker.parkedOn(0));
        // Acquire load: orders only what follows it, not the store above.
        r.r1 = (long) ShmSequence.LONG.getAcquire(ring, RingDescriptor.CURSOR_OFFSET) >= 0 ? 1 : 0;
    }

    @Actor
    public void waker(II_Result r) {
        // Release store of the cursor, as ShmSequence.set.
        ShmSequence.LONG.setRelease(ring, RingDescriptor.CURSOR_OFFSET, 0L);
        // Acquire load with no full fence before it (Waker.wakeIfParked fences first): it may pass the store.
        r.r2 = (int) ShmSequence.INT.getAcquire(subscriber, SubscriberDescriptor.PARKED_OFFSET) != 0 ? 1 : 0;
    }
}
