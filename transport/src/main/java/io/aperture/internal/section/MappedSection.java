package io.aperture.internal.section;

import io.aperture.ApertureException;

import java.nio.ByteBuffer;
import java.nio.file.Path;

/**
 * One section as this process maps it, whatever the platform made it of ({@link SectionPlatform#open}): its memory,
 * its name, and the liveness lock its owner holds on it for its lifetime, which a peer probes to learn that the owner
 * died. The mapping outlives the section's {@link #close()} and is released by the garbage collector once nothing
 * refers to its buffer, so a late access reads stale memory instead of crashing the JVM.
 */
public interface MappedSection extends AutoCloseable {
    /** The name the section was opened by. */
    Path path();

    /** The section's file name, as exceptions name it. */
    String name();

    /** The section, made under a temporary name, is now linked as {@code linked}: exceptions name it so. */
    void linkedAs(Path linked);

    /**
     * Whether the section is now shorter than its mapping: another process truncated it, and an access to a page past
     * its new end faults. Its length, or -1 when it is not (or cannot be read, or its size cannot change).
     */
    long lengthIfTruncated();

    /** The whole section, native order; read-only unless it was opened writable. */
    ByteBuffer buffer();

    /**
     * Takes this process's exclusive liveness lock on the section, held until {@link #close()}; the peer probes it
     * ({@link #peerLockHeld()}) to learn that this process died.
     *
     * @throws ApertureException when another process holds a lock on the section, or the system refuses one
     */
    void lockExclusive();

    /**
     * Opens what {@link #peerLockHeld()} probes the peer's lock through. Call right after {@link SectionPlatform#open}:
     * it is opened by name, so a section replaced meanwhile would be probed instead of the mapped one (the pid check in
     * {@link PeerLiveness} still finds a dead peer then).
     */
    void openLockProbe();

    /**
     * Whether the peer that owns this section still holds its liveness lock: true, false (it is gone: the process
     * died), or null when this side cannot tell (probe unavailable or refused) or the holder is this JVM and the lock
     * cannot tell one holder from another.
     */
    Boolean peerLockHeld();

    /** Keeps {@code anchor} open until {@link #close()} (what must stay open while the section is named). */
    void holdOpen(AutoCloseable anchor);

    /** Releases the lock, the probe and the descriptors; the memory goes when nothing refers to the buffer. */
    @Override
    void close();
}
