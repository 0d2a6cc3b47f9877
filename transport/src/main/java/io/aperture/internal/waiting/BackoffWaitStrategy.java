package io.aperture.internal.waiting;

import com.lmax.disruptor.AlertException;
import com.lmax.disruptor.Sequence;
import com.lmax.disruptor.SequenceBarrier;
import com.lmax.disruptor.WaitStrategy;

import java.util.concurrent.locks.LockSupport;

/**
 * Spin, then yield, then park with a doubling timeout up to a maximum. Works across processes because it
 * only reads the dependent sequence; the barrier's {@code checkAlert()} ends the wait on close, cancel,
 * peer death or a housekeeping deadline. {@link #signalAllWhenBlocking()} does nothing: a waiter in
 * another process cannot be signalled through the JVM, it notices the change within one park period.
 */
public final class BackoffWaitStrategy implements WaitStrategy {
    public static final int DEFAULT_SPINS = 100;
    public static final int DEFAULT_YIELDS = 20;
    public static final long DEFAULT_MAX_PARK_NS = 1_000_000L;
    private static final long MIN_PARK_NS = 1_000L;

    private final int spins;
    private final int yields;
    private final long maxParkNs;

    public BackoffWaitStrategy(int spins, int yields, long maxParkNs) {
        this.spins = spins;
        this.yields = yields;
        this.maxParkNs = maxParkNs;
    }

    @Override
    public long waitFor(long sequence, Sequence cursor, Sequence dependentSequence, SequenceBarrier barrier)
        throws AlertException {
        long available;
        int counter = 0;
        long parkNs = MIN_PARK_NS;
        while ((available = dependentSequence.get()) < sequence) {
            barrier.checkAlert();
            if (counter < spins) {
                counter++;
                Thread.onSpinWait();
            } else if (counter < spins + yields) {
                counter++;
                Thread.yield();
            } else {
                LockSupport.parkNanos(parkNs);
                parkNs = Math.min(parkNs << 1, maxParkNs);
            }
        }
        return available;
    }

    @Override
    public void signalAllWhenBlocking() {
        // Nothing to signal: waiters poll the shared counter.
    }
}
