package io.aperture;

import com.lmax.disruptor.AlertException;
import com.lmax.disruptor.DataProvider;
import com.lmax.disruptor.EventPoller;
import com.lmax.disruptor.FixedSequenceGroup;
import com.lmax.disruptor.InsufficientCapacityException;
import com.lmax.disruptor.Sequence;
import com.lmax.disruptor.SequenceBarrier;
import com.lmax.disruptor.Sequencer;
import com.lmax.disruptor.WaitStrategy;

import java.util.Arrays;

/**
 * Single-producer {@link Sequencer} over a ring section: the cursor is a {@link ShmSequence} in the ring,
 * and the gating sequences are the live subscribers' {@code consumed} words, mapped read-only from their
 * sections. Stock Disruptor sequencers keep the cursor in a heap field, which another process cannot see.
 *
 * <p>The claim state ({@code nextValue}, {@code cachedGating}) belongs to the single producer thread.
 * Gating sequences may be added and removed from another thread (copy on write, volatile array).
 */
final class RingSequencer implements Sequencer {
    private final int bufferSize;
    private volatile WaitStrategy waitStrategy;
    private final ShmSequence cursor;
    private volatile Sequence[] gatingSequences = new Sequence[0];
    private final ShmBarrier.StopCondition stopCondition;

    private long nextValue;
    private long cachedGating;
    /** The last cursor value this producer published; release store, acquire load by the conductor. */
    private long lastPublished;
    private static final java.lang.invoke.VarHandle LAST_PUBLISHED;

    static {
        try {
            LAST_PUBLISHED = java.lang.invoke.MethodHandles.lookup().findVarHandle(RingSequencer.class, "lastPublished",
                long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    RingSequencer(int bufferSize, WaitStrategy waitStrategy, ShmSequence cursor, ShmBarrier.StopCondition stopCondition) {
        if (bufferSize < 1 || Integer.bitCount(bufferSize) != 1) {
            throw new IllegalArgumentException("buffer size " + bufferSize + " is not a power of two");
        }
        this.bufferSize = bufferSize;
        this.waitStrategy = waitStrategy;
        this.cursor = cursor;
        this.stopCondition = stopCondition;
        this.nextValue = cursor.getPlain();
        this.cachedGating = nextValue;
        this.lastPublished = nextValue;
    }

    /** Sets how the producer waits for space; chosen when the first subscriber (whose section it sleeps on) attaches. */
    void waitStrategy(WaitStrategy strategy) {
        this.waitStrategy = strategy;
    }

    /** The gating sequences now in force (the array is replaced, never changed, when one is added or removed). */
    Sequence[] gatingSequences() {
        return gatingSequences;
    }

    /** Last slot sequence claimed by the producer (published or about to be). */
    long nextValue() {
        return nextValue;
    }

    /** Free slots after the last claim, using the cached gating value; refreshes it when the cache says full. */
    long freeSlots() {
        long free = bufferSize - (nextValue - cachedGating);
        if (free <= 0) {
            cachedGating = minimumGating();
            free = bufferSize - (nextValue - cachedGating);
        }
        return free;
    }

    /** Re-reads the gating sequences and returns the free slots. */
    long refreshFreeSlots() {
        cachedGating = minimumGating();
        return bufferSize - (nextValue - cachedGating);
    }

    /**
     * Waits until {@code slots} slots after the last claim are free, or the stop condition holds.
     *
     * @throws AlertException when the wait was ended by the stop condition or the deadline
     */
    void awaitFree(int slots, long deadlineNs) throws AlertException {
        long wrapPoint = nextValue + slots - bufferSize;
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
        Sequence[] gating = gatingSequences;
        if (gating.length == 0) {
            return; // nobody gates: the producer may overwrite freely
        }
        Sequence group = gating.length == 1 ? gating[0] : new FixedSequenceGroup(gating);
        // A subscriber dropped, gone or admitted changes the array: the wait ends and is taken up again
        // over the new set, rather than waiting on a subscriber that no longer gates the ring.
        ShmBarrier barrier = new ShmBarrier(waitStrategy, group,
            () -> gatingSequences != gating || stopCondition.shouldStop());
        cachedGating = Math.min(barrier.waitFor(wrapPoint, deadlineNs), nextValue);
    }

    /**
     * Minimum of the gating sequences, clamped to the last claim: a subscriber that reports having consumed
     * more than was published cannot make the producer overwrite another subscriber's unread slots.
     */
    private long minimumGating() {
        long minimum = nextValue;
        for (Sequence sequence : gatingSequences) {
            minimum = Math.min(minimum, sequence.get());
        }
        return minimum;
    }

    @Override
    public long getCursor() {
        return cursor.get();
    }

    @Override
    public int getBufferSize() {
        return bufferSize;
    }

    @Override
    public boolean hasAvailableCapacity(int requiredCapacity) {
        return freeSlots() >= requiredCapacity || refreshFreeSlots() >= requiredCapacity;
    }

    @Override
    public long remainingCapacity() {
        return refreshFreeSlots();
    }

    @Override
    public long next() {
        return next(1);
    }

    @Override
    public long next(int n) {
        checkClaim(n);
        while (true) {
            try {
                awaitFree(n, System.nanoTime() + Long.MAX_VALUE / 2);
                break;
            } catch (AlertException e) {
                if (stopCondition.shouldStop()) {
                    throw new IllegalStateException("claim of " + n + " slots abandoned: channel stopping", e);
                }
            }
        }
        nextValue += n;
        return nextValue;
    }

    @Override
    public long tryNext() throws InsufficientCapacityException {
        return tryNext(1);
    }

    @Override
    public long tryNext(int n) throws InsufficientCapacityException {
        checkClaim(n);
        if (!hasAvailableCapacity(n)) {
            throw InsufficientCapacityException.INSTANCE;
        }
        nextValue += n;
        return nextValue;
    }

    private void checkClaim(int n) {
        if (n < 1 || n > bufferSize) {
            throw new IllegalArgumentException("claim of " + n + " slots not in [1, " + bufferSize + "]");
        }
    }

    /** The cursor value last published by this producer, for another thread of this process (acquire). */
    long lastPublished() {
        return (long) LAST_PUBLISHED.getAcquire(this);
    }

    @Override
    public void publish(long sequence) {
        // Release (heap): lets the conductor tell its own cursor from one rewritten by another process.
        LAST_PUBLISHED.setRelease(this, sequence);
        // Release: the record's header and payload (plain stores) become visible before the new cursor.
        cursor.set(sequence);
        waitStrategy.signalAllWhenBlocking();
    }

    @Override
    public void publish(long lo, long hi) {
        publish(hi);
    }

    @Override
    public void claim(long sequence) {
        nextValue = sequence;
        cachedGating = Math.min(cachedGating, sequence);
    }

    @Override
    public boolean isAvailable(long sequence) {
        long current = cursor.get();
        return sequence <= current && sequence > current - bufferSize;
    }

    @Override
    public void addGatingSequences(Sequence... gatingSequences) {
        synchronized (this) {
            Sequence[] current = this.gatingSequences;
            Sequence[] updated = Arrays.copyOf(current, current.length + gatingSequences.length);
            System.arraycopy(gatingSequences, 0, updated, current.length, gatingSequences.length);
            this.gatingSequences = updated;
        }
    }

    @Override
    public boolean removeGatingSequence(Sequence sequence) {
        synchronized (this) {
            Sequence[] current = this.gatingSequences;
            Sequence[] updated = Arrays.stream(current).filter(s -> s != sequence).toArray(Sequence[]::new);
            this.gatingSequences = updated;
            return updated.length != current.length;
        }
    }

    @Override
    public SequenceBarrier newBarrier(Sequence... sequencesToTrack) {
        Sequence dependent = sequencesToTrack.length == 0 ? cursor
            : sequencesToTrack.length == 1 ? sequencesToTrack[0] : new FixedSequenceGroup(sequencesToTrack);
        return new ShmBarrier(waitStrategy, dependent, stopCondition);
    }

    @Override
    public long getMinimumSequence() {
        return minimumGating();
    }

    @Override
    public long getHighestPublishedSequence(long nextSequence, long availableSequence) {
        return availableSequence;
    }

    @Override
    public <T> EventPoller<T> newPoller(DataProvider<T> dataProvider, Sequence... gatingSequences) {
        return EventPoller.newInstance(dataProvider, this, new Sequence(), cursor, gatingSequences);
    }
}
