package io.aperture.internal.section;

import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Platform;
import io.aperture.ApertureException;

/**
 * Anonymous shared memory that no process can shrink or grow: {@code memfd_create(2)} with
 * {@code MFD_ALLOW_SEALING}, sized once with {@code ftruncate}, then sealed with {@code F_SEAL_SHRINK | F_SEAL_GROW |
 * F_SEAL_SEAL} ({@code fcntl(F_ADD_SEALS)}), through JNA direct mapping of libc. Every later {@code ftruncate} of the
 * memory, by any process and through any descriptor or path, fails with {@code EPERM}: a mapping of it can never
 * lose its pages, so no access to it can fault. Linux 3.17 and later, glibc 2.27 and later; {@link #AVAILABLE}
 * says whether this process has it.
 */
public final class SealedMemory {
    /** The prefix of every section's memfd name; {@code /proc/<pid>/fd/<n>} of one reads {@code /memfd:<prefix>...}. */
    public static final String NAME_PREFIX = "aperture:";
    private static final int MFD_CLOEXEC = 0x1;
    private static final int MFD_ALLOW_SEALING = 0x2;
    private static final int F_ADD_SEALS = 1033;
    private static final int F_SEAL_SEAL = 0x1;
    private static final int F_SEAL_SHRINK = 0x2;
    private static final int F_SEAL_GROW = 0x4;
    /** The seals every section carries. */
    static final int SEALS = F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW;
    private static final int MODE_0600 = 0x180;
    private static final int EINTR = 4;

    /** Sealed memory can be made here: Linux on x86-64 or aarch64, JNA loaded, and libc has {@code memfd_create}. */
    public static final boolean AVAILABLE = register();

    private SealedMemory() {
    }

    private static boolean register() {
        if (!Platform.isLinux() || !Platform.is64Bit() || !(Platform.isIntel() || Platform.isARM())) {
            return false;
        }
        try {
            Native.register(SealedMemory.class, NativeLibrary.getInstance(Platform.C_LIBRARY_NAME));
        } catch (Throwable e) {
            return false; // no native access, or a libc without memfd_create: plain files instead
        }
        int probe = memfd_create(NAME_PREFIX + "probe", MFD_CLOEXEC | MFD_ALLOW_SEALING);
        if (probe < 0) {
            return false; // a kernel without memfd (before 3.17), or a sandbox that refuses it
        }
        close(probe);
        return true;
    }

    private static native int memfd_create(String name, int flags);

    private static native int ftruncate(int fd, long length);

    private static native int fcntl(int fd, int cmd, int arg);

    private static native int fchmod(int fd, int mode);

    private static native int close(int fd);

    /**
     * A new sealed memory of {@code length} zero bytes named {@code NAME_PREFIX + name} (the name is only shown in
     * {@code /proc}; it need not be unique), mode 0600: its descriptor, which the caller closes ({@link #release}).
     *
     * @throws ApertureException when the system refuses one of the steps, naming it and the errno
     */
    public static int create(String name, long length) {
        if (!AVAILABLE) {
            throw new ApertureException("sealed memory (memfd_create) is not available on this system");
        }
        int fd = memfd_create(NAME_PREFIX + name, MFD_CLOEXEC | MFD_ALLOW_SEALING);
        if (fd < 0) {
            throw new ApertureException("memfd_create for section " + name + " failed: errno " + Native.getLastError());
        }
        boolean done = false;
        try {
            check(fchmod(fd, MODE_0600), "fchmod 0600", name);
            int result;
            do {
                result = ftruncate(fd, length);
            } while (result < 0 && Native.getLastError() == EINTR);
            check(result, "ftruncate to " + length + " bytes", name);
            check(fcntl(fd, F_ADD_SEALS, SEALS), "F_ADD_SEALS", name);
            done = true;
            return fd;
        } finally {
            if (!done) {
                close(fd);
            }
        }
    }

    private static void check(int result, String step, String name) {
        if (result < 0) {
            throw new ApertureException(step + " of sealed section " + name + " failed: errno " + Native.getLastError());
        }
    }

    /** Closes a descriptor from {@link #create}; the memory lives on while a mapping or another descriptor holds it. */
    public static void release(int fd) {
        if (fd >= 0) {
            close(fd);
        }
    }
}
