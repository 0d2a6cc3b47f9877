package io.aperture.internal.section;

/** A process as named in a section header: pid plus start time, so a reused pid is not mistaken for its owner. */
public final class ProcessIdentity {
    public static final long UNKNOWN_START = -1L;
    public static final ProcessIdentity CURRENT = SectionPlatform.current().currentProcess();

    public final long pid;
    public final long startEpochMs;

    public ProcessIdentity(long pid, long startEpochMs) {
        this.pid = pid;
        this.startEpochMs = startEpochMs;
    }

    /** This process: same pid and, where both are known, same start (another pid namespace may reuse the pid). */
    public boolean isCurrentProcess() {
        return pid == CURRENT.pid && startsMatch(startEpochMs, CURRENT.startEpochMs);
    }

    static boolean startsMatch(long a, long b) {
        // Start instants are derived from clock ticks; allow a little rounding between readers.
        return a == UNKNOWN_START || b == UNKNOWN_START || Math.abs(a - b) <= 1000L;
    }

    /**
     * True while a process with this pid runs and, where both start times are known, started at the same time
     * ({@link SectionPlatform#isAlive}).
     */
    public boolean isAlive() {
        return SectionPlatform.current().isAlive(this);
    }

    @Override
    public String toString() {
        return "pid " + pid;
    }
}
