package io.aperture.stress;

import io.aperture.internal.section.RingDescriptor;
import io.aperture.internal.section.ShmSequence;
import io.aperture.internal.section.SubscriberDescriptor;
import io.aperture.internal.waiting.ParkingSpot;
import io.aperture.internal.waiting.Waker;

import java.nio.ByteBuffer;

/**
 * The two sides of one park/wake direction over fresh stand-in sections, shared by the park/wake jcstress
 * tests, which vary only the waker's steps: the real {@link ParkingSpot} of the waiting side and the real
 * {@link Waker} of the storing side, the waiter's section added as the waker's peer. The waiter stops before
 * its futex wait; whether the waker woke is read from its wake word, which a wake bumps.
 */
final class ParkWakePair {
    final ByteBuffer ring = StressSections.ringHeaderWords();
    final ByteBuffer subscriber = StressSections.subscriberWords();
    /** The counter the waker stores and the waiter re-checks. */
    final ShmSequence counter;
    final ParkingSpot spot;
    final Waker waker;
    private final ByteBuffer wakerSection;
    private final int wakeOffset;
    /** The value the waker stores; the counter starts below it. */
    private final long stored;

    private ParkWakePair(boolean subscriberWaits, int counterOffset, int parkedOffset, long initial, long stored) {
        ByteBuffer waiterSection = subscriberWaits ? subscriber : ring;
        wakerSection = subscriberWaits ? ring : subscriber;
        wakeOffset = subscriberWaits ? RingDescriptor.WAKE_OFFSET : SubscriberDescriptor.WAKE_OFFSET;
        counter = new ShmSequence(wakerSection, counterOffset);
        // Plain: the counter's start, as the sections are initialised; jcstress hands the state to the actors.
        wakerSection.putLong(counterOffset, initial);
        this.stored = stored;
        // A subscriber's drain thread is its section's single waiter; the publisher's conductor and writer are counted.
        spot = new ParkingSpot(waiterSection, parkedOffset, wakerSection, wakeOffset, subscriberWaits);
        waker = new Waker(wakerSection, wakeOffset, parkedOffset);
        waker.addPeer(waiterSection);
    }

    /** The subscriber's drain thread (single waiter) waits for the ring cursor; the publisher stores it. */
    static ParkWakePair subscriberWaitsForCursor() {
        return new ParkWakePair(true, RingDescriptor.CURSOR_OFFSET, SubscriberDescriptor.PARKED_OFFSET, -1L, 0L);
    }

    /**
     * The publisher's conductor (counted, in the ring's {@code demand parked} word) waits for the subscriber's
     * {@code requested}; the subscriber stores it and checks that word, as {@code SubscriberCore}'s demand waker does.
     */
    static ParkWakePair conductorWaitsForDemand() {
        return new ParkWakePair(false, SubscriberDescriptor.REQUESTED_OFFSET, RingDescriptor.DEMAND_PARKED_OFFSET, 0L, 1L);
    }

    /**
     * The publisher's writer (counted, in the ring's {@code parked} word) waits for the subscriber's {@code consumed};
     * the subscriber stores it and checks that word.
     */
    static ParkWakePair writerWaitsForSpace() {
        return new ParkWakePair(false, SubscriberDescriptor.CONSUMED_OFFSET, RingDescriptor.PARKED_OFFSET, 0L, 1L);
    }

    /** FutexWaitStrategy's steps before it sleeps: read the wake value, announce, re-check. 1: the store was seen. */
    int waiterRechecks() {
        // Acquire load of the waker's wake word: the value the waiter would sleep on.
        int wake = spot.wakeValue();
        // Volatile store of parked = wake | BIT, or atomic add of 1 (StoreLoad either way): the re-check cannot pass it.
        spot.announce(wake);
        // Acquire load of the counter: the re-check; it sees the waker's store or the waker sees the announcement.
        return counter.get() >= stored ? 1 : 0;
    }

    /** The waker's store of the counter, before its wake check. */
    void store() {
        // Release store: what the waker wrote before (a record, consumed slots) is visible with it.
        counter.set(stored);
    }

    /** The wake word, read after both actors: non-zero when the waker woke. */
    int woke() {
        // Volatile load, though a plain one would do: jcstress runs the arbiter after both actors and it sees their stores.
        return (int) ShmSequence.INT.getVolatile(wakerSection, wakeOffset);
    }
}
