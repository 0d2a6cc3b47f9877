package io.aperture;

import java.time.Instant;
import java.util.Optional;

/** A process as named in a section header: pid plus start time, so a reused pid is not mistaken for its owner. */
final class ProcessIdentity {
    static final long UNKNOWN_START = -1L;
    static final ProcessIdentity CURRENT = current();

    final long pid;
    final long startEpochMs;

    ProcessIdentity(long pid, long startEpochMs) {
        this.pid = pid;
        this.startEpochMs = startEpochMs;
    }

    private static ProcessIdentity current() {
        ProcessHandle self = ProcessHandle.current();
        return new ProcessIdentity(self.pid(), startOf(self));
    }

    static long startOf(ProcessHandle handle) {
        Optional<Instant> start = handle.info().startInstant();
        return start.map(Instant::toEpochMilli).orElse(UNKNOWN_START);
    }

    boolean isCurrentProcess() {
        return pid == CURRENT.pid;
    }

    /** True while a process with this pid runs and, where both start times are known, started at the same time. */
    boolean isAlive() {
        if (isCurrentProcess()) {
            return true;
        }
        if (pid <= 0) {
            return false;
        }
        Optional<ProcessHandle> handle = ProcessHandle.of(pid);
        if (handle.isEmpty() || !handle.get().isAlive()) {
            return false;
        }
        long start = startOf(handle.get());
        // Start instants are derived from clock ticks; allow a little rounding between readers.
        return startEpochMs == UNKNOWN_START || start == UNKNOWN_START || Math.abs(start - startEpochMs) <= 1000L;
    }

    @Override
    public String toString() {
        return "pid " + pid;
    }
}
