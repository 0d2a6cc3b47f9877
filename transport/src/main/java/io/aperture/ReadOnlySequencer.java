package io.aperture;

import com.lmax.disruptor.DataProvider;
import com.lmax.disruptor.EventPoller;
import com.lmax.disruptor.Sequence;
import com.lmax.disruptor.SequenceBarrier;
import com.lmax.disruptor.Sequencer;

/**
 * A subscriber's view of the publisher's sequencer: it can read the cursor, never claim or publish
 * (the ring is mapped read-only). The claim methods fail loudly instead of faulting on the mapping.
 */
abstract class ReadOnlySequencer implements Sequencer {
    private final int bufferSize;
    private final Sequence cursor;

    ReadOnlySequencer(int bufferSize, Sequence cursor) {
        this.bufferSize = bufferSize;
        this.cursor = cursor;
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
    public boolean isAvailable(long sequence) {
        long current = cursor.get();
        return sequence <= current && sequence > current - bufferSize;
    }

    private static UnsupportedOperationException readOnly() {
        return new UnsupportedOperationException("the ring is read-only for subscribers");
    }

    @Override
    public boolean hasAvailableCapacity(int requiredCapacity) {
        throw readOnly();
    }

    @Override
    public long remainingCapacity() {
        throw readOnly();
    }

    @Override
    public long next() {
        throw readOnly();
    }

    @Override
    public long next(int n) {
        throw readOnly();
    }

    @Override
    public long tryNext() {
        throw readOnly();
    }

    @Override
    public long tryNext(int n) {
        throw readOnly();
    }

    @Override
    public void publish(long sequence) {
        throw readOnly();
    }

    @Override
    public void publish(long lo, long hi) {
        throw readOnly();
    }

    @Override
    public void claim(long sequence) {
        throw readOnly();
    }

    @Override
    public void addGatingSequences(Sequence... gatingSequences) {
        throw readOnly();
    }

    @Override
    public boolean removeGatingSequence(Sequence sequence) {
        throw readOnly();
    }

    @Override
    public SequenceBarrier newBarrier(Sequence... sequencesToTrack) {
        throw readOnly();
    }

    @Override
    public long getMinimumSequence() {
        throw readOnly();
    }

    @Override
    public <T> EventPoller<T> newPoller(DataProvider<T> dataProvider, Sequence... gatingSequences) {
        throw readOnly();
    }
}
