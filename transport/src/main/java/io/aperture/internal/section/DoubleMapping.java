package io.aperture.internal.section;

import java.nio.ByteBuffer;

/**
 * A ring section mapped with its slot area twice, back to back ({@link SectionPlatform#mapTwice}), so that a record
 * that runs past the end of the slot area continues, contiguous in memory, at its start. For a header of {@code h}
 * bytes and a slot area of {@code n}: {@code [0, h + n)} of the buffer is the whole section and
 * {@code [h + n, h + 2n)} is the slot area again, so slot offsets are the section's own.
 *
 * <p>Nothing unmaps while a reference may remain: the views are released once the buffer (and every view derived
 * from it, which keeps it reachable) is unreachable, as the JDK releases a {@code MappedByteBuffer}.
 */
public interface DoubleMapping extends AutoCloseable {
    /** {@code header + 2 * capacity} bytes: the section, then its slot area again; native order. */
    ByteBuffer buffer();

    /** Closes what the mapping was made through; the memory stays mapped until the buffer is unreachable. */
    @Override
    void close();
}
