package io.aperture;

import java.nio.ByteBuffer;
import java.util.concurrent.locks.LockSupport;

/**
 * The waiting half of the park/wake protocol between two sections. A waiter announces itself in its
 * own section's {@code parked} count, re-checks its condition, then sleeps on the peer's 32-bit
 * {@code wake} word (futex on Linux, timed parking elsewhere). The peer's {@link Waker} bumps that
 * word and wakes it only when it sees the announcement: no system call per message.
 *
 * <pre>
 *   waiter (this)                         waker (peer)
 *   w = wake (acquire)                    store the counter the waiter needs (release)
 *   announce: parked = w | PARKED_BIT     full fence
 *     (or parked += 1 with many waiters)  p = parked (after the fence)
 *   re-check condition; done? -> leave    p names the current wake value (or p != 0 for a count)?
 *   futex_wait(wake, w, timeout)            wake += 1; futex_wake(wake)
 *   parked = 0 (or -= 1)
 * </pre>
 * With one waiting thread, the waiter names the wake value it sleeps on, so the waker pays one system
 * call per sleep, not one per store while the sleeper is being scheduled.
 * Either the waker sees {@code parked != 0} and wakes, or the waiter's re-check (after its RMW) sees the
 * new counter: a wake-up cannot be lost. Every sleep has a timeout, so close, cancel and death are
 * noticed even if a wake goes astray.
 */
final class ParkingSpot {
    private final ByteBuffer ownSection;
    private final int parkedOffset;
    private final ByteBuffer peerSection;
    private final int peerWakeOffset;
    private final long peerWakeAddress;
    private final ByteBuffer timespec;
    private final long timespecAddress;
    private final boolean singleWaiter;

    /**
     * @param singleWaiter true when one thread only ever waits on this section (a subscriber's drain thread):
     *                     it then announces the wake value it sleeps on, so the waker wakes it once per sleep;
     *                     false: the parked word counts waiting threads (the publisher's conductor and writer)
     */
    ParkingSpot(ByteBuffer ownSection, int parkedOffset, ByteBuffer peerSection, int peerWakeOffset,
                boolean singleWaiter) {
        this.singleWaiter = singleWaiter;
        this.ownSection = ownSection;
        this.parkedOffset = parkedOffset;
        this.peerSection = peerSection;
        this.peerWakeOffset = peerWakeOffset;
        if (Futex.AVAILABLE) {
            this.peerWakeAddress = Futex.address(peerSection, peerWakeOffset);
            this.timespec = Futex.newTimespec();
            this.timespecAddress = Futex.address(timespec, 0);
        } else {
            this.peerWakeAddress = 0;
            this.timespec = null;
            this.timespecAddress = 0;
        }
    }

    /** The peer's wake word; read before announcing, passed to {@link #sleep}. */
    int wakeValue() {
        // Acquire: a value read here and still current at futex_wait time means no wake happened since.
        return (int) ShmSequence.INT.getAcquire(peerSection, peerWakeOffset);
    }

    /** Announces that this thread is about to sleep on wake value {@code wake}. */
    void announce(int wake) {
        if (singleWaiter) {
            // Volatile store (StoreLoad): the condition re-check that follows cannot be reordered before it.
            ShmSequence.INT.setVolatile(ownSection, parkedOffset, Waker.parkedOn(wake));
        } else {
            // Volatile RMW (full fence): the condition re-check that follows cannot be reordered before it.
            ShmSequence.INT.getAndAdd(ownSection, parkedOffset, 1);
        }
    }

    void withdraw() {
        if (singleWaiter) {
            // Release: only this thread writes the word; the waker needs no ordering beyond it.
            ShmSequence.INT.setRelease(ownSection, parkedOffset, 0);
        } else {
            // Volatile RMW: the count is shared by every waiting thread of this process on this section.
            ShmSequence.INT.getAndAdd(ownSection, parkedOffset, -1);
        }
    }

    /** Sleeps while the peer's wake word is {@code expected}, at most {@code timeoutNs}. */
    void sleep(int expected, long timeoutNs) {
        if (timeoutNs <= 0) {
            return;
        }
        if (Futex.AVAILABLE) {
            Futex.await(peerWakeAddress, expected, timeoutNs, timespec, timespecAddress);
        } else {
            LockSupport.parkNanos(this, Math.min(timeoutNs, BackoffWaitStrategy.DEFAULT_MAX_PARK_NS));
        }
    }

    /** Wakes every thread of any process sleeping on the peer's word (used for local close and cancel). */
    void wakeSleepers() {
        if (Futex.AVAILABLE) {
            Futex.wakeAll(peerWakeAddress);
        }
    }
}
