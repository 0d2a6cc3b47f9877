package io.aperture.internal.section;

import io.aperture.ApertureException;
import io.aperture.ChannelOptions;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The {@link SectionPlatform} of Linux: sections are sealed memfds ({@link SectionStore#SEALED}, {@link SealedMemory})
 * or files ({@link SectionStore#FILES}) named in the section directory and checked before they are opened
 * ({@link ChannelFiles#checkEntry}); mapped through {@code FileChannel} ({@link LinuxMappedSection}), with an OFD
 * liveness lock ({@link SectionLocks}); double mapped with {@code mmap} ({@link LinuxDoubleMapping}); processes told
 * apart by pid and start time. Where JNA or the system lacks a part (no memfd, no OFD locks, no double mapping) the
 * part falls back as each class says: files, {@code FileChannel} locks, the copy path.
 */
final class LinuxSectionPlatform implements SectionPlatform {
    static final LinuxSectionPlatform INSTANCE = new LinuxSectionPlatform();

    private LinuxSectionPlatform() {
    }

    /**
     * {@link ChannelOptions.Sections#AUTO} is {@link SectionStore#SEALED} where this process can make sealed memory,
     * else {@link SectionStore#FILES}.
     *
     * @throws ApertureException when {@link ChannelOptions.Sections#SEALED} is asked for where there is none
     */
    @Override
    public SectionStore store(ChannelOptions.Sections sections) {
        switch (sections) {
            case FILES:
                return SectionStore.FILES;
            case SEALED:
                if (!SealedMemory.AVAILABLE) {
                    throw new ApertureException("sections SEALED asked for, but this system cannot make sealed memory "
                        + "(memfd_create with sealing: Linux 3.17 and glibc 2.27 or later); use Sections.AUTO or FILES");
                }
                return SectionStore.SEALED;
            default:
                return SealedMemory.AVAILABLE ? SectionStore.SEALED : SectionStore.FILES;
        }
    }

    /** The name must be a regular file or a sealed section's link ({@link ChannelFiles#checkEntry}). */
    @Override
    public MappedSection open(Path name, long expectedLength, boolean writable) throws IOException {
        return LinuxMappedSection.open(name, expectedLength, writable);
    }

    @Override
    public boolean mapsTwice(int headerLength, int capacity) {
        return LinuxDoubleMapping.fits(headerLength, capacity);
    }

    @Override
    public DoubleMapping mapTwice(Path name, int headerLength, int capacity, boolean writable) {
        return LinuxDoubleMapping.map(name, headerLength, capacity, writable);
    }

    @Override
    public ProcessIdentity currentProcess() {
        ProcessHandle self = ProcessHandle.current();
        return new ProcessIdentity(self.pid(), startOf(self));
    }

    private static long startOf(ProcessHandle handle) {
        Optional<Instant> start = handle.info().startInstant();
        return start.map(Instant::toEpochMilli).orElse(ProcessIdentity.UNKNOWN_START);
    }

    @Override
    public boolean isAlive(ProcessIdentity process) {
        if (process.isCurrentProcess()) {
            return true;
        }
        if (process.pid == ProcessIdentity.CURRENT.pid) {
            return false; // our pid, another start: a process of another pid namespace, gone or not, is not visible
        }
        if (process.pid <= 0) {
            return false;
        }
        Optional<ProcessHandle> handle = ProcessHandle.of(process.pid);
        if (handle.isEmpty() || !handle.get().isAlive()) {
            return false;
        }
        return ProcessIdentity.startsMatch(process.startEpochMs, startOf(handle.get()));
    }

    /** Today's probe on Linux: the peer's OFD lock, its pid every few probes, the heartbeat ({@link PeerLiveness}). */
    @Override
    public PeerLiveness liveness(String name, MappedSection peer, ProcessIdentity owner, ByteBuffer section,
                                 int heartbeatOffset, long heartbeatTimeoutNs) {
        return new PeerLiveness(name, peer, owner, section, heartbeatOffset, heartbeatTimeoutNs);
    }

    @Override
    public boolean present(Path name) {
        return ChannelFiles.present(name);
    }

    /** The directory entry's file key: the file, or the link itself for a sealed section (never followed). */
    @Override
    public Object entryKey(Path name) {
        return ChannelFiles.fileKey(name);
    }

    /** Unlinks the name; a sealed section's memory went with its process already, only its dangling link is left. */
    @Override
    public void removeIfSame(Path name, Object entryKey) {
        ChannelFiles.deleteIfSame(name, entryKey);
    }

    /** The directory's entries ({@code Files.list}); a missing directory has none. */
    @Override
    public List<Path> names(Path directory) throws IOException {
        try (Stream<Path> entries = Files.list(directory)) {
            return entries.toList();
        } catch (NoSuchFileException e) {
            return List.of();
        } catch (UncheckedIOException e) {
            throw e.getCause(); // an entry the listing could not read
        }
    }

    @Override
    public String toString() {
        return "linux";
    }
}
