package io.aperture;

import com.lmax.disruptor.AlertException;
import com.lmax.disruptor.Sequence;
import com.lmax.disruptor.SequenceBarrier;
import com.lmax.disruptor.WaitStrategy;

/**
 * Bounded spin, a few yields, then sleep on the peer's wake word (futex on Linux) until the peer's
 * {@link Waker} signals, the barrier's stop condition holds, or its housekeeping deadline comes. The
 * cross-process counterpart of the Disruptor's {@code BlockingWaitStrategy}, whose lock and condition
 * live in one JVM's heap.
 */
final class FutexWaitStrategy implements WaitStrategy {
    static final int DEFAULT_SPINS = 2_000;
    static final int DEFAULT_YIELDS = 10;
    /** Longest single sleep: bounds how late a local close or cancel is noticed if its wake raced. */
    static final long MAX_SLEEP_NS = 50_000_000L;

    private final ParkingSpot spot;
    private final int spins;
    private final int yields;

    FutexWaitStrategy(ParkingSpot spot, int spins, int yields) {
        this.spot = spot;
        this.spins = spins;
        this.yields = yields;
    }

    @Override
    public long waitFor(long sequence, Sequence cursor, Sequence dependentSequence, SequenceBarrier barrier)
        throws AlertException {
        long available;
        int counter = 0;
        while ((available = dependentSequence.get()) < sequence) {
            barrier.checkAlert();
            if (counter < spins) {
                counter++;
                Thread.onSpinWait();
                continue;
            }
            if (counter < spins + yields) {
                counter++;
                Thread.yield();
                continue;
            }
            int wake = spot.wakeValue();
            spot.announce();
            try {
                if ((available = dependentSequence.get()) >= sequence) {
                    return available;
                }
                barrier.checkAlert();
                long timeout = barrier instanceof ShmBarrier
                    ? Math.min(((ShmBarrier) barrier).remainingNs(), MAX_SLEEP_NS) : MAX_SLEEP_NS;
                spot.sleep(wake, timeout);
            } finally {
                spot.withdraw();
            }
        }
        return available;
    }

    @Override
    public void signalAllWhenBlocking() {
        // Waking is the peer Waker's job: it knows whether anyone is parked.
    }
}
