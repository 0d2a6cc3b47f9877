package io.aperture;

import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Platform;

/**
 * Linux {@code membarrier(2)} with {@code MEMBARRIER_CMD_GLOBAL_EXPEDITED}, through JNA direct mapping: the
 * heavy half of an asymmetric fence. A waiter that calls {@link #heavyBarrier()} after announcing itself makes
 * every running thread of every process that {@linkplain #REGISTERED registered} execute a full memory barrier
 * before the call returns. So a waker in such a process needs only a compiler barrier between its store and
 * its load of the waiter's announcement, where it would otherwise pay a full fence on every store: the
 * store-load order the protocol needs is then supplied, when it matters, by the rare waiter.
 *
 * <pre>
 *   waiter                                 waker (registered process)
 *   parked = w (volatile store)            cursor = c (release store)
 *   membarrier(GLOBAL_EXPEDITED)           compiler barrier only
 *   re-check cursor                        p = parked
 * </pre>
 * Either the waker's load comes after the barrier the call forced on its thread (it sees {@code parked}), or
 * its store came before it (the waiter's re-check sees {@code c}); a thread that was not running when the call
 * ran passed a context switch, which is a full barrier. This is the pairing of Linux's
 * {@code smp_mb()}/{@code barrier()} that user-space RCU and folly's asymmetric barriers use.
 *
 * <p>Unavailable off Linux, on an architecture whose syscall number is not known here, on a kernel older than
 * 4.16 or when a seccomp filter refuses the call: peers then pay the full fence (see {@link Waker}).
 */
final class Membarrier {
    private static final int CMD_QUERY = 0;
    private static final int CMD_GLOBAL_EXPEDITED = 1 << 1;
    private static final int CMD_REGISTER_GLOBAL_EXPEDITED = 1 << 2;
    private static final long SYS_MEMBARRIER = syscallNumber();

    /** This process may call {@link #heavyBarrier()}: the kernel supports it and the first call succeeded. */
    static final boolean AVAILABLE = probe();
    /**
     * This process is registered: heavy barriers issued by any process reach its threads, so its wakers may
     * skip the full fence for waiters that issue them. Registration lasts for the process's lifetime.
     */
    static final boolean REGISTERED = AVAILABLE && syscall(SYS_MEMBARRIER, CMD_REGISTER_GLOBAL_EXPEDITED, 0) == 0;

    private Membarrier() {
    }

    private static long syscallNumber() {
        if (!Platform.isLinux() || !Platform.is64Bit() || Boolean.getBoolean("aperture.noMembarrier")) {
            return -1;
        }
        if (Platform.isIntel()) {
            return 324; // x86_64
        }
        if (Platform.isARM()) {
            return 283; // aarch64
        }
        return -1;
    }

    private static boolean probe() {
        if (SYS_MEMBARRIER < 0) {
            return false;
        }
        try {
            Native.register(Membarrier.class, NativeLibrary.getInstance(Platform.C_LIBRARY_NAME));
            long supported = syscall(SYS_MEMBARRIER, CMD_QUERY, 0);
            int needed = CMD_GLOBAL_EXPEDITED | CMD_REGISTER_GLOBAL_EXPEDITED;
            return supported >= 0 && (supported & needed) == needed
                && syscall(SYS_MEMBARRIER, CMD_GLOBAL_EXPEDITED, 0) == 0;
        } catch (Throwable e) {
            return false; // no native access: every waker pays the full fence
        }
    }

    /** glibc's {@code long syscall(long number, ...)}: integer arguments only, passed in registers. */
    private static native long syscall(long number, long cmd, long flags);

    /**
     * A full memory barrier on every running thread of every registered process, and on this one; only
     * when {@link #AVAILABLE}. Costs a system call and inter-processor interrupts: for the slow path only.
     *
     * @return false if the kernel refused it this time (the caller must then not sleep without a bound)
     */
    static boolean heavyBarrier() {
        return syscall(SYS_MEMBARRIER, CMD_GLOBAL_EXPEDITED, 0) == 0;
    }
}
