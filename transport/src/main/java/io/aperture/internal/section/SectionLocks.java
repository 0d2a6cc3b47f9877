package io.aperture.internal.section;

import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Platform;
import io.aperture.ApertureException;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;

/**
 * Open file description (OFD) locks on Linux ({@code fcntl} with {@code F_OFD_SETLK} and {@code F_OFD_GETLK}),
 * through JNA direct mapping, on a descriptor opened for the lock alone. The liveness lock each side holds on its
 * own section file ({@link PeerLiveness}) is one.
 *
 * <p>Why not {@link java.nio.channels.FileChannel#tryLock()}: on Unix it takes a POSIX record lock, which belongs
 * to the process, and the kernel drops every one the process holds on a file when the process closes <em>any</em>
 * descriptor of that file. A subscriber in the publisher's JVM closes its own descriptor of the ring when it ends,
 * and that used to free the publisher's lock: subscribers in other processes then took the publisher for dead.
 * An OFD lock belongs to its open file description and goes only when that description's last descriptor is
 * closed, or the process dies. OFD and POSIX locks conflict with each other, so a peer probing with either kind
 * sees the other's lock.
 *
 * <p>Unavailable off Linux or on an architecture whose {@code struct flock} layout is not known here: callers then
 * use {@code FileChannel} locks (on Windows those belong to the handle and have no such hazard).
 */
public final class SectionLocks {
    private static final int O_RDONLY = 0;
    private static final int O_RDWR = 2;
    private static final int O_CLOEXEC = 0x80000;
    private static final int F_OFD_GETLK = 36;
    private static final int F_OFD_SETLK = 37;
    private static final short F_RDLCK = 0;
    private static final short F_WRLCK = 1;
    private static final short F_UNLCK = 2;
    private static final int EINTR = 4;
    private static final int EAGAIN = 11;
    private static final int EACCES = 13;
    /** {@code struct flock} on LP64 Linux: l_type (short) at 0, l_whence (short) at 2, l_start at 8, l_len at 16, l_pid at 24. */
    private static final int FLOCK_LENGTH = 32;
    private static final int L_START = 8;
    private static final int L_LEN = 16;
    private static final int L_PID = 24;

    /** OFD locks can be used here (Linux on x86_64 or aarch64, JNA loaded). */
    public static final boolean AVAILABLE = register();

    private SectionLocks() {
    }

    private static boolean register() {
        if (!Platform.isLinux() || !Platform.is64Bit() || !(Platform.isIntel() || Platform.isARM())) {
            return false;
        }
        try {
            Native.register(SectionLocks.class, NativeLibrary.getInstance(Platform.C_LIBRARY_NAME));
            return true;
        } catch (Throwable e) {
            return false; // no native access: FileChannel locks instead
        }
    }

    private static native int open(String path, int flags);

    private static native int close(int fd);

    private static native int fcntl(int fd, int cmd, ByteBuffer flock);

    /** A {@code struct flock} for the whole file (start 0, length 0: to the end, however long). */
    public static ByteBuffer newFlock() {
        return ByteBuffer.allocateDirect(FLOCK_LENGTH).order(ByteOrder.nativeOrder());
    }

    private static void whole(ByteBuffer flock, short type) {
        flock.putShort(0, type);
        flock.putShort(2, (short) 0); // SEEK_SET
        flock.putLong(L_START, 0L);
        flock.putLong(L_LEN, 0L);
        flock.putInt(L_PID, 0); // must be 0 for OFD locks
    }

    /**
     * Opens {@code path} for reading and writing and takes an exclusive OFD lock on the whole file; returns the
     * descriptor, which holds the lock until {@link #release}. Throws {@link ApertureException} when another
     * description holds a lock (naming the file), or when the system refuses.
     */
    public static int lockExclusive(Path path, String fileName) {
        int fd = open(path.toString(), O_RDWR | O_CLOEXEC);
        if (fd < 0) {
            throw new ApertureException("cannot open section " + fileName + " to lock it: errno " + Native.getLastError());
        }
        ByteBuffer flock = newFlock();
        whole(flock, F_WRLCK);
        int result;
        do {
            result = fcntl(fd, F_OFD_SETLK, flock);
        } while (result < 0 && Native.getLastError() == EINTR);
        if (result < 0) {
            int errno = Native.getLastError();
            close(fd);
            if (errno == EAGAIN || errno == EACCES) { // held by another open file description
                throw new ApertureException("section " + fileName + " is locked by another process");
            }
            throw new ApertureException("cannot lock section " + fileName + ": errno " + errno);
        }
        return fd;
    }

    /** Opens {@code path} read-only, to probe the lock on it; returns the descriptor, or -1 (errno) when it cannot. */
    public static int openProbe(Path path) {
        return open(path.toString(), O_RDONLY | O_CLOEXEC);
    }

    /**
     * Whether any other open file description, of any process, holds a lock on the file of {@code fd}: true when
     * one does, false when none, null when the system refused to say.
     */
    public static Boolean heldByAnother(int fd, ByteBuffer flock) {
        whole(flock, F_RDLCK);
        int result;
        do {
            result = fcntl(fd, F_OFD_GETLK, flock);
        } while (result < 0 && Native.getLastError() == EINTR);
        if (result < 0) {
            return null;
        }
        // The kernel wrote back the first conflicting lock, or F_UNLCK in l_type when none conflicts.
        return flock.getShort(0) != F_UNLCK;
    }

    /** Closes a descriptor from {@link #lockExclusive} or {@link #openProbe}: its lock, if any, goes with it. */
    public static void release(int fd) {
        if (fd >= 0) {
            close(fd);
        }
    }
}
