package io.aperture.internal.section;

import io.aperture.CorruptSectionException;

import java.nio.ByteBuffer;

/**
 * The JVM's report of a fault in a mapped page, turned into the {@link CorruptSectionException} that names the
 * section. A page past the end of a file that another process truncated under the mapping faults (SIGBUS) when it
 * is touched; the JVM turns that fault into an {@link InternalError} for the plain and ordered accesses that byte
 * buffers and their {@code VarHandle}s make, thrown by that access or soon after it in the same thread. It does not
 * for atomic read-modify-write accesses (compare-and-set, get-and-add): those crash the JVM. So no code of the
 * transport makes one on mapped memory: the words several threads of one process update are updated under a lock
 * of that process instead ({@link #lockOf}), with ordered loads and stores.
 */
public final class SectionFaults {
    private SectionFaults() {
    }

    /** Whether {@code error} is the JVM's report of a fault in a mapped page. */
    public static boolean isFault(Throwable error) {
        return error instanceof InternalError && error.getMessage() != null
            && error.getMessage().contains("unsafe memory access");
    }

    /**
     * The section among {@code sections} whose file is shorter than its mapping, or null when none is (the fault
     * was in memory this process no longer maps, or the file grew back).
     */
    public static MappedSection truncated(MappedSection... sections) {
        for (MappedSection section : sections) {
            if (section != null && section.lengthIfTruncated() >= 0) {
                return section;
            }
        }
        return null;
    }

    /**
     * The exception for {@code fault}: it names the first of {@code sections} whose file was truncated, or the first
     * section when none proves to be.
     */
    public static CorruptSectionException corrupt(InternalError fault, MappedSection... sections) {
        MappedSection truncated = truncated(sections);
        CorruptSectionException corrupt;
        if (truncated != null) {
            corrupt = truncatedException(truncated, truncated.lengthIfTruncated(), " (" + fault.getMessage() + ")");
        } else {
            String name = java.util.Arrays.stream(sections).filter(java.util.Objects::nonNull).map(MappedSection::name)
                .findFirst().orElse("(unknown)");
            corrupt = new CorruptSectionException(name, 0, "section memory became inaccessible: " + fault.getMessage());
        }
        corrupt.initCause(fault);
        return corrupt;
    }

    /**
     * The failure to report of a session that met {@code next} after {@code failure} (null if none yet): the first
     * one, a fault named by {@code name} for the section it hit, later ones suppressed in it.
     */
    public static Throwable withFailure(Throwable failure, Throwable next,
                                        java.util.function.Function<InternalError, ? extends Throwable> name) {
        Throwable named = isFault(next) ? name.apply((InternalError) next) : next;
        if (failure == null) {
            return named;
        }
        if (named != failure) {
            failure.addSuppressed(named);
        }
        return failure;
    }

    /**
     * Throws when {@code section}'s file is shorter than its mapping. Checked once a liveness interval, so that a
     * truncation is named even where no access faults (within the last page, whose tail the truncation zeroed).
     *
     * @throws CorruptSectionException naming the section, its new length and its mapped one
     */
    public static void checkLength(MappedSection section) {
        long length = section.lengthIfTruncated();
        if (length >= 0) {
            throw truncatedException(section, length, "");
        }
    }

    private static CorruptSectionException truncatedException(MappedSection section, long length, String detail) {
        return new CorruptSectionException(section.name(), Math.max(length, 0), "file truncated to " + length
            + " bytes under its " + section.buffer().capacity() + "-byte mapping by another process: its memory past "
            + "that is gone" + detail);
    }

    /**
     * {@link java.util.Arrays#mismatch} of the first {@code image.length} bytes of {@code section} against
     * {@code image}: the bytes are first copied out into {@code scratch} (at least as long), because the JVM's
     * vectorised comparison of a buffer ({@code ByteBuffer.mismatch}) is not among the accesses whose fault it turns
     * into an exception; its copy is.
     */
    public static int mismatch(ByteBuffer section, byte[] image, byte[] scratch) {
        section.get(0, scratch, 0, image.length);
        return java.util.Arrays.mismatch(scratch, 0, image.length, image, 0, image.length);
    }

    /**
     * Adds bytes [{@code from}, {@code to}) of {@code mapped} to {@code crc} through {@code scratch}, a chunk at a
     * time: {@code CRC32C.update(ByteBuffer)} over mapped memory runs in a JVM stub whose fault crashes the JVM,
     * while the copy out faults as an exception. On heap arrays it runs the same hardware instruction.
     */
    public static void update(java.util.zip.Checksum crc, ByteBuffer mapped, int from, int to, byte[] scratch) {
        for (int at = from; at < to; ) {
            int chunk = Math.min(scratch.length, to - at);
            mapped.get(at, scratch, 0, chunk);
            crc.update(scratch, 0, chunk);
            at += chunk;
        }
    }

    /**
     * The lock under which this process's threads update a word of {@code ownSection} that more than one of them
     * writes (a wake word, a parked count, the terminal state, a drop count): the section's buffer itself, which
     * every user of the section in this process shares.
     */
    public static Object lockOf(ByteBuffer ownSection) {
        return ownSection;
    }
}
