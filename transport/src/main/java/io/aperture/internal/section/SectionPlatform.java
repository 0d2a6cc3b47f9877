package io.aperture.internal.section;

import io.aperture.ApertureException;
import io.aperture.ChannelOptions;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.List;

/**
 * Everything the layers above know of the operating system's sections, in one place: the seam below the ring. A
 * section is named in the section directory ({@link ChannelFiles} makes the names, a {@link Path} each), and the
 * platform
 * <ul>
 *   <li>creates it complete under no name and publishes it by name ({@link #store}: a {@link SectionStore} makes it,
 *       {@link SectionStore.NewSection#publish} names it);</li>
 *   <li>maps it by name: a peer's read-only, the owner's read-write ({@link #open}), a ring's with its slot area
 *       twice ({@link #mapTwice});</li>
 *   <li>tells whether its owner lives: the owner's liveness lock on its section ({@link MappedSection#lockExclusive},
 *       probed by {@link MappedSection#peerLockHeld}), the process named in a header ({@link #isAlive}), both
 *       combined with the heartbeat by {@link #liveness};</li>
 *   <li>removes what a dead owner left ({@link #removeIfSame}, with {@link #present} and {@link #entryKey});</li>
 *   <li>lists the names of a section directory, for discovery ({@link #names}).</li>
 * </ul>
 * Parking and waking on a word of a section is the waiting layer's ({@code Futex}), the other operating-system seam.
 * One implementation, Linux ({@link #current()}: sealed memfds or files in {@code /dev/shm}, OFD locks, double
 * {@code mmap}); docs/architecture.md §2.1 says how a Windows one fits behind the same operations.
 */
public interface SectionPlatform {
    /** The platform of this process. */
    static SectionPlatform current() {
        return LinuxSectionPlatform.INSTANCE;
    }

    /**
     * The store {@code sections} asks for: {@link ChannelOptions.Sections#AUTO} is the platform's default.
     *
     * @throws ApertureException when the platform cannot make what is asked for
     */
    SectionStore store(ChannelOptions.Sections sections);

    /**
     * Maps the existing section named {@code name}, of exactly {@code expectedLength} bytes (any length when
     * negative); read-only unless {@code writable} (only the owner maps its own section writable, through
     * {@link SectionStore.NewSection#mapPath()}). Refuses, before it opens it, a name that is not what a store makes.
     *
     * @throws java.nio.file.NoSuchFileException when nothing has the name ({@link ChannelFiles.OwnerGone} when the
     *                                           name is left by an owner that no longer holds the section)
     * @throws io.aperture.CorruptSectionException when the name is not a section, or its length is not the expected
     *                                             one, naming the section and both values
     */
    MappedSection open(Path name, long expectedLength, boolean writable) throws IOException;

    /** Whether a slot area of {@code capacity} bytes after a header of {@code headerLength} can be mapped twice here. */
    boolean mapsTwice(int headerLength, int capacity);

    /**
     * Maps the ring section named {@code name} (a header of {@code headerLength} bytes, then {@code capacity} bytes of
     * slots) with its slot area twice; null when it cannot ({@link #mapsTwice} is false, or the system refuses): the
     * caller then goes without. Read-only unless {@code writable}. The caller checks that it is the section it expects
     * (a name can be replaced between two opens).
     */
    DoubleMapping mapTwice(Path name, int headerLength, int capacity, boolean writable);

    /** This process, as a section header names it. */
    ProcessIdentity currentProcess();

    /**
     * Whether {@code process} runs: a process with its pid runs and, where both start times are known, started at the
     * same time (a reused pid is not its owner). This process is alive.
     */
    boolean isAlive(ProcessIdentity process);

    /**
     * The liveness check of the peer that owns {@code peer}: its liveness lock, its process, and (with a positive
     * {@code heartbeatTimeoutNs}) the heartbeat at {@code heartbeatOffset} of {@code section}.
     */
    PeerLiveness liveness(String name, MappedSection peer, ProcessIdentity owner, ByteBuffer section,
                          int heartbeatOffset, long heartbeatTimeoutNs);

    /**
     * The names in the section directory {@code directory}, each as a path in it, in no particular order, for
     * discovery (the channels of a directory, the producers of a many-producer channel): the caller tells them apart
     * ({@link ChannelFiles}). Empty when there is no such directory. A platform whose sections are not files lists the
     * discovery entries it keeps for them (docs/architecture.md §2.1).
     *
     * @throws java.nio.file.NotDirectoryException when {@code directory} is not a directory
     * @throws IOException when it cannot be listed
     */
    List<Path> names(Path directory) throws IOException;

    /** Whether {@code name} names anything, a name whose section is gone included. */
    boolean present(Path name);

    /**
     * What identifies the entry {@code name} now (never followed), or null when there is none: what
     * {@link #removeIfSame} compares.
     */
    Object entryKey(Path name);

    /**
     * Removes the name {@code name} only if it is still the entry {@code entryKey} identified: what a dead owner left
     * (or this process's own name, when it leaves), never a section made since under the same name.
     */
    void removeIfSame(Path name, Object entryKey);
}
