package io.aperture.internal.waiting;

import com.lmax.disruptor.AlertException;
import com.lmax.disruptor.Sequence;
import com.lmax.disruptor.SequenceBarrier;
import com.lmax.disruptor.WaitStrategy;
import io.aperture.Waiting;

/**
 * A {@link SequenceBarrier} over shared counters whose {@link #checkAlert()} also ends the wait when the
 * owner's stop condition holds (local cancel or close, remote cancel or terminal state) or a housekeeping
 * deadline passes, at which the owner beats its heartbeat and checks the peer's liveness; so the stock
 * spin and yield strategies, and ours, notice all of them.
 *
 * <p>One barrier serves one waiting thread; the deadline is that thread's own field.
 */
public final class ShmBarrier implements SequenceBarrier {
    /** Why a wait should end early; evaluated on every check, so it must be cheap (a few loads). */
    @FunctionalInterface
    public interface StopCondition {
        boolean shouldStop();
    }

    /**
     * Initialised with this class, before any wait: a fault of a truncated section is raised a few instructions after
     * the access ({@code SectionFaults}), and one raised inside the exception's class initialiser, at its first throw,
     * would leave the class unusable for the JVM's life ({@code NoClassDefFoundError} at every later wait's end).
     */
    private static final AlertException ALERT = AlertException.INSTANCE;

    private final WaitStrategy waitStrategy;
    private final Sequence dependent;
    private final StopCondition stopCondition;
    private volatile boolean alerted;
    private long deadlineNs;

    public ShmBarrier(WaitStrategy waitStrategy, Sequence dependent, StopCondition stopCondition) {
        this.waitStrategy = waitStrategy;
        this.dependent = dependent;
        this.stopCondition = stopCondition;
        this.deadlineNs = System.nanoTime() + Long.MAX_VALUE / 2;
    }

    /** Waits until the dependent sequence reaches {@code sequence}, or until {@code deadlineNs} (System.nanoTime). */
    public long waitFor(long sequence, long deadlineNs) throws AlertException {
        this.deadlineNs = deadlineNs;
        try {
            return waitFor(sequence);
        } catch (InterruptedException | com.lmax.disruptor.TimeoutException e) {
            // Strategies offered by Waiting throw neither; treat as an early end of the wait.
            throw ALERT;
        }
    }

    @Override
    public long waitFor(long sequence) throws AlertException, InterruptedException, com.lmax.disruptor.TimeoutException {
        checkAlert();
        return waitStrategy.waitFor(sequence, dependent, dependent, this);
    }

    /** Nanoseconds until the housekeeping deadline of the current wait (0 when passed). */
    public long remainingNs() {
        return Math.max(0L, deadlineNs - System.nanoTime());
    }

    @Override
    public long getCursor() {
        return dependent.get();
    }

    @Override
    public boolean isAlerted() {
        return alerted;
    }

    @Override
    public void alert() {
        alerted = true;
        waitStrategy.signalAllWhenBlocking();
    }

    @Override
    public void clearAlert() {
        alerted = false;
    }

    @Override
    public void checkAlert() throws AlertException {
        if (alerted || stopCondition.shouldStop() || System.nanoTime() - deadlineNs >= 0) {
            throw ALERT;
        }
    }
}
