package io.aperture.internal.section;

import io.aperture.ApertureException;
import io.aperture.CorruptSectionException;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystems;
import java.nio.file.LinkOption;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Names, creation and removal of section files. A section is never truncated or re-initialised in place:
 * it is written in full under no name (a temporary file, mode set exactly, not through the umask; or a sealed
 * memory, {@link SectionStore}), locked, then given its final name with link(2) or symlink(2), which fail if the
 * name exists: a reader that finds the final name finds a complete section, and two creators cannot both win.
 * Names are never followed when they are compared or removed; {@link #checkEntry} says what may be opened.
 */
public final class ChannelFiles {
    static final Set<PosixFilePermission> FILE_MODE = PosixFilePermissions.fromString("rw-------");
    static final Set<PosixFilePermission> DIRECTORY_MODE = PosixFilePermissions.fromString("rwx------");
    private static final Pattern CHANNEL_NAME = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9_.-]{0,99}");
    /** No '.' in a producer name: {@code <channel>.p-<producer>} then names one channel and one producer only. */
    private static final Pattern PRODUCER_NAME = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9_-]{0,63}");
    /** Between a logical channel and a producer name in the name of that producer's own channel. */
    public static final String PRODUCER_INFIX = ".p-";
    private static final String RING_SUFFIX = ".ring";
    private static final Pattern SEALED_TARGET = Pattern.compile("/proc/([0-9]{1,10})/fd/([0-9]{1,10})");
    private static final boolean POSIX = FileSystems.getDefault().supportedFileAttributeViews().contains("posix");

    private ChannelFiles() {
    }

    /** {@code /dev/shm/aperture-<uid>} where {@code /dev/shm} exists, else {@code <java.io.tmpdir>/aperture-<user>}. */
    public static Path defaultDirectory() {
        Path shm = Path.of("/dev/shm");
        if (Files.isDirectory(shm) && Files.isWritable(shm)) {
            return shm.resolve("aperture-" + userId());
        }
        return Path.of(System.getProperty("java.io.tmpdir")).resolve("aperture-" + userId());
    }

    private static String userId() {
        try {
            return String.valueOf(Files.getAttribute(Path.of("/proc/self"), "unix:uid"));
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
            return System.getProperty("user.name", "user").replaceAll("[^A-Za-z0-9_.-]", "_");
        }
    }

    public static void validateChannelName(String channel) {
        if (channel == null || !CHANNEL_NAME.matcher(channel).matches()) {
            throw new IllegalArgumentException("channel name '" + channel
                + "' must be 1 to 100 characters of [A-Za-z0-9_.-], not starting with '.' or '-'");
        }
    }

    /**
     * The channel of producer {@code producer} on logical channel {@code channel}: {@code <channel>.p-<producer>},
     * itself a valid channel name.
     */
    public static String producerChannel(String channel, String producer) {
        validateChannelName(channel);
        if (producer == null || !PRODUCER_NAME.matcher(producer).matches()) {
            throw new IllegalArgumentException("producer name '" + producer
                + "' must be 1 to 64 characters of [A-Za-z0-9_-], not starting with '-'");
        }
        String name = channel + PRODUCER_INFIX + producer;
        if (name.length() > 100) {
            throw new IllegalArgumentException("producer channel name '" + name + "' of channel '" + channel
                + "' and producer '" + producer + "' is " + name.length() + " characters > 100");
        }
        return name;
    }

    /**
     * The producer whose ring file is {@code fileName} on logical channel {@code channel}, or null when
     * {@code fileName} is not {@code <channel>.p-<producer>.ring} with a valid producer name.
     */
    public static String producerOfRing(String channel, String fileName) {
        String prefix = channel + PRODUCER_INFIX;
        if (!fileName.startsWith(prefix) || !fileName.endsWith(RING_SUFFIX)) {
            return null;
        }
        String producer = fileName.substring(prefix.length(), fileName.length() - RING_SUFFIX.length());
        return PRODUCER_NAME.matcher(producer).matches() ? producer : null;
    }

    /** Creates the directory (mode 0700) if missing and checks that it can be written. */
    public static void ensureDirectory(Path directory) {
        try {
            if (!Files.isDirectory(directory)) {
                if (POSIX) {
                    Files.createDirectories(directory, PosixFilePermissions.asFileAttribute(DIRECTORY_MODE));
                    Files.setPosixFilePermissions(directory, DIRECTORY_MODE);
                } else {
                    Files.createDirectories(directory);
                }
            }
        } catch (FileAlreadyExistsException e) {
            throw new ApertureException("section directory " + directory + " exists and is not a directory", e);
        } catch (IOException e) {
            throw new ApertureException("cannot create section directory " + directory + ": " + e, e);
        }
        if (!Files.isWritable(directory)) {
            throw new ApertureException("section directory " + directory + " is not writable");
        }
        checkOwnership(directory);
    }

    /**
     * A section directory must belong to this user and be writable by nobody else: otherwise another user
     * could replace sections or plant links in it.
     */
    private static void checkOwnership(Path directory) {
        if (!POSIX) {
            return;
        }
        try {
            Object owner = Files.getAttribute(directory, "unix:uid");
            Object self = Files.getAttribute(Path.of("/proc/self"), "unix:uid");
            if (!owner.equals(self)) {
                throw new ApertureException("section directory " + directory + " belongs to uid " + owner
                    + ", not to this process's uid " + self);
            }
            Set<PosixFilePermission> mode = Files.getPosixFilePermissions(directory);
            if (mode.contains(PosixFilePermission.GROUP_WRITE) || mode.contains(PosixFilePermission.OTHERS_WRITE)) {
                throw new ApertureException("section directory " + directory + " has mode "
                    + PosixFilePermissions.toString(mode) + ": writable by other users");
            }
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
            // no unix attributes here (not Linux): nothing more to check
        }
    }

    public static Path ringPath(Path directory, String channel) {
        return directory.resolve(channel + ".ring");
    }

    public static Path subscriberPath(Path directory, String channel, int index) {
        return directory.resolve(channel + ".sub-" + index);
    }

    /** A new file of {@code length} zero bytes under a random temporary name, mode 0600 exactly. */
    public static Path createTemporary(Path directory, String baseName, long length) {
        Path temporary = directory.resolve("." + baseName + "." + Long.toHexString(ThreadLocalRandom.current().nextLong())
            + ".tmp");
        try (FileChannel channel = POSIX
            ? FileChannel.open(temporary, Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.READ,
                StandardOpenOption.WRITE), PosixFilePermissions.asFileAttribute(FILE_MODE))
            : FileChannel.open(temporary, StandardOpenOption.CREATE_NEW, StandardOpenOption.READ,
                StandardOpenOption.WRITE)) {
            if (POSIX) {
                Files.setPosixFilePermissions(temporary, FILE_MODE);
            }
            channel.write(ByteBuffer.allocate(1), length - 1);
            return temporary;
        } catch (AccessDeniedException e) {
            throw new ApertureException("section directory " + directory + " is not writable: " + e.getMessage(), e);
        } catch (IOException e) {
            deleteQuietly(temporary);
            throw new ApertureException("cannot create section file " + temporary + " of " + length + " bytes: " + e, e);
        }
    }

    /** Links a complete section to {@code target} only if no file has that name; false when one has. */
    public static boolean linkIntoPlace(Path temporary, Path target) {
        try {
            Files.createLink(target, temporary);
            return true;
        } catch (FileAlreadyExistsException e) {
            return false;
        } catch (IOException | UnsupportedOperationException e) {
            throw new ApertureException("cannot link section " + temporary + " to " + target + ": " + e, e);
        }
    }

    /**
     * The identity of the directory entry {@code path} (the file, or the link itself for a sealed section: never
     * followed), or null when there is none: what {@link #deleteIfSame} compares.
     */
    public static Object fileKey(Path path) {
        try {
            return Files.readAttributes(path, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS).fileKey();
        } catch (NoSuchFileException e) {
            return null;
        } catch (IOException e) {
            return null;
        }
    }

    /** Deletes {@code path} only if it is still the file identified by {@code fileKey}. */
    public static void deleteIfSame(Path path, Object fileKey) {
        Object current = fileKey(path);
        if (current != null && current.equals(fileKey)) {
            deleteQuietly(path);
        }
    }

    /** Whether {@code path} names anything, a link whose target is gone included (never followed). */
    public static boolean present(Path path) {
        return Files.exists(path, LinkOption.NOFOLLOW_LINKS);
    }

    /** What the link of a sealed section points at: its owner's descriptor of the memory. */
    public static Path sealedLinkTarget(long pid, int fd) {
        return Path.of("/proc/" + pid + "/fd/" + fd);
    }

    /**
     * Checks what the name {@code path} is before it is opened: a regular file, or a link to a sealed section that
     * its owner still holds ({@code /proc/<pid>/fd/<n>}, itself {@code /memfd:aperture:...}). Nothing else is opened:
     * a FIFO would block the opener, and a link may lead anywhere.
     *
     * @throws NoSuchFileException    when nothing has the name
     * @throws OwnerGone              when the name is a sealed section's link whose owner no longer holds it
     * @throws CorruptSectionException when the name is anything else, naming what it is
     */
    public static void checkEntry(Path path) throws IOException {
        String name = path.getFileName().toString();
        BasicFileAttributes entry = Files.readAttributes(path, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        if (entry.isRegularFile()) {
            return;
        }
        if (!entry.isSymbolicLink()) {
            throw new CorruptSectionException(name, 0, "not a regular file nor a sealed section's link");
        }
        Path target = Files.readSymbolicLink(path);
        Matcher owner = SEALED_TARGET.matcher(target.toString());
        if (!owner.matches()) {
            throw new CorruptSectionException(name, 0, "a link to " + target + ", not to a sealed section's owner "
                + "(/proc/<pid>/fd/<n>)");
        }
        long pid = Long.parseLong(owner.group(1));
        String memory;
        try {
            memory = Files.readSymbolicLink(target).toString();
        } catch (NoSuchFileException | AccessDeniedException e) {
            // Gone, or a process of another user now has the pid: either way not the owner that made the link.
            throw new OwnerGone(path, pid);
        } catch (IOException e) {
            throw new CorruptSectionException(name, 0, "the link to " + target + " cannot be followed: " + e);
        }
        if (!memory.startsWith("/memfd:" + SealedMemory.NAME_PREFIX)) {
            // The owner's descriptor number now holds something else: the owner closed the section (or died and
            // its pid was reused), and what the link reaches is not this channel's.
            throw new OwnerGone(path, pid);
        }
    }

    /** A sealed section's link whose owner no longer holds the memory: it closed the section, or its process ended. */
    public static final class OwnerGone extends NoSuchFileException {
        private static final long serialVersionUID = 1L;
        /** The pid the link named. */
        public final long pid;

        OwnerGone(Path path, long pid) {
            super(path.toString(), null, "sealed section left by pid " + pid + ", which no longer holds it");
            this.pid = pid;
        }
    }

    public static void deleteQuietly(Path path) {
        try {
            Files.deleteIfExists(path);
        } catch (IOException ignored) {
            // Best effort: a leftover file is cleaned by the next create of the channel.
        }
    }
}
