package io.aperture.internal.waiting;

import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Platform;
import com.sun.jna.Pointer;
import io.aperture.Waiting;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Linux futex on a 32-bit word of a mapped section, through JNA <em>direct mapping</em>
 * ({@link Native#register}): a static native method bound once, no per-call reflection or proxy.
 * The futex is shared (no {@code FUTEX_PRIVATE_FLAG}): the kernel keys it by the file's inode and offset,
 * so a waiter in one process is woken by a waker in another. A waiter may wait on a read-only mapping.
 *
 * <p>Unavailable (and never called) off Linux or on architectures whose syscall number is not known here;
 * {@link Waiting#BLOCKING} then falls back to timed parking.
 */
public final class Futex {
    private static final int FUTEX_WAIT = 0;
    private static final int FUTEX_WAKE = 1;
    private static final long SYS_FUTEX = syscallNumber();
    public static final boolean AVAILABLE = register();

    private Futex() {
    }

    private static long syscallNumber() {
        if (!Platform.isLinux() || !Platform.is64Bit()) {
            return -1;
        }
        if (Platform.isIntel()) {
            return 202; // x86_64
        }
        if (Platform.isARM()) {
            return 98; // aarch64
        }
        return -1;
    }

    private static boolean register() {
        if (SYS_FUTEX < 0) {
            return false;
        }
        try {
            Native.register(Futex.class, NativeLibrary.getInstance(Platform.C_LIBRARY_NAME));
            return true;
        } catch (Throwable e) {
            return false; // no native access (e.g. JNA cannot unpack its stub): timed parking instead
        }
    }

    /** glibc's {@code long syscall(long number, ...)}: integer arguments only, passed in registers. */
    private static native long syscall(long number, long uaddr, long op, long val, long timeout, long uaddr2, long val3);

    /** Native address of byte {@code offset} of a direct (mapped) buffer. */
    public static long address(ByteBuffer buffer, int offset) {
        Pointer base = Native.getDirectBufferPointer(buffer);
        return Pointer.nativeValue(base) + offset;
    }

    /** A 16-byte {@code struct timespec} for one waiting thread. */
    public static ByteBuffer newTimespec() {
        return ByteBuffer.allocateDirect(16).order(ByteOrder.nativeOrder());
    }

    /**
     * Sleeps while the word at {@code address} holds {@code expected}, at most {@code timeoutNs}. Returns on
     * a wake, a timeout, a signal, or at once when the word already differs; the caller re-checks its
     * condition in every case. {@code timespec} belongs to the calling thread.
     */
    public static void await(long address, int expected, long timeoutNs, ByteBuffer timespec, long timespecAddress) {
        timespec.putLong(0, timeoutNs / 1_000_000_000L);
        timespec.putLong(8, timeoutNs % 1_000_000_000L);
        syscall(SYS_FUTEX, address, FUTEX_WAIT, expected, timespecAddress, 0L, 0L);
    }

    /** Wakes every waiter on the word at {@code address}. */
    public static void wakeAll(long address) {
        syscall(SYS_FUTEX, address, FUTEX_WAKE, Integer.MAX_VALUE, 0L, 0L, 0L);
    }
}
