package io.aperture.internal.waiting;

import io.aperture.internal.section.SectionFaults;
import io.aperture.internal.section.ShmSequence;
import io.aperture.internal.section.SubscriberDescriptor;

import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;

/**
 * The waking half of the park/wake protocol (see {@link ParkingSpot}): after storing a counter the peer
 * may wait for, call {@link #wakeIfParked()}. It costs a fence and one load per peer while nobody is
 * parked; only a parked peer costs a system call. Peers that never sleep on this side's wake word for
 * that counter (subscribers that poll: {@link SubscriberDescriptor#FLAG_POLLS}) are not added, and with
 * no peer the call costs nothing. A thread that stores in bursts and knows where a burst ends (a
 * publisher's conductor running a synchronous upstream, a subscriber's drain loop) checks each store
 * with {@link #wakeIfSeenParked()}, without the fence, and pays one full check when it {@link #settle}s.
 */
public final class Waker {
    private final ByteBuffer ownSection;
    private final int wakeOffset;
    private final long wakeAddress;
    private final PeerSet<?> peers;
    private final int peerParkedOffset;
    /** A {@link #wakeIfSeenParked()} since the last full check; only the thread that makes those checks reads it. */
    private boolean owed;
    private static final int PARKED_BIT = 0x8000_0000;

    /** The parked word of a single waiter sleeping on wake value {@code wake}: never zero. */
    public static int parkedOn(int wake) {
        return wake | PARKED_BIT;
    }

    /** A waker of the sleeping peers of {@code peers}, whose parked words it reads; its own wake word at {@code wakeOffset}. */
    public Waker(ByteBuffer ownSection, int wakeOffset, PeerSet<?> peers) {
        this.ownSection = ownSection;
        this.wakeOffset = wakeOffset;
        this.peers = peers;
        this.peerParkedOffset = peers.peerParkedOffset();
        this.wakeAddress = Futex.AVAILABLE ? Futex.address(ownSection, wakeOffset) : 0;
    }

    /** A waker with a set of its own, empty; {@link #addPeer} adds to it (peers' parked words at {@code peerParkedOffset}). */
    public Waker(ByteBuffer ownSection, int wakeOffset, int peerParkedOffset) {
        this(ownSection, wakeOffset, PeerSet.ofSections(-1, peerParkedOffset));
    }

    /** Adds a peer section that may sleep on this side's wake word to this waker's set. */
    public void addPeer(ByteBuffer peerSection) {
        @SuppressWarnings("unchecked")
        PeerSet<Object> set = (PeerSet<Object>) peers;
        set.add(null, peerSection, true, null, null);
    }

    /** Wakes the peers if any announced itself parked. Call after the store the peer waits for. */
    public void wakeIfParked() {
        ByteBuffer[] sections = peers.current().sleepers();
        if (sections.length == 0) {
            return; // no peer sleeps on this side's wake word (none, or all poll): no fence to pay
        }
        // StoreLoad: the store just made must be visible before we read the peers' parked counts (Dekker).
        // docs/waiting.md says why no asymmetric fence (membarrier) replaces it.
        VarHandle.fullFence();
        for (ByteBuffer peer : sections) {
            // Acquire load after the fence: a zero here means the waiter will see our store on its re-check;
            // acquire also keeps the own-wake load below after it on weakly ordered CPUs.
            int parked = (int) ShmSequence.INT.getAcquire(peer, peerParkedOffset);
            if (parked != 0 && (parked >= 0 || parked == parkedOn(currentWake()))) {
                // A count (many waiters), or a single waiter asleep on the current value: wake. A single
                // waiter that announced an older value was already woken and is on its way.
                wakeAll();
                return;
            }
        }
    }

    /**
     * The check without the fence, for a thread that calls {@link #settle()} before it waits and at the end of its
     * burst of stores: a peer seen parked is woken (through the full check), at no system call otherwise. Its load
     * may be done before the store just made is visible, so it can miss a peer that announces itself in that
     * instant, and that peer may sleep past the store; {@code settle} owes it the full check. Until then the record
     * waits at most for the next check (the next store of the burst) or for the sleeper's timeout.
     */
    public void wakeIfSeenParked() {
        ByteBuffer[] sections = peers.current().sleepers();
        if (sections.length == 0) {
            return;
        }
        for (ByteBuffer peer : sections) {
            // Opaque, no fence: a non-zero value is a real announcement; a zero proves nothing (the full check is owed).
            if ((int) ShmSequence.INT.getOpaque(peer, peerParkedOffset) != 0) {
                owed = false;
                wakeIfParked();
                return;
            }
        }
        owed = true;
    }

    /** Pays the full check that {@link #wakeIfSeenParked()} owes, if any: before a wait, at the end of a burst. */
    public void settle() {
        if (owed) {
            owed = false;
            wakeIfParked();
        }
    }

    private int currentWake() {
        // Acquire: this process is the only writer of its wake word, but several of its threads may bump it.
        return (int) ShmSequence.INT.getAcquire(ownSection, wakeOffset);
    }

    /** Bumps the wake word and wakes every sleeper on it, parked or not. */
    public void wakeAll() {
        synchronized (SectionFaults.lockOf(ownSection)) { // several threads may bump it; no RMW on mapped memory
            // Acquire: under the lock, the value the last waking thread stored.
            int wake = (int) ShmSequence.INT.getAcquire(ownSection, wakeOffset);
            // Volatile store: a sleeper whose futex_wait compares against the old value returns at once.
            ShmSequence.INT.setVolatile(ownSection, wakeOffset, wake + 1);
        }
        if (Futex.AVAILABLE) {
            Futex.wakeAll(wakeAddress);
        }
    }
}
