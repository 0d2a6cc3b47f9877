package io.aperture;

import java.nio.ByteBuffer;

/**
 * The two sides of single-waiter park/wake over fresh stand-in sections, shared by the tests that vary only
 * the waker ({@link ParkWakeSingleWaiterStress}, {@link ParkWakeSettledStress}): the real {@link ParkingSpot}
 * of a subscriber's drain thread (announces {@code parked = wake | BIT} in the subscriber section) and the real
 * {@link Waker} of the publisher, the subscriber added as its peer. The waiter stops before its futex wait.
 */
final class SingleWaiterPair {
    final ByteBuffer ring = StressSections.ringHeaderWords();
    final ByteBuffer subscriber = StressSections.subscriberWords();
    final ShmSequence cursor = new ShmSequence(ring, RingDescriptor.CURSOR_OFFSET);
    final ParkingSpot spot = new ParkingSpot(subscriber, SubscriberDescriptor.PARKED_OFFSET, ring,
        RingDescriptor.WAKE_OFFSET, true);
    final Waker waker = new Waker(ring, RingDescriptor.WAKE_OFFSET, SubscriberDescriptor.PARKED_OFFSET);

    SingleWaiterPair() {
        // Plain: nothing published yet, as RingHeader.initialise leaves it; jcstress hands the state to the actors.
        ring.putLong(RingDescriptor.CURSOR_OFFSET, -1L);
        waker.addPeer(subscriber);
    }

    /** FutexWaitStrategy's steps before it sleeps: read the wake value, announce, re-check. 1: the cursor was seen. */
    int waiterRechecks() {
        // Acquire load of the ring's wake word: the value the waiter would sleep on.
        int wake = spot.wakeValue();
        // Volatile store of parked = wake | BIT (StoreLoad): the re-check below cannot pass it.
        spot.announce(wake);
        // Acquire load of the cursor: the re-check; it sees the waker's store or the waker sees the announcement.
        return cursor.get() >= 0 ? 1 : 0;
    }

    /** The wake word, read after both actors: non-zero when the waker woke (a wake bumps it). */
    int woke() {
        // Volatile load, though a plain one would do: jcstress runs the arbiter after both actors and it sees their stores.
        return (int) ShmSequence.INT.getVolatile(ring, RingDescriptor.WAKE_OFFSET);
    }
}
