package io.aperture.internal.waiting;

import com.lmax.disruptor.Sequence;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.function.IntFunction;

/**
 * The peers one side of a channel serves, as one immutable {@link Snapshot} replaced whole when a peer comes or
 * goes. A publisher's admitted subscribers live here once: the writer gates the ring on their positions
 * ({@link io.aperture.internal.ring.RingSequencer}), its {@link Waker} wakes those that sleep, its
 * {@link ParkingSpot}s sleep on their wake words, and the conductor reads their demand and liveness, all from the
 * same snapshot. A subscriber's set holds its one peer, the ring, for ever.
 *
 * <p>Peers are added and removed by the conductor and, for a drop, by the writer: the changes take turns under this
 * set's lock and each ends with one volatile store of the new snapshot. Readers load it once per use and never see a
 * peer half added.
 *
 * @param <O> what the side knows a peer by (the publisher's {@code SubscriberLink}); null for a set of sections only
 */
public final class PeerSet<O> {
    /** One peer: its section (mapped read-only), the progress words a wait may be for, and what it is to the owner. */
    public static final class Peer<O> {
        private final O owner;
        private final ByteBuffer section;
        private final long wakeAddress;
        private final boolean sleeps;
        private final Sequence gating;
        private final Sequence demand;

        private Peer(O owner, ByteBuffer section, int wakeOffset, boolean sleeps, Sequence gating, Sequence demand) {
            this.owner = owner;
            this.section = section;
            this.wakeAddress = Futex.AVAILABLE && section != null && wakeOffset >= 0 ? Futex.address(section, wakeOffset) : 0;
            this.sleeps = sleeps && section != null;
            this.gating = gating;
            this.demand = demand;
        }

        /** What the side knows this peer by, or null. */
        public O owner() {
            return owner;
        }

        /** The peer's section, or null for a peer that only gates (a reader with no section of its own). */
        public ByteBuffer section() {
            return section;
        }

        long wakeAddress() {
            return wakeAddress;
        }

        /** The position the ring must not be written past for this peer, or null. */
        public Sequence gating() {
            return gating;
        }

        /** What this peer allows its publisher's upstream to have produced, or null. */
        public Sequence demand() {
            return demand;
        }
    }

    /** The peers at one instant; never changed once published. */
    public static final class Snapshot<O> {
        private final Peer<O>[] peers;
        private final O[] owners;
        private final ByteBuffer[] sleepers;
        private final Sequence[] gating;

        @SuppressWarnings("unchecked")
        private Snapshot(Peer<O>[] peers, IntFunction<O[]> arrays) {
            this.peers = peers;
            this.owners = Arrays.stream(peers).map(Peer::owner).filter(o -> o != null).toArray(arrays);
            this.sleepers = Arrays.stream(peers).filter(p -> p.sleeps).map(Peer::section).toArray(ByteBuffer[]::new);
            this.gating = Arrays.stream(peers).map(Peer::gating).filter(g -> g != null).toArray(Sequence[]::new);
        }

        /** Every peer, in the order they came. */
        public Peer<O>[] peers() {
            return peers;
        }

        /** The owners of the peers that have one, in the order they came. */
        public O[] owners() {
            return owners;
        }

        /** The sections of the peers that may sleep on this side's wake word (the waker looks at their parked words). */
        ByteBuffer[] sleepers() {
            return sleepers;
        }

        /** The gating positions of the peers that gate the ring. */
        public Sequence[] gating() {
            return gating;
        }

        /** Whether no peer is in the set. */
        public boolean isEmpty() {
            return peers.length == 0;
        }
    }

    private final int peerWakeOffset;
    private final int peerParkedOffset;
    private final IntFunction<O[]> arrays;
    private volatile Snapshot<O> current;

    /**
     * An empty set of peers whose sections have their wake word at {@code peerWakeOffset} (negative: nobody sleeps on
     * it) and their parked word at {@code peerParkedOffset}; {@code arrays} makes the owners' arrays.
     */
    @SuppressWarnings({"unchecked", "rawtypes"})
    public PeerSet(int peerWakeOffset, int peerParkedOffset, IntFunction<O[]> arrays) {
        this.peerWakeOffset = peerWakeOffset;
        this.peerParkedOffset = peerParkedOffset;
        this.arrays = arrays;
        this.current = new Snapshot<>(new Peer[0], arrays);
    }

    /** A set of sections only (no owners), empty. */
    public static PeerSet<Void> ofSections(int peerWakeOffset, int peerParkedOffset) {
        return new PeerSet<>(peerWakeOffset, peerParkedOffset, Void[]::new);
    }

    /** The peers now; load once per use. */
    public Snapshot<O> current() {
        return current;
    }

    int peerWakeOffset() {
        return peerWakeOffset;
    }

    int peerParkedOffset() {
        return peerParkedOffset;
    }

    /**
     * Adds a peer.
     *
     * @param owner   what the side knows it by, or null
     * @param section its section, mapped read-only, or null for a peer that only gates
     * @param sleeps  whether it may sleep on this side's wake word (a peer that polls never does: it costs no wake check)
     * @param gating  its gating position, or null
     * @param demand  its demand, or null
     */
    public synchronized Peer<O> add(O owner, ByteBuffer section, boolean sleeps, Sequence gating, Sequence demand) {
        Peer<O>[] peers = current.peers;
        Peer<O>[] updated = Arrays.copyOf(peers, peers.length + 1);
        Peer<O> added = new Peer<>(owner, section, peerWakeOffset, sleeps, gating, demand);
        updated[peers.length] = added;
        // Volatile store: the snapshot's arrays, complete, for every thread that loads it.
        current = new Snapshot<>(updated, arrays);
        return added;
    }

    /**
     * Replaces {@code old} by a new peer in its place, in one step: a subscriber held at a floor while it is admitted
     * becomes a full peer. Returns the new peer, or null when {@code old} is no longer in the set.
     */
    public synchronized Peer<O> replace(Peer<O> old, O owner, ByteBuffer section, boolean sleeps, Sequence gating,
                                        Sequence demand) {
        Peer<O>[] peers = current.peers;
        for (int i = 0; i < peers.length; i++) {
            if (peers[i] == old) {
                Peer<O>[] updated = peers.clone();
                updated[i] = new Peer<>(owner, section, peerWakeOffset, sleeps, gating, demand);
                // Volatile store: as in add.
                current = new Snapshot<>(updated, arrays);
                return updated[i];
            }
        }
        return null;
    }

    /** Removes {@code peer} (by identity); returns whether it was in the set. */
    public synchronized boolean remove(Peer<O> peer) {
        return removeIf(p -> p == peer);
    }

    /** Removes the peer owned by {@code owner} (by identity); returns whether it was in the set. */
    public synchronized boolean removeOwner(O owner) {
        return removeIf(p -> p.owner == owner);
    }

    /** Removes the peer gating on {@code gating} (by identity); returns whether it was in the set. */
    public synchronized boolean removeGating(Sequence gating) {
        return removeIf(p -> p.gating == gating);
    }

    private boolean removeIf(java.util.function.Predicate<Peer<O>> which) {
        Peer<O>[] peers = current.peers;
        @SuppressWarnings({"unchecked", "rawtypes"})
        Peer<O>[] updated = Arrays.stream(peers).filter(which.negate()).toArray(Peer[]::new);
        if (updated.length == peers.length) {
            return false;
        }
        // Volatile store: as in add.
        current = new Snapshot<>(updated, arrays);
        return true;
    }
}
