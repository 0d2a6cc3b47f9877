package io.aperture.internal.section;

import java.time.Instant;
import java.util.Optional;

/** A process as named in a section header: pid plus start time, so a reused pid is not mistaken for its owner. */
public final class ProcessIdentity {
    public static final long UNKNOWN_START = -1L;
    public static final ProcessIdentity CURRENT = current();

    public final long pid;
    public final long startEpochMs;

    public ProcessIdentity(long pid, long startEpochMs) {
        this.pid = pid;
        this.startEpochMs = startEpochMs;
    }

    private static ProcessIdentity current() {
        ProcessHandle self = ProcessHandle.current();
        return new ProcessIdentity(self.pid(), startOf(self));
    }

    public static long startOf(ProcessHandle handle) {
        Optional<Instant> start = handle.info().startInstant();
        return start.map(Instant::toEpochMilli).orElse(UNKNOWN_START);
    }

    /** This process: same pid and, where both are known, same start (another pid namespace may reuse the pid). */
    public boolean isCurrentProcess() {
        return pid == CURRENT.pid && startsMatch(startEpochMs, CURRENT.startEpochMs);
    }

    private static boolean startsMatch(long a, long b) {
        // Start instants are derived from clock ticks; allow a little rounding between readers.
        return a == UNKNOWN_START || b == UNKNOWN_START || Math.abs(a - b) <= 1000L;
    }

    /** True while a process with this pid runs and, where both start times are known, started at the same time. */
    public boolean isAlive() {
        if (isCurrentProcess()) {
            return true;
        }
        if (pid == CURRENT.pid) {
            return false; // our pid, another start: a process of another pid namespace, gone or not, is not visible
        }
        if (pid <= 0) {
            return false;
        }
        Optional<ProcessHandle> handle = ProcessHandle.of(pid);
        if (handle.isEmpty() || !handle.get().isAlive()) {
            return false;
        }
        return startsMatch(startEpochMs, startOf(handle.get()));
    }

    @Override
    public String toString() {
        return "pid " + pid;
    }
}
