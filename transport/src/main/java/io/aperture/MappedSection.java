package io.aperture;

import java.io.IOException;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * One mapped section file. The mapping outlives the channel that made it and is released by the
 * garbage collector (there is no supported way to unmap without {@code Unsafe}); so a late access after
 * {@link #close()} reads stale memory instead of crashing the JVM.
 */
final class MappedSection implements AutoCloseable {
    private final Path path;
    private final FileChannel channel;
    private final MappedByteBuffer buffer;
    private final boolean writable;

    private MappedSection(Path path, FileChannel channel, MappedByteBuffer buffer, boolean writable) {
        this.path = path;
        this.channel = channel;
        this.buffer = buffer;
        this.writable = writable;
    }

    /** Maps an existing file of exactly {@code expectedLength} bytes; a file of another length is refused. */
    static MappedSection open(Path path, long expectedLength, boolean writable) throws IOException {
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
            return new MappedSection(path, channel, buffer, writable);
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    Path path() {
        return path;
    }

    MappedByteBuffer buffer() {
        return buffer;
    }

    boolean writable() {
        return writable;
    }

    FileChannel channel() {
        return channel;
    }

    @Override
    public void close() {
        try {
            channel.close();
        } catch (IOException ignored) {
            // Closing a mapped file channel releases only the descriptor; nothing to recover.
        }
    }
}
