package io.aperture.internal.section;

import io.aperture.ApertureException;
import io.aperture.CorruptSectionException;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * One mapped section file, the {@link MappedSection} of {@link LinuxSectionPlatform}: a {@code FileChannel} mapping,
 * and the OFD liveness lock of {@link SectionLocks} (a {@code FileChannel} lock where there is none). The mapping
 * outlives the channel that made it and is released by the garbage collector (there is no supported way to unmap
 * without {@code Unsafe}); so a late access after {@link #close()} reads stale memory instead of crashing the JVM.
 */
final class LinuxMappedSection implements MappedSection {
    private final Path path;
    private final FileChannel channel;
    private final MappedByteBuffer buffer;
    /** The name the section goes by: its file's, or the name it was linked to after it was made under a temporary one. */
    private volatile String name;
    /** The descriptor holding this side's OFD liveness lock on the file ({@link SectionLocks}), or -1. */
    private int lockFd = -1;
    /** Where OFD locks are unavailable: the channel lock held instead. */
    private FileLock channelLock;
    /** A descriptor of the peer's file, opened with the mapping, to probe the peer's OFD lock; -1 when none. */
    private int probeFd = -1;
    private ByteBuffer probeFlock;
    /** What must stay open while the section is named (a sealed section's descriptor), closed last; or null. */
    private AutoCloseable anchor;
    private static final Path PROC_SELF_FD = Path.of("/proc/self/fd");

    private LinuxMappedSection(Path path, FileChannel channel, MappedByteBuffer buffer) {
        this.path = path;
        this.channel = channel;
        this.buffer = buffer;
        this.name = path.getFileName().toString();
    }

    /**
     * Maps an existing section of exactly {@code expectedLength} bytes (any length when negative); one of another
     * length is refused. The name must be a regular file or a sealed section's link ({@link ChannelFiles#checkEntry}).
     *
     * @throws java.nio.file.NoSuchFileException when nothing has the name ({@link ChannelFiles.OwnerGone} when a
     *                                           sealed section's owner no longer holds it)
     */
    static LinuxMappedSection open(Path path, long expectedLength, boolean writable) throws IOException {
        if (!path.startsWith(PROC_SELF_FD)) { // the owner's own descriptor of a section it is making
            ChannelFiles.checkEntry(path);
        }
        FileChannel channel = writable
            ? FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE)
            : FileChannel.open(path, StandardOpenOption.READ);
        try {
            long size = channel.size();
            if (expectedLength >= 0 && size != expectedLength) {
                throw new CorruptSectionException(path.getFileName().toString(), 0,
                    "file length " + size + " != expected " + expectedLength);
            }
            if (size > Integer.MAX_VALUE) {
                throw new CorruptSectionException(path.getFileName().toString(), 0, "file length " + size + " > 2 GiB");
            }
            MappedByteBuffer buffer = channel.map(writable ? FileChannel.MapMode.READ_WRITE : FileChannel.MapMode.READ_ONLY,
                0, size);
            buffer.order(ByteOrder.nativeOrder());
            return new LinuxMappedSection(path, channel, buffer);
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    @Override
    public Path path() {
        return path;
    }

    /** The section's file name, as exceptions name it. */
    @Override
    public String name() {
        return name;
    }

    /** The section, made under a temporary name, is now linked as {@code linked}: exceptions name it so. */
    @Override
    public void linkedAs(Path linked) {
        name = linked.getFileName().toString();
    }

    /**
     * Whether the file is now shorter than its mapping: another process truncated it, and an access to a page past
     * its new end faults. Its length, or -1 when it cannot be read.
     */
    @Override
    public long lengthIfTruncated() {
        try {
            long size = channel.size();
            return size < buffer.capacity() ? size : -1;
        } catch (IOException e) {
            return -1;
        }
    }

    @Override
    public MappedByteBuffer buffer() {
        return buffer;
    }

    /**
     * Takes this process's exclusive liveness lock on the file, held until {@link #close()}; the peer probes it
     * ({@link #peerLockHeld()}) to learn that this process died. An OFD lock where available ({@link SectionLocks}):
     * no other descriptor's close in this process can drop it.
     *
     * @throws ApertureException when another process holds a lock on the file, or the system refuses one
     */
    @Override
    public void lockExclusive() {
        String fileName = path.getFileName().toString();
        if (SectionLocks.AVAILABLE) {
            lockFd = SectionLocks.lockExclusive(path, fileName);
            return;
        }
        try {
            channelLock = channel.tryLock();
        } catch (IOException e) {
            throw new ApertureException("cannot lock section " + fileName + ": " + e, e);
        }
        if (channelLock == null) {
            throw new ApertureException("section " + fileName + " is locked by another process");
        }
    }

    /**
     * Opens the descriptor through which {@link #peerLockHeld()} probes the peer's lock. Call right after
     * {@link #open}: the descriptor is opened by name, so a file replaced meanwhile would be probed instead of the
     * mapped one (the pid check in {@link PeerLiveness} still finds a dead peer then).
     */
    @Override
    public void openLockProbe() {
        if (SectionLocks.AVAILABLE && probeFd < 0) {
            probeFd = SectionLocks.openProbe(path);
            probeFlock = SectionLocks.newFlock();
        }
    }

    /**
     * Whether the peer that owns this file still holds its liveness lock: true, false (it is gone: the process
     * died), or null when this side cannot tell (probe unavailable or refused) or the holder is this JVM, where
     * {@code FileChannel} locks cannot tell one holder from another.
     */
    @Override
    public Boolean peerLockHeld() {
        if (probeFd >= 0) {
            return SectionLocks.heldByAnother(probeFd, probeFlock);
        }
        if (SectionLocks.AVAILABLE) {
            return null; // the probe descriptor could not be opened: the pid check decides
        }
        try (FileLock probe = channel.tryLock(0L, Long.MAX_VALUE, true)) {
            return probe == null;
        } catch (OverlappingFileLockException e) {
            return null; // this JVM holds a lock on the file: the peer is in this process
        } catch (IOException e) {
            return null;
        }
    }

    /** Keeps {@code anchor} open until {@link #close()} (a sealed section's descriptor, which its link names). */
    @Override
    public void holdOpen(AutoCloseable anchor) {
        this.anchor = anchor;
    }

    @Override
    public void close() {
        SectionLocks.release(lockFd); // the OFD lock goes with its descriptor
        lockFd = -1;
        SectionLocks.release(probeFd);
        probeFd = -1;
        try {
            channel.close(); // also releases a channel lock
        } catch (IOException ignored) {
            // Closing a mapped file channel releases only the descriptor; nothing to recover.
        }
        AutoCloseable held = anchor;
        anchor = null;
        if (held != null) {
            try {
                held.close(); // last: a link to this descriptor dangles from now on
            } catch (Exception ignored) {
                // closing a descriptor: nothing to recover
            }
        }
    }
}
