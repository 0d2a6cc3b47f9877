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
 * Park/wake in single-waiter mode with the asymmetric fence, as the subscriber's drain thread waits for the ring
 * cursor when the kernel offers {@code membarrier(GLOBAL_EXPEDITED)}: the real {@link ParkingSpot} announces
 * {@code parked = wake | BIT} then issues the heavy barrier ({@link Membarrier}), and the real {@link Waker} of the
 * publisher stores the cursor, then {@link Waker#wakeIfParked()} with only a compiler barrier before its load.
 * Where membarrier is unavailable both fall back to the fenced protocol ({@link ParkWakeSingleWaiterStress}).
 * r1: the waiter's re-check saw the cursor; r2: the waker woke (wake word bumped).
 */
@JCStressTest
@Description("Single-waiter park/wake with membarrier on the waiter and no fence on the waker (asymmetric Dekker)")
@Outcome(id = "1, 1", expect = ACCEPTABLE, desc = "both saw the other: the waiter does not sleep, a spare wake")
@Outcome(id = "1, 0", expect = ACCEPTABLE, desc = "the waiter saw the cursor and does not sleep; no wake needed")
@Outcome(id = "0, 1", expect = ACCEPTABLE, desc = "the waiter goes to sleep and the waker wakes it")
@Outcome(id = "0, 0", expect = FORBIDDEN, desc = "lost wake-up: the waiter sleeps and nobody wakes it")
@State
public class ParkWakeAsymmetricStress {
    final ByteBuffer ring = StressSections.ringHeaderWords();
    final ByteBuffer subscriber = StressSections.subscriberWords();
    final ShmSequence cursor = new ShmSequence(ring, RingDescriptor.CURSOR_OFFSET);
    final ParkingSpot spot = new ParkingSpot(subscriber, SubscriberDescriptor.PARKED_OFFSET, ring,
        RingDescriptor.WAKE_OFFSET, true, true);
    final Waker waker = new Waker(ring, RingDescriptor.WAKE_OFFSET, SubscriberDescriptor.PARKED_OFFSET);

    public ParkWakeAsymmetricStress() {
        // Plain: nothing published yet, as RingHeader.initialise leaves it; jcstress hands the state to the actors.
        ring.putLong(RingDescriptor.CURSOR_OFFSET, -1L);
        waker.addPeer(subscriber, true);
    }

    /** FutexWaitStrategy's steps before it sleeps: read the wake value, announce, re-check the cursor. */
    @Actor
    public void waiter(II_Result r) {
        // Acquire load of the ring's wake word: the value the waiter would sleep on.
        int wake = spot.wakeValue();
        // Volatile store of parked = wake | BIT, then membarrier: every thread of this (registered) process
        // executes a full barrier before it returns, so the waker's load is after its store if it can matter.
        spot.announce(wake);
        // Acquire load of the cursor: the re-check; it sees the waker's store or the waker sees the announcement.
        r.r1 = cursor.get() >= 0 ? 1 : 0;
    }

    /** RingSequencer.publish and RingWriter: store the cursor, then wake a parked subscriber. */
    @Actor
    public void waker() {
        // Release store of the cursor: the record before it is visible to a reader that acquires it.
        cursor.set(0L);
        // Compiler barrier only (the waiter's membarrier supplies StoreLoad), then acquire load of the parked word.
        waker.wakeIfParked();
    }

    @Arbiter
    public void woke(II_Result r) {
        // Volatile load, though a plain one would do: jcstress runs the arbiter after both actors and it sees their stores.
        r.r2 = (int) ShmSequence.INT.getVolatile(ring, RingDescriptor.WAKE_OFFSET);
    }
}
