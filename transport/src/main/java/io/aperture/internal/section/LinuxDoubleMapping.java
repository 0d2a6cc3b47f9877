package io.aperture.internal.section;

import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Platform;
import com.sun.jna.Pointer;

import java.lang.ref.Cleaner;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;

/**
 * The {@link DoubleMapping} of {@link LinuxSectionPlatform}: a ring file mapped with its slot area twice, back to
 * back. Linux only, through JNA direct mapping of libc: a
 * {@code PROT_NONE} reservation of {@code h + 2n} bytes, then two {@code MAP_SHARED | MAP_FIXED} views of the
 * file inside it.
 *
 * <p><b>Unmapping.</b> A use of the memory after {@code munmap} would crash the JVM, so nothing unmaps
 * while a reference may remain: the views are released by a {@link Cleaner} once the buffer (and every view
 * derived from it, which keeps it reachable) is unreachable, exactly as the JDK releases a
 * {@code MappedByteBuffer}. {@link #close()} only closes the descriptor.
 *
 * <p><b>Descriptors.</b> The descriptor used for {@code mmap} stays open until {@link #close()}, which the
 * owner calls when it closes its {@code FileChannel} to the same file. Where the liveness lock is a POSIX lock
 * (no OFD locks, {@link SectionLocks}), closing any descriptor of the file would drop it.
 */
final class LinuxDoubleMapping implements DoubleMapping {
    private static final int PROT_NONE = 0;
    private static final int PROT_READ = 1;
    private static final int PROT_WRITE = 2;
    private static final int MAP_SHARED = 0x01;
    private static final int MAP_PRIVATE = 0x02;
    private static final int MAP_FIXED = 0x10;
    private static final int MAP_ANONYMOUS = 0x20;
    private static final int O_RDONLY = 0;
    private static final int O_RDWR = 2;
    private static final int O_CLOEXEC = 0x80000;
    private static final long PAGE = 4096;
    private static final Cleaner CLEANER = Cleaner.create();

    /** True where double mapping can be tried: Linux on x86-64 or aarch64, with JNA's native access. */
    static final boolean SUPPORTED = register();

    private final ByteBuffer buffer;
    private int fd;

    private LinuxDoubleMapping(ByteBuffer buffer, int fd) {
        this.buffer = buffer;
        this.fd = fd;
    }

    private static boolean register() {
        if (!Platform.isLinux() || !Platform.is64Bit() || !(Platform.isIntel() || Platform.isARM())) {
            return false;
        }
        try {
            Native.register(LinuxDoubleMapping.class, NativeLibrary.getInstance(Platform.C_LIBRARY_NAME));
            return true;
        } catch (Throwable e) {
            return false; // no native access: the padding path is used
        }
    }

    private static native Pointer mmap(Pointer address, long length, int protection, int flags, int fd, long offset);

    private static native int munmap(Pointer address, long length);

    private static native int open(String path, int flags);

    private static native int close(int fd);

    /** Whether a slot area of {@code capacity} bytes after a header of {@code header} bytes can be mapped twice. */
    static boolean fits(int header, int capacity) {
        return SUPPORTED && capacity % PAGE == 0 && header % PAGE == 0 && header + 2L * capacity <= Integer.MAX_VALUE;
    }

    /**
     * Maps the file at {@code path} (a header of {@code header} bytes, then {@code capacity} bytes of slots)
     * with its slot area twice; null when the system refuses (the caller then goes without). The buffer is
     * {@code header + 2 * capacity} bytes, native order; read-only unless {@code writable}. The caller checks
     * that it is the file it expects (a name can be replaced between two opens).
     */
    static LinuxDoubleMapping map(Path path, int header, int capacity, boolean writable) {
        if (!fits(header, capacity)) {
            return null;
        }
        long length = header + 2L * capacity;
        int fd = open(path.toString(), (writable ? O_RDWR : O_RDONLY) | O_CLOEXEC);
        if (fd < 0) {
            return null;
        }
        Pointer reserved = mmap(null, length, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (failed(reserved)) {
            close(fd);
            return null;
        }
        long base = Pointer.nativeValue(reserved);
        int protection = writable ? PROT_READ | PROT_WRITE : PROT_READ;
        Pointer first = mmap(reserved, header + (long) capacity, protection, MAP_SHARED | MAP_FIXED, fd, 0);
        Pointer second = failed(first) ? first
            : mmap(new Pointer(base + header + capacity), capacity, protection, MAP_SHARED | MAP_FIXED, fd, header);
        if (failed(first) || failed(second) || Pointer.nativeValue(first) != base
            || Pointer.nativeValue(second) != base + header + capacity) {
            munmap(reserved, length);
            close(fd);
            return null;
        }
        ByteBuffer views = reserved.getByteBuffer(0, length).order(ByteOrder.nativeOrder());
        // The JDK refuses writes to a read-only view before they reach a PROT_READ page (which would crash).
        ByteBuffer buffer = writable ? views : views.asReadOnlyBuffer().order(ByteOrder.nativeOrder());
        CLEANER.register(views, new Unmap(base, length)); // `buffer` keeps `views` reachable
        return new LinuxDoubleMapping(buffer, fd);
    }

    private static boolean failed(Pointer pointer) {
        return pointer == null || Pointer.nativeValue(pointer) == -1L;
    }

    /** {@code header + 2 * capacity} bytes: the file, then its slot area again. */
    @Override
    public ByteBuffer buffer() {
        return buffer;
    }

    /** Closes the descriptor (see the class comment); the memory stays mapped until the buffer is unreachable. */
    @Override
    public synchronized void close() {
        if (fd >= 0) {
            close(fd);
            fd = -1;
        }
    }

    /** Unmaps both views and the reservation; run by the cleaner, never while the buffer is reachable. */
    private static final class Unmap implements Runnable {
        private final long base;
        private final long length;

        Unmap(long base, long length) {
            this.base = base;
            this.length = length;
        }

        @Override
        public void run() {
            munmap(new Pointer(base), length);
        }
    }
}
