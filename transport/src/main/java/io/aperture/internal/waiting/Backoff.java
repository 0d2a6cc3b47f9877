package io.aperture.internal.waiting;

import java.util.concurrent.locks.LockSupport;

/**
 * The one back-off of the waits that poll a condition no peer signals (a file to appear, an admission, the
 * upstream's {@code onSubscribe}): park for a step that starts small and doubles up to a ceiling, never past a
 * deadline. An {@code unpark} of the waiting thread ends a step early. Not thread-safe: one per wait.
 */
public final class Backoff {
    private final long firstNs;
    private final long maxNs;
    private long stepNs;

    /**
     * @param firstNs the first step
     * @param maxNs   the longest step
     */
    public Backoff(long firstNs, long maxNs) {
        if (firstNs <= 0 || maxNs < firstNs) {
            throw new IllegalArgumentException("back-off steps " + firstNs + " to " + maxNs + " ns");
        }
        this.firstNs = firstNs;
        this.maxNs = maxNs;
        this.stepNs = firstNs;
    }

    /** Parks for the next step, or for {@code remainingNs} if that is shorter, then doubles the step. */
    public void park(Object blocker, long remainingNs) {
        LockSupport.parkNanos(blocker, Math.min(stepNs, Math.max(0L, remainingNs)));
        stepNs = Math.min(stepNs << 1, maxNs);
    }

    /** Parks for the next step, then doubles it. */
    public void park(Object blocker) {
        park(blocker, Long.MAX_VALUE);
    }

    /** Starts again from the first step (the condition changed). */
    public void reset() {
        stepNs = firstNs;
    }

    /** The step the next {@link #park} takes at most. */
    public long stepNs() {
        return stepNs;
    }
}
