package io.aperture.internal.waiting;

import com.lmax.disruptor.AlertException;
import com.lmax.disruptor.Sequence;
import com.lmax.disruptor.SequenceBarrier;
import com.lmax.disruptor.WaitStrategy;
import io.aperture.Waiting;

/**
 * Bounded spin, a few yields, then sleep on the peer's wake word (futex on Linux) until the peer's
 * {@link Waker} signals, the barrier's stop condition holds, or its housekeeping deadline comes. The
 * cross-process counterpart of the Disruptor's {@code BlockingWaitStrategy}, whose lock and condition
 * live in one JVM's heap.
 */
public final class FutexWaitStrategy implements WaitStrategy {
    /**
     * Spin this long before yielding, then sleeping: a peer that answers within it costs neither side a
     * system call. Kept short: on a machine with more runnable threads than cores a long spin takes the CPU
     * from the very peer it waits for (a 100 µs spin cut pipeline throughput by 2-3x on 2 loaded cores).
     */
    public static final long DEFAULT_SPIN_NS = 10_000L;
    public static final int DEFAULT_YIELDS = 20;
    /** Longest single sleep: bounds how late a local close or cancel is noticed if its wake raced. */
    public static final long MAX_SLEEP_NS = 50_000_000L;

    private final ParkingSpot spot;
    private final long spinNs;
    private final int yields;
    private final long maxSleepNs;
    /** The adapted spin and yields of the next wait, or null: always {@link #spinNs} and {@link #yields}. */
    private final SpinBudget budget;
    /**
     * The last wait slept and was ended by its deadline, not by the peer (waiting thread only): the peer is idle,
     * so the next wait goes straight to sleep. The spin and yields after each housekeeping pass would otherwise be
     * most of an idle channel's CPU; a message arriving now wakes the sleeper through the futex anyway.
     */
    private boolean idle;
    /**
     * A wait that no store of a peer's counter can end, only a stop condition or the deadline (the publisher's
     * conductor once every subscriber's demand is requested upstream): it sleeps without announcing itself. See
     * {@link #stopOnly}.
     */
    private final boolean stopOnly;

    /** The strategy of {@link Waiting#BLOCKING}: up to {@code spinNs} and {@code yields}, adapted ({@link SpinBudget}). */
    public FutexWaitStrategy(ParkingSpot spot, long spinNs, int yields) {
        this(spot, spinNs, yields, MAX_SLEEP_NS, true);
    }

    /**
     * @param maxSleepNs longest single sleep; the stress test raises it to seconds so that a lost wake-up
     *                   shows as a stall instead of hiding in a 50 ms timeout
     */
    public FutexWaitStrategy(ParkingSpot spot, long spinNs, int yields, long maxSleepNs) {
        this(spot, spinNs, yields, maxSleepNs, false);
    }

    /** @param adaptive adapt the spin and yields to how the last waits ended ({@link SpinBudget}); else fixed */
    public FutexWaitStrategy(ParkingSpot spot, long spinNs, int yields, long maxSleepNs, boolean adaptive) {
        this(spot, spinNs, yields, maxSleepNs, adaptive, false);
    }

    private FutexWaitStrategy(ParkingSpot spot, long spinNs, int yields, long maxSleepNs, boolean adaptive,
                              boolean stopOnly) {
        this.stopOnly = stopOnly;
        this.spot = spot;
        this.spinNs = spinNs;
        this.yields = yields;
        this.maxSleepNs = maxSleepNs;
        this.budget = adaptive ? new SpinBudget(spinNs, yields) : null;
    }

    /**
     * The strategy of a wait that only a stop condition or the deadline ends: the default spin and yields, then a sleep
     * on the first peer's wake word that is not announced in this side's parked counts. Announced, it would make every
     * subscriber's {@link Waker} wake this thread after each raise of {@code requested} (a system call on the
     * subscriber's side and a context switch on this one), only for it to find nothing to do and sleep again. Its spin
     * and yields come first every time (no idle shortcut), since a local stop wakes without bumping the word. What can end the wait wakes without looking for an announcement: a local close or cancel
     * ({@link ParkingSpot#wakeSleepers()}, as for every wait) and a subscriber that cancels or detaches, which bumps its
     * wake word ({@link Waker#wakeAll()}) after it stored its cancel. The wake word is read before the stop condition is
     * checked, so either the check sees the cancel or the futex wait compares against a stale value and returns at once
     * ({@code ParkWakeStopOnlyStress}; docs/waiting.md, "Waits that only a stop can end").
     */
    public static FutexWaitStrategy stopOnly(ParkingSpot spot) {
        return new FutexWaitStrategy(spot, DEFAULT_SPIN_NS, DEFAULT_YIELDS, MAX_SLEEP_NS, false, true);
    }

    /**
     * The steps of a stop-only wait before its sleep, in their order: the first peer's wake word is read, then the stop
     * condition checked ({@code barrier.checkAlert()}); returns the value to sleep on. A cancel stored before the peer
     * bumped its word is then either seen by the check or makes the sleep on the value return at once
     * ({@code ParkWakeStopOnlyStress} runs this method).
     *
     * @throws AlertException when the stop condition holds or the deadline passed
     */
    public static int beforeStopOnlySleep(ParkingSpot spot, SequenceBarrier barrier) throws AlertException {
        // Acquire load of the first peer's wake word, before the stop condition: a wake after it changes it.
        int wake = spot.stopWakeValue();
        barrier.checkAlert();
        return wake;
    }

    /** The longest one sleep lasts: until the barrier's deadline, and never past {@code maxSleepNs}. */
    private long sleepTimeoutNs(SequenceBarrier barrier) {
        return barrier instanceof ShmBarrier ? Math.min(((ShmBarrier) barrier).remainingNs(), maxSleepNs) : maxSleepNs;
    }

    @Override
    public long waitFor(long sequence, Sequence cursor, Sequence dependentSequence, SequenceBarrier barrier)
        throws AlertException {
        long available = dependentSequence.get();
        if (available >= sequence) {
            idle = false;
            return available; // no wait at all: nothing to adapt, nothing to pay
        }
        long spinUntil = 0;
        if (budget != null) {
            budget.begin();
        }
        long spinFor = budget == null ? spinNs : budget.spinNs();
        int yieldCount = budget == null ? yields : budget.yields();
        boolean spinning = !idle;
        int spins = 0;
        int yielded = idle ? yieldCount : 0;
        boolean slept = false;
        long firstSleepNs = 0;
        while ((available = dependentSequence.get()) < sequence) {
            try {
                barrier.checkAlert();
            } catch (AlertException e) {
                // Ended by the deadline (or a stop) after sleeping: the peer did not move. Not for a stop-only wait: a
                // local stop does not bump the word it sleeps on, so its spin and yields must come first every time.
                idle = slept && !stopOnly;
                if (slept && budget != null) {
                    budget.slept(Long.MAX_VALUE);
                }
                throw e;
            }
            if (spinning) {
                if (spinUntil == 0) {
                    spinUntil = System.nanoTime() + spinFor;
                }
                // Reads the clock every 64 spins only.
                if ((++spins & 63) != 0 || System.nanoTime() - spinUntil < 0) {
                    Thread.onSpinWait();
                    continue;
                }
                spinning = false;
            }
            if (yielded < yieldCount) {
                yielded++;
                Thread.yield();
                continue;
            }
            if (stopOnly) {
                spot.sleep(beforeStopOnlySleep(spot, barrier), sleepTimeoutNs(barrier));
                slept = true;
                continue;
            }
            int wake = spot.wakeValue(sequence);
            spot.announce(wake);
            try {
                if ((available = dependentSequence.get()) >= sequence) {
                    break; // (after the withdrawal) the re-check found it: no sleep this time
                }
                barrier.checkAlert();
                if (!spot.targetBlocks(sequence)) {
                    continue; // the peer chosen to sleep on moved meanwhile: another one blocks now
                }
                long timeout = sleepTimeoutNs(barrier);
                if (!slept && budget != null) {
                    firstSleepNs = System.nanoTime(); // one clock read per sleeping wait: a system call follows anyway
                }
                spot.sleep(wake, timeout);
                slept = true;
            } finally {
                spot.withdraw();
            }
        }
        idle = false;
        if (budget != null) {
            if (slept) {
                budget.slept(System.nanoTime() - firstSleepNs);
            } else {
                budget.caught();
            }
        }
        return available;
    }

    @Override
    public void signalAllWhenBlocking() {
        // Waking is the peer Waker's job: it knows whether anyone is parked.
    }
}
