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
    final ByteBuffer ring = StressSections.ringHeaderWords();
    final ByteBuffer subscriber = StressSections.subscriberWords();
    final ShmSequence cursor = new ShmSequence(ring, RingDescriptor.CURSOR_OFFSET);
    final ParkingSpot spot = new ParkingSpot(subscriber, SubscriberDescriptor.PARKED_OFFSET, ring,
        RingDescriptor.WAKE_OFFSET, true);
    final Waker waker = new Waker(ring, RingDescriptor.WAKE_OFFSET, SubscriberDescriptor.PARKED_OFFSET);

    public ParkWakeSingleWaiterStress() {
        // Plain: nothing published yet, as RingHeader.initialise leaves it; jcstress hands the state to the actors.
        ring.putLong(RingDescriptor.CURSOR_OFFSET, -1L);
        waker.addPeer(subscriber);
    }

    /** FutexWaitStrategy's steps before it sleeps: read the wake value, announce, re-check the cursor. */
    @Actor
    public void waiter(II_Result r) {
        // Acquire load of the ring's wake word: the value the waiter would sleep on.
        int wake = spot.wakeValue();
        // Volatile store of parked = wake | BIT (StoreLoad): the re-check below cannot pass it.
        spot.announce(wake);
        // Acquire load of the cursor: the re-check; it sees the waker's store or the waker sees the announcement.
        r.r1 = cursor.get() >= 0 ? 1 : 0;
    }

    /** RingSequencer.publish and RingWriter: store the cursor, then wake a parked subscriber. */
    @Actor
    public void waker() {
        // Release store of the cursor: the record before it is visible to a reader that acquires it.
        cursor.set(0L);
        // Full fence (StoreLoad), then acquire load of the subscriber's parked word; wakes if it names the wake value.
        waker.wakeIfParked();
    }

    @Arbiter
    public void woke(II_Result r) {
        // Volatile load, though a plain one would do: jcstress runs the arbiter after both actors and it sees their stores.
        r.r2 = (int) ShmSequence.INT.getVolatile(ring, RingDescriptor.WAKE_OFFSET);
    }
}
