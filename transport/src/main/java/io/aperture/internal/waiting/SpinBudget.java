package io.aperture.internal.waiting;

/**
 * How long a {@link FutexWaitStrategy} spins and yields before it sleeps, adapted to how its last waits ended
 * (waiting thread only). Spinning pays only when the peer answers within the spin. A wait that ends while spinning
 * or yielding restores the full budget; a wait that slept longer than {@link #LONG_SLEEP_NS} halves it, down to
 * nothing. So a subscriber fed one message every few hundred µs stops spinning and yielding after each one (most
 * of its CPU, for no gain: it slept anyway), and one fed back to back keeps the full spin.
 *
 * <p>A short sleep changes nothing. Its length is mostly the futex's own wake-up (10 µs or more on a virtual
 * machine), so it cannot tell whether a longer spin would have caught the message. And on a loaded machine a spinning
 * waiter that loses its CPU sleeps now and then even when the peer answers in a µs: halving on those would spiral
 * the spin down in a ping-pong. While the budget is cut, every {@value #PROBE_EVERY}th wait probes with the full
 * budget, and a probe that catches its message restores it.
 *
 * <p>Only the phase before the announcement changes: the park/wake protocol after it is the same for every budget.
 */
public final class SpinBudget {
    /** Below this the spin is dropped altogether. */
    static final long MIN_SPIN_NS = 500L;
    /** While the budget is cut, one wait in this many spins and yields in full; a power of 2. */
    public static final int PROBE_EVERY = 16;
    /** A sleep at least this long says the peer is slow to answer: far beyond any spin and any futex wake-up. */
    public static final long LONG_SLEEP_NS = 200_000L;

    private final long maxSpinNs;
    private final int maxYields;
    private long budgetNs;
    private int waits;
    private long spinNs;
    private int yields;

    public SpinBudget(long maxSpinNs, int maxYields) {
        if (maxSpinNs < 0 || maxYields < 0) {
            throw new IllegalArgumentException("spin " + maxSpinNs + " ns and yields " + maxYields + " must be >= 0");
        }
        this.maxSpinNs = maxSpinNs;
        this.maxYields = maxYields;
        this.budgetNs = maxSpinNs;
        begin();
    }

    /** Sets the spin and yields of the wait that starts now: the budget, or all of it for a probe. */
    public void begin() {
        boolean probe = budgetNs < maxSpinNs && (++waits & (PROBE_EVERY - 1)) == 0; // PROBE_EVERY: a power of 2
        spinNs = probe ? maxSpinNs : budgetNs;
        yields = spinNs == maxSpinNs ? maxYields : (int) (maxYields * spinNs / maxSpinNs); // no division when full
    }

    /** This wait's spin before the yields, in ns (the strategy still spins 63 times before its first clock read). */
    public long spinNs() {
        return spinNs;
    }

    /** This wait's yields after the spin: the full count with the full spin, in proportion below it. */
    public int yields() {
        return yields;
    }

    /** The budget of the waits that are not probes, in ns. */
    public long budgetNs() {
        return budgetNs;
    }

    /** The wait ended while spinning or yielding: the peer answers within the budget; restore all of it. */
    public void caught() {
        budgetNs = maxSpinNs;
    }

    /**
     * The wait slept, and its condition held {@code sleptNs} after it first went to sleep (Long.MAX_VALUE when it
     * ended by its deadline or a stop): a long sleep halves the budget, below {@link #MIN_SPIN_NS} to nothing; a
     * short one changes nothing.
     */
    public void slept(long sleptNs) {
        if (sleptNs >= LONG_SLEEP_NS) {
            budgetNs = budgetNs / 2 < MIN_SPIN_NS ? 0 : budgetNs / 2;
        }
    }
}
