package io.aperture.internal.waiting;

import com.lmax.disruptor.Sequence;
import io.aperture.internal.section.SectionFaults;
import io.aperture.internal.section.ShmSequence;

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
 *
 * <p>A publisher waits on several subscribers at once (for space: the minimum of their {@code consumed};
 * for demand: the minimum of what they allow). A futex sleeps on one word, so the spot sleeps on the word
 * of a peer whose progress still blocks the wait, the only kind of peer whose next store can end it, and
 * re-checks after announcing that the peer still blocks (if it moved meanwhile, the waiter looks again
 * instead of sleeping on a peer that no longer matters). Each peer's waker sees the shared announcement.
 * Either the waker sees {@code parked != 0} and wakes, or the waiter's re-check (after its RMW) sees the
 * new counter: a wake-up cannot be lost. Every sleep has a timeout, so close, cancel and death are
 * noticed even if a wake goes astray.
 */
public final class ParkingSpot {
    /** Which progress of a peer ends a wait on this spot. */
    @FunctionalInterface
    public interface Progress {
        /** The peer's progress that must reach a waited-for sequence, or null when it has none. */
        Sequence of(PeerSet.Peer<?> peer);
    }

    private final ByteBuffer ownSection;
    private final int parkedOffset;
    private final int peerWakeOffset;
    private final ByteBuffer timespec;
    private final long timespecAddress;
    private final boolean singleWaiter;
    private final PeerSet<?> peers;
    private final Progress progress;
    /** The peer chosen by the last {@link #wakeValue(long)}; the waiting thread's own. */
    private PeerSet.Peer<?> target;
    /** No peer's progress blocked the last wait: it waits for a stop condition only, asleep on the first peer. */
    private boolean targetIsFallback;

    /**
     * A spot with one peer, whose wake word is at {@code peerWakeOffset} of {@code peerSection}.
     *
     * @param singleWaiter true when one thread only ever waits on this section (a subscriber's drain thread):
     *                     it then announces the wake value it sleeps on, so the waker wakes it once per sleep;
     *                     false: the parked word counts waiting threads (the publisher's conductor and writer)
     */
    public ParkingSpot(ByteBuffer ownSection, int parkedOffset, ByteBuffer peerSection, int peerWakeOffset,
                boolean singleWaiter) {
        this(ownSection, parkedOffset, singleWaiter, single(peerSection, peerWakeOffset), peer -> null);
    }

    /**
     * A spot that sleeps on the peers of {@code peers} (their wake words at the set's wake offset), choosing one whose
     * {@code progress} still blocks the wait.
     */
    public ParkingSpot(ByteBuffer ownSection, int parkedOffset, boolean singleWaiter, PeerSet<?> peers,
                       Progress progress) {
        this.singleWaiter = singleWaiter;
        this.ownSection = ownSection;
        this.parkedOffset = parkedOffset;
        this.peerWakeOffset = peers.peerWakeOffset();
        this.peers = peers;
        this.progress = progress;
        if (Futex.AVAILABLE) {
            this.timespec = Futex.newTimespec();
            this.timespecAddress = Futex.address(timespec, 0);
        } else {
            this.timespec = null;
            this.timespecAddress = 0;
        }
    }

    private static PeerSet<Void> single(ByteBuffer peerSection, int peerWakeOffset) {
        PeerSet<Void> set = PeerSet.ofSections(peerWakeOffset, -1);
        set.add(null, peerSection, true, null, null);
        return set;
    }

    /** One thread only waits here (a subscriber's drain thread). */
    public boolean singleWaiter() {
        return singleWaiter;
    }

    /** The peer's wake word; read before announcing, passed to {@link #sleep}. */
    public int wakeValue() {
        return wakeValue(Long.MAX_VALUE);
    }

    /**
     * Chooses the peer to sleep on for a wait until {@code sequence}: the first whose progress is below it
     * (the first peer when none has a progress), and returns its wake word, to pass to {@link #sleep}.
     */
    public int wakeValue(long sequence) {
        PeerSet.Peer<?> chosen = null;
        PeerSet.Peer<?>[] current = peers.current().peers();
        for (PeerSet.Peer<?> peer : current) {
            if (peer.section() == null) {
                continue; // a peer that only gates has no wake word to sleep on
            }
            Sequence blocking = progress.of(peer);
            if (blocking == null || blocking.get() < sequence) {
                chosen = peer;
                break;
            }
        }
        // None blocks: a wait for a stop condition or a deadline only. It sleeps on the first peer, whose cancel or
        // detach (wakeAll) then ends the sleep at once. (The conductor with all demand requested waits unannounced,
        // through stopWakeValue, under BLOCKING.)
        if (chosen == null) {
            chosen = firstWithWakeWord(current);
            targetIsFallback = chosen != null;
        } else {
            targetIsFallback = false;
        }
        target = chosen;
        // Acquire: a value read here and still current at futex_wait time means no wake happened since.
        return chosen == null ? 0 : (int) ShmSequence.INT.getAcquire(chosen.section(), peerWakeOffset);
    }

    /** The first peer that has a wake word to sleep on (one that only gates has none), or null. */
    private static PeerSet.Peer<?> firstWithWakeWord(PeerSet.Peer<?>[] current) {
        for (PeerSet.Peer<?> peer : current) {
            if (peer.section() != null) {
                return peer;
            }
        }
        return null;
    }

    /**
     * Chooses the first peer with a wake word, for a wait that only a stop condition or a deadline ends
     * ({@link FutexWaitStrategy#stopOnly}: no announcement), and returns its wake word, to pass to {@link #sleep}. Read
     * before the stop condition is checked; a cancel or detach of that peer (stored before its
     * {@link Waker#wakeAll()}) then either is seen by the check or makes the sleep return at once.
     */
    public int stopWakeValue() {
        PeerSet.Peer<?> chosen = firstWithWakeWord(peers.current().peers());
        target = chosen;
        targetIsFallback = chosen != null;
        // Acquire: the stop condition read after this load sees whatever the peer stored before it bumped this word.
        return chosen == null ? 0 : (int) ShmSequence.INT.getAcquire(chosen.section(), peerWakeOffset);
    }

    /**
     * After the announcement: true when the chosen peer still blocks a wait until {@code sequence}, so its
     * next store wakes this thread; false when it moved, and the waiter should choose again.
     */
    public boolean targetBlocks(long sequence) {
        PeerSet.Peer<?> chosen = target;
        if (chosen == null || targetIsFallback) {
            return true;
        }
        Sequence blocking = progress.of(chosen);
        return blocking == null || blocking.get() < sequence;
    }

    /** Announces that this thread is about to sleep on wake value {@code wake}. */
    public void announce(int wake) {
        if (singleWaiter) {
            // Volatile store (StoreLoad): the condition re-check that follows cannot be reordered before it.
            ShmSequence.INT.setVolatile(ownSection, parkedOffset, Waker.parkedOn(wake));
        } else {
            addParked(1);
        }
    }

    public void withdraw() {
        if (singleWaiter) {
            // Release: only this thread writes the word; the waker needs no ordering beyond it.
            ShmSequence.INT.setRelease(ownSection, parkedOffset, 0);
        } else {
            addParked(-1);
        }
    }

    /**
     * Counts this thread in or out. The count is shared by every waiting thread of this process on this section, so
     * they take turns under the section's lock: no read-modify-write on mapped memory ({@link SectionFaults}).
     */
    private void addParked(int delta) {
        synchronized (SectionFaults.lockOf(ownSection)) {
            // Acquire: under the lock, the count the last thread stored.
            int parked = (int) ShmSequence.INT.getAcquire(ownSection, parkedOffset);
            // Volatile store (StoreLoad): the condition re-check that follows cannot be reordered before it.
            ShmSequence.INT.setVolatile(ownSection, parkedOffset, parked + delta);
        }
    }

    /** Sleeps while the chosen peer's wake word is {@code expected}, at most {@code timeoutNs}. */
    public void sleep(int expected, long timeoutNs) {
        if (timeoutNs <= 0) {
            return;
        }
        PeerSet.Peer<?> chosen = target;
        if (Futex.AVAILABLE && chosen != null) {
            Futex.await(chosen.wakeAddress(), expected, timeoutNs, timespec, timespecAddress);
        } else {
            LockSupport.parkNanos(this, Math.min(timeoutNs, BackoffWaitStrategy.DEFAULT_MAX_PARK_NS));
        }
    }

    /** Wakes every thread of any process sleeping on a peer's word (used for local close and cancel). */
    public void wakeSleepers() {
        if (Futex.AVAILABLE) {
            for (PeerSet.Peer<?> peer : peers.current().peers()) {
                if (peer.section() != null) {
                    Futex.wakeAll(peer.wakeAddress());
                }
            }
        }
    }
}
