package io.aperture;

import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.Platform;

/** Pins test threads to CPUs (Linux {@code sched_setaffinity} through JNA), so that two threads truly race. */
final class CpuAffinity {
    private CpuAffinity() {
    }

    private interface LibC extends Library {
        int sched_setaffinity(int pid, long cpuSetSize, long[] mask);
    }

    /**
     * Pins the calling thread to {@code cpu} when the machine has more CPUs than that; returns whether it
     * did (false off Linux, on a single CPU, or when the call fails).
     */
    static boolean pinCallingThread(int cpu) {
        if (!Platform.isLinux() || cpu >= Math.min(64, Runtime.getRuntime().availableProcessors())) {
            return false;
        }
        try {
            LibC libc = Native.load(Platform.C_LIBRARY_NAME, LibC.class);
            return libc.sched_setaffinity(0, Long.BYTES, new long[] {1L << cpu}) == 0; // pid 0: this thread
        } catch (Throwable e) {
            return false;
        }
    }
}
