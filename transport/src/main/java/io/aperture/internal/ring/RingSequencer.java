package io.aperture.internal.ring;

import com.lmax.disruptor.AlertException;
import com.lmax.disruptor.FixedSequenceGroup;
import com.lmax.disruptor.Sequence;
import com.lmax.disruptor.WaitStrategy;
import io.aperture.internal.section.RecordDescriptor;
import io.aperture.internal.waiting.PeerSet;
import io.aperture.internal.waiting.ShmBarrier;

/**
 * The single producer's claim over a ring section, after the Disruptor's {@code SingleProducerSequencer}: the
 * last slot claimed, and the gating sequences (the admitted subscribers' {@code consumed} words, mapped
 * read-only from their sections) with a cached minimum that is re-read only when it says the ring is full.
 * Nothing here is stored in shared memory: records commit themselves ({@link RingWriter}).
 *
 * <p>One slot is always kept free ahead of the oldest unread one: the writer zeroes the header of the slot
 * after each record before it commits the record ({@link RecordDescriptor}), and that slot must not be one
 * a subscriber has still to read. So at most {@code slotCount - 1} slots hold unread records.
 *
 * <p>The claim state ({@code nextValue}, {@code cachedGating}) belongs to the single producer thread. The gating
 * sequences are those of the channel's {@link PeerSet}, the one set of admitted subscribers, which the conductor
 * (and the writer, for a drop) changes by replacing its snapshot.
 */
public final class RingSequencer {
    private final int slotCount;
    /** Slots that may hold unread records: one fewer than the ring has (the headroom above). */
    private final int usable;
    private volatile WaitStrategy waitStrategy;
    private final PeerSet<?> peers;
    private final ShmBarrier.StopCondition stopCondition;

    private long nextValue = -1;
    private long cachedGating = -1;

    /** A sequencer with a set of gating sequences of its own, empty: {@link #addGatingSequences} adds to it. */
    public RingSequencer(int slotCount, WaitStrategy waitStrategy, ShmBarrier.StopCondition stopCondition) {
        this(slotCount, waitStrategy, stopCondition, PeerSet.ofSections(-1, -1));
    }

    /** A sequencer gated by the peers of {@code peers}. */
    public RingSequencer(int slotCount, WaitStrategy waitStrategy, ShmBarrier.StopCondition stopCondition,
                         PeerSet<?> peers) {
        if (slotCount < 2 || Integer.bitCount(slotCount) != 1) {
            throw new IllegalArgumentException("slot count " + slotCount + " is not a power of two of at least 2");
        }
        this.slotCount = slotCount;
        this.usable = slotCount - 1;
        this.waitStrategy = waitStrategy;
        this.stopCondition = stopCondition;
        this.peers = peers;
    }

    /** Sets how the producer waits for space; chosen when the first subscriber (whose section it sleeps on) attaches. */
    public void waitStrategy(WaitStrategy strategy) {
        this.waitStrategy = strategy;
    }

    public int slotCount() {
        return slotCount;
    }

    /** The gating sequences now in force (the array is replaced, never changed, when one is added or removed). */
    public Sequence[] gatingSequences() {
        return peers.current().gating();
    }

    /** Last slot sequence claimed by the producer (committed or about to be). */
    public long nextValue() {
        return nextValue;
    }

    /** Free slots after the last claim, using the cached gating value; refreshes it when the cache says full. */
    public long freeSlots() {
        long free = usable - (nextValue - cachedGating);
        if (free <= 0) {
            if (peers.current().gating().length == 0 && stopCondition.shouldStop()) {
                return 0; // nobody reads and the producer should stop: awaitFree says so, once a ring
            }
            cachedGating = minimumGating();
            free = usable - (nextValue - cachedGating);
        }
        return free;
    }

    /**
     * Waits until {@code slots} slots after the last claim are free, or the stop condition holds.
     *
     * @throws AlertException when the wait was ended by the stop condition or the deadline
     */
    public void awaitFree(int slots, long deadlineNs) throws AlertException {
        if (peers.current().gating().length == 0 && stopCondition.shouldStop()) {
            // With no gating sequence the ring never fills: without this a producer that should stop (closed,
            // every subscriber gone) would write on for ever, e.g. a synchronous source inside request().
            throw AlertException.INSTANCE;
        }
        long wrapPoint = nextValue + slots - usable;
        if (wrapPoint <= cachedGating) {
            return;
        }
        // The cache may be stale: re-read the gating sequences before waiting. Else a deadline that has passed
        // reports a full ring that has room, and once the last gating sequence is removed the writer loops
        // forever on its stale cache (with none, the minimum is the last claim: the claim goes ahead).
        cachedGating = minimumGating();
        if (wrapPoint <= cachedGating) {
            return;
        }
        PeerSet.Snapshot<?> snapshot = peers.current();
        Sequence[] gating = snapshot.gating();
        if (gating.length == 0) {
            return; // nobody gates: the producer may overwrite freely
        }
        Sequence group = gating.length == 1 ? gating[0] : new FixedSequenceGroup(gating);
        // A subscriber dropped, gone or admitted replaces the snapshot: the wait ends and is taken up again
        // over the new set, rather than waiting on a subscriber that no longer gates the ring.
        ShmBarrier barrier = new ShmBarrier(waitStrategy, group,
            () -> peers.current() != snapshot || stopCondition.shouldStop());
        cachedGating = Math.min(barrier.waitFor(wrapPoint, deadlineNs), nextValue);
    }

    /**
     * Minimum of the gating sequences, clamped to the last claim: a subscriber that reports having consumed
     * more than was published cannot make the producer overwrite another subscriber's unread slots.
     */
    private long minimumGating() {
        long minimum = nextValue;
        for (Sequence sequence : peers.current().gating()) {
            minimum = Math.min(minimum, sequence.get());
        }
        return minimum;
    }

    /** The cached minimum of the gating sequences: no subscriber reads below it (producer thread only). */
    public long cachedGating() {
        return cachedGating;
    }

    /** Claims every slot up to {@code sequence}, which the caller checked is free. */
    public void claim(long sequence) {
        nextValue = sequence;
        cachedGating = Math.min(cachedGating, sequence);
    }

    /** Adds gating sequences of readers with no section (tests, benchmarks) to this sequencer's set of peers. */
    public void addGatingSequences(Sequence... added) {
        @SuppressWarnings("unchecked")
        PeerSet<Object> set = (PeerSet<Object>) peers;
        for (Sequence sequence : added) {
            set.add(null, null, false, sequence, null);
        }
    }

    /** Removes a gating sequence (by identity) from this sequencer's set of peers; returns whether it was there. */
    public boolean removeGatingSequence(Sequence sequence) {
        return peers.removeGating(sequence);
    }
}
