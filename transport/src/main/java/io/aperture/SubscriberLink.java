package io.aperture;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.function.LongSupplier;

import static io.aperture.SubscriberDescriptor.*;

/**
 * The publisher's read-only view of one subscriber section. Every value is validated: {@code requested}
 * must not decrease; {@code consumed} must not decrease nor pass the publisher's cursor.
 */
final class SubscriberLink implements AutoCloseable {
    final int index;
    final Path path;
    final Object fileKey;
    final ProcessIdentity identity;
    private final MappedSection mapped;
    private final ByteBuffer section;
    final ShmSequence requested;
    final ShmSequence consumed;
    private long lastRequested;
    private long lastConsumed;

    private SubscriberLink(int index, Path path, Object fileKey, MappedSection mapped, ProcessIdentity identity) {
        this.index = index;
        this.path = path;
        this.fileKey = fileKey;
        this.mapped = mapped;
        this.section = mapped.buffer();
        this.identity = identity;
        this.requested = new ShmSequence(section, REQUESTED_OFFSET);
        this.consumed = new ShmSequence(section, CONSUMED_OFFSET);
        this.lastConsumed = consumed.get();
    }

    /**
     * Opens subscriber section {@code index} if it exists, is ready and belongs to this ring session.
     * A section of another session whose owner is dead is removed (stale). Returns null otherwise.
     */
    static SubscriberLink tryOpen(Path directory, String channel, int index, long sessionId) {
        Path path = ChannelFiles.subscriberPath(directory, channel, index);
        Object fileKey = ChannelFiles.fileKey(path);
        if (fileKey == null) {
            return null;
        }
        MappedSection mapped;
        try {
            mapped = MappedSection.open(path, LENGTH, false);
        } catch (NoSuchFileException e) {
            return null;
        } catch (IOException | CorruptSectionException e) {
            return null; // being replaced or not ours to read; looked at again on the next scan
        }
        ByteBuffer section = mapped.buffer();
        // Acquire: pairs with the subscriber's release store of its magic; the fields below are complete.
        long magic = (long) ShmSequence.LONG.getAcquire(section, MAGIC_VERSION_OFFSET);
        ProcessIdentity owner = new ProcessIdentity(section.getLong(PID_OFFSET), section.getLong(START_OFFSET));
        if (!SubscriberDescriptor.isCompatible(magic) || section.getLong(RING_SESSION_ID_OFFSET) != sessionId
            || section.getInt(INDEX_OFFSET) != index) {
            if (magic != 0 && !owner.isAlive()) {
                ChannelFiles.deleteIfSame(path, fileKey);
            }
            mapped.close();
            return null;
        }
        return new SubscriberLink(index, path, fileKey, mapped, owner);
    }

    ByteBuffer section() {
        return section;
    }

    java.nio.channels.FileChannel channel() {
        return mapped.channel();
    }

    String name() {
        return path.getFileName().toString();
    }

    boolean cancelled() {
        // Acquire: a cancel seen here orders after the subscriber's last consumed/requested stores.
        return (int) ShmSequence.INT.getAcquire(section, CANCELLED_OFFSET) != 0;
    }

    /** Cumulative demand, validated: it may only grow. */
    long requested() {
        long value = requested.get();
        if (value < lastRequested) {
            throw new CorruptSectionException(name(), REQUESTED_OFFSET, "requested went backwards from " + lastRequested
                + " to " + value);
        }
        lastRequested = value;
        return value;
    }

    /**
     * Validates {@code consumed} against the publisher's cursor. {@code consumed} is read first (acquire), the
     * cursor after it: when values are written on another thread than this check's, a cursor read first can
     * be passed by a message written and consumed between the two reads, and a sound subscriber would be
     * reported corrupt.
     */
    void validateConsumed(LongSupplier cursorNow) {
        long value = consumed.get();
        long cursor = cursorNow.getAsLong();
        if (value < lastConsumed || value > cursor) {
            throw new CorruptSectionException(name(), CONSUMED_OFFSET, "consumed " + value + " outside [" + lastConsumed
                + ", cursor " + cursor + "]");
        }
        lastConsumed = value;
    }

    @Override
    public void close() {
        mapped.close();
    }
}
