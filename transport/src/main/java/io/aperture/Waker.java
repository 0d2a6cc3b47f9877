package io.aperture;

import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;

/**
 * The waking half of the park/wake protocol (see {@link ParkingSpot}): after storing a counter the peer
 * may wait for, call {@link #wakeIfParked()}. It costs a fence and one load per peer while nobody is
 * parked; only a parked peer costs a system call. Peers that never sleep on this side's wake word for
 * that counter (subscribers that poll: {@link SubscriberDescriptor#FLAG_POLLS}) are not added, and with
 * no peer the call costs nothing.
 */
final class Waker {
    private final ByteBuffer ownSection;
    private final int wakeOffset;
    private final long wakeAddress;
    private volatile Peers peers = new Peers(new ByteBuffer[0], new boolean[0]);
    private final int peerParkedOffset;
    private static final int PARKED_BIT = 0x8000_0000;

    /** The parked word of a single waiter sleeping on wake value {@code wake}: never zero. */
    static int parkedOn(int wake) {
        return wake | PARKED_BIT;
    }

    Waker(ByteBuffer ownSection, int wakeOffset, int peerParkedOffset) {
        this.ownSection = ownSection;
        this.wakeOffset = wakeOffset;
        this.peerParkedOffset = peerParkedOffset;
        this.wakeAddress = Futex.AVAILABLE ? Futex.address(ownSection, wakeOffset) : 0;
    }

    /** The peers whose parked words this waker reads, and whether any of them needs the full fence. */
    private static final class Peers {
        final ByteBuffer[] sections;
        /** Per peer: it issues {@link Membarrier#heavyBarrier()} after announcing, and this process is registered. */
        final boolean[] light;
        final boolean fence;

        Peers(ByteBuffer[] sections, boolean[] light) {
            this.sections = sections;
            this.light = light;
            boolean any = false;
            for (boolean l : light) {
                any |= !l;
            }
            this.fence = any;
        }
    }

    /** Adds a peer that may sleep on this side's wake word; this waker pays the full fence for it. */
    void addPeer(ByteBuffer peerSection) {
        addPeer(peerSection, false);
    }

    /**
     * Adds a peer that may sleep on this side's wake word. With {@code peerIssuesHeavyBarrier} (the peer calls
     * {@link Membarrier#heavyBarrier()} after announcing itself) and this process registered for it, the
     * wake check needs only a compiler barrier for that peer; otherwise, or when any other peer needs one, it
     * pays the full fence.
     */
    synchronized void addPeer(ByteBuffer peerSection, boolean peerIssuesHeavyBarrier) {
        Peers current = peers;
        ByteBuffer[] sections = java.util.Arrays.copyOf(current.sections, current.sections.length + 1);
        boolean[] light = java.util.Arrays.copyOf(current.light, current.light.length + 1);
        sections[current.sections.length] = peerSection;
        light[current.light.length] = peerIssuesHeavyBarrier && Membarrier.REGISTERED;
        peers = new Peers(sections, light);
    }

    synchronized void removePeer(ByteBuffer peerSection) {
        Peers current = peers;
        int kept = 0;
        ByteBuffer[] sections = new ByteBuffer[current.sections.length];
        boolean[] light = new boolean[current.light.length];
        for (int i = 0; i < current.sections.length; i++) {
            if (current.sections[i] != peerSection) {
                sections[kept] = current.sections[i];
                light[kept++] = current.light[i];
            }
        }
        peers = new Peers(java.util.Arrays.copyOf(sections, kept), java.util.Arrays.copyOf(light, kept));
    }

    /** True when the wake check pays a full fence (some peer does not issue the heavy barrier); for tests. */
    boolean fences() {
        return peers.fence;
    }

    /** Wakes the peers if any announced itself parked. Call after the store the peer waits for. */
    void wakeIfParked() {
        Peers current = peers;
        ByteBuffer[] sections = current.sections;
        if (sections.length == 0) {
            return; // no peer sleeps on this side's wake word (none, or all poll): no fence to pay
        }
        if (current.fence) {
            // StoreLoad: the store just made must be visible before we read the peers' parked counts (Dekker).
            VarHandle.fullFence();
        } else {
            // Compiler barrier only (no instruction on x86): every peer calls membarrier(GLOBAL_EXPEDITED) after
            // announcing, which makes this thread's store-then-load a full fence whenever it matters (Membarrier).
            VarHandle.releaseFence();
        }
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

    private int currentWake() {
        // Acquire: this process is the only writer of its wake word, but several of its threads may bump it.
        return (int) ShmSequence.INT.getAcquire(ownSection, wakeOffset);
    }

    /** Bumps the wake word and wakes every sleeper on it, parked or not. */
    void wakeAll() {
        // Volatile RMW: a sleeper whose futex_wait compares against the old value returns at once.
        ShmSequence.INT.getAndAdd(ownSection, wakeOffset, 1);
        if (Futex.AVAILABLE) {
            Futex.wakeAll(wakeAddress);
        }
    }
}
