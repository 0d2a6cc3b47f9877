package io.aperture;

import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.Description;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.II_Result;

import java.nio.ByteBuffer;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

/**
 * Park/wake in counted mode, as the publisher's conductor waits for demand: the real {@link ParkingSpot}
 * (announces {@code parked += 1} in the ring section) against the real {@link Waker} of the subscriber
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
    final ByteBuffer ring = StressSections.ringHeaderWords();
    final ByteBuffer subscriber = StressSections.subscriberWords();
    final ShmSequence requested = new ShmSequence(subscriber, SubscriberDescriptor.REQUESTED_OFFSET);
    final ParkingSpot spot = new ParkingSpot(ring, RingDescriptor.PARKED_OFFSET, subscriber,
        SubscriberDescriptor.WAKE_OFFSET, false);
    final Waker waker = new Waker(subscriber, SubscriberDescriptor.WAKE_OFFSET, RingDescriptor.PARKED_OFFSET);

    public ParkWakeCountedStress() {
        waker.addPeer(ring);
    }

    /** FutexWaitStrategy's steps before it sleeps: read the wake value, announce, re-check the demand. */
    @Actor
    public void waiter(II_Result r) {
        // Acquire load of the subscriber's wake word: the value the waiter would sleep on.
        int wake = spot.wakeValue();
        // Atomic add of 1 to parked (a full fence): the re-check below cannot pass it.
        spot.announce(wake);
        // Acquire load of requested: the re-check; it sees the waker's store or the waker sees the announcement.
        r.r1 = (int) requested.get();
    }

    /** SubscriberSession's request: store the new demand, then wake a parked publisher. */
    @Actor
    public void waker() {
        // Release store of requested: what the subscriber consumed before is visible with it.
        requested.set(1L);
        // Full fence (StoreLoad), then acquire load of the ring's parked count; wakes if it is not zero.
        waker.wakeIfParked();
    }

    @Arbiter
    public void woke(II_Result r) {
        // Volatile load, though a plain one would do: jcstress runs the arbiter after both actors and it sees their stores.
        r.r2 = (int) ShmSequence.INT.getVolatile(subscriber, SubscriberDescriptor.WAKE_OFFSET);
    }
}
