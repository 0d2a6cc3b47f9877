package io.aperture.internal.section;

import io.aperture.ApertureException;
import io.aperture.ChannelOptions;
import io.aperture.Codec;
import io.aperture.CorruptSectionException;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A publisher's own ring section, as the publisher writes it: the counterpart of the subscribers' read-only view.
 * Created complete under no name ({@link SectionStore}: header, lock) and named {@code <channel>.ring} only then, after a
 * stale ring of a dead publisher was removed; {@link #verifyHeader} checks that no other process rewrote the header
 * words that never change; {@link #remove} unlinks the name only while it still refers to this ring.
 */
public final class OwnRingSection implements AutoCloseable {
    private static final SectionPlatform PLATFORM = SectionPlatform.current();
    private final MappedSection mapped;
    private final DoubleMapping doubleMapping;
    private final ByteBuffer section;
    private final Path path;
    private final Object fileKey;
    private final long sessionId;
    /** The header words below the counters as this publisher wrote them: they never change. */
    private final byte[] headerImage;
    /** Where {@link #verifyHeader} copies the header words to compare them (conductor thread). */
    private final byte[] headerScratch;

    private OwnRingSection(MappedSection mapped, DoubleMapping doubleMapping, Path path, long sessionId) {
        this.mapped = mapped;
        this.doubleMapping = doubleMapping;
        this.section = mapped.buffer();
        this.path = path;
        this.fileKey = PLATFORM.entryKey(path);
        this.sessionId = sessionId;
        this.headerImage = new byte[RingDescriptor.CURSOR_OFFSET];
        this.headerScratch = new byte[RingDescriptor.CURSOR_OFFSET];
        section.get(0, headerImage);
    }

    /**
     * Creates the ring of {@code channel} in {@code directory}: removes a ring left by a dead publisher (and the
     * subscriber sections of dead owners), writes a complete section, takes its liveness lock and links it to its name.
     *
     * @throws ApertureException when a live publisher holds the channel, another one created it at the same time, or
     *                           the file cannot be made or mapped
     */
    public static OwnRingSection create(Path directory, String channel, ChannelOptions options, Codec<?> codec) {
        ChannelFiles.ensureDirectory(directory);
        Path path = ChannelFiles.ringPath(directory, channel);
        removeStale(directory, channel, path);
        long sessionId = ThreadLocalRandom.current().nextLong();
        long length = RingDescriptor.fileLength(options.ringCapacity());
        SectionStore store = PLATFORM.store(options.sections());
        MappedSection mapped = null;
        DoubleMapping doubled = null;
        try (SectionStore.NewSection fresh = store.create(directory, channel + ".ring", length)) {
            mapped = PLATFORM.open(fresh.mapPath(), length, true);
            doubled = options.doubleMapping()
                ? PLATFORM.mapTwice(fresh.mapPath(), RingDescriptor.SLOTS_OFFSET, options.ringCapacity(), true) : null;
            RingHeader.initialise(mapped.buffer(), sessionId, options, options.maxSubscribers(), codec, doubled != null);
            // Held for the ring's lifetime: subscribers probe it to learn that this process died.
            mapped.lockExclusive();
            if (!fresh.publish(path)) {
                String live = describeLivePublisher(path);
                throw new ApertureException("channel '" + channel + "' in " + directory
                    + " was created by another publisher at the same time" + (live == null ? "" : " (" + live + ")"));
            }
            mapped.holdOpen(fresh.keep());
            mapped.linkedAs(path);
            OwnRingSection ring = new OwnRingSection(mapped, doubled, path, sessionId);
            mapped = null;
            doubled = null;
            return ring;
        } catch (IOException e) {
            throw new ApertureException("cannot map the new ring section of channel '" + channel + "' (" + store + "): "
                + e, e);
        } finally {
            if (doubled != null) {
                doubled.close();
            }
            if (mapped != null) {
                mapped.close();
            }
        }
    }

    /** A ring left by a dead publisher is removed; one whose publisher lives makes the creation fail. */
    private static void removeStale(Path directory, String channel, Path path) {
        if (!PLATFORM.present(path)) {
            return;
        }
        Object key = PLATFORM.entryKey(path);
        String live = describeLivePublisher(path);
        if (live != null) {
            throw new ApertureException("channel '" + channel + "' in " + directory + " already has a live publisher ("
                + live + ")");
        }
        PLATFORM.removeIfSame(path, key);
        ChannelLog.log().info("channel '{}' in {}: removed the ring a publisher that is no longer running left", channel,
            directory);
        for (int i = 0; i < RingDescriptor.MAX_SUBSCRIBERS_LIMIT; i++) {
            Path sub = ChannelFiles.subscriberPath(directory, channel, i);
            if (!PLATFORM.present(sub)) {
                break;
            }
            removeIfOwnerDead(sub);
        }
    }

    private static void removeIfOwnerDead(Path path) {
        Object key = PLATFORM.entryKey(path);
        try (MappedSection sub = PLATFORM.open(path, SubscriberDescriptor.LENGTH, false)) {
            ByteBuffer b = sub.buffer();
            ProcessIdentity owner = new ProcessIdentity(b.getLong(SubscriberDescriptor.PID_OFFSET),
                b.getLong(SubscriberDescriptor.START_OFFSET));
            if (!owner.isAlive()) {
                PLATFORM.removeIfSame(path, key);
                ChannelLog.log().info("removed {}, left by subscriber {}, which is no longer running", path, owner);
            }
        } catch (IOException | RuntimeException e) {
            PLATFORM.removeIfSame(path, key); // not a readable subscriber section: leftover garbage
            ChannelLog.log().info("removed {}, which is not a readable subscriber section: {}", path, e.toString());
        }
    }

    /** "pid N" of the publisher of the ring now at {@code path} if it runs and the ring is open, else null. */
    private static String describeLivePublisher(Path path) {
        try (MappedSection existing = PLATFORM.open(path, -1, false)) {
            ByteBuffer b = existing.buffer();
            if (b.capacity() < RingDescriptor.SLOTS_OFFSET || RingHeader.magic(b) == 0) {
                return null;
            }
            RingHeader header = RingHeader.read(path.getFileName().toString(), b, b.capacity());
            boolean open = RingHeader.terminalState(b) == TerminalState.OPEN;
            return open && header.publisher.isAlive() ? header.publisher.toString() : null;
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    public ByteBuffer buffer() {
        return section;
    }

    /** The slot area mapped twice back to back, or null where it is not (the copy path). */
    public ByteBuffer doubledSlots() {
        return doubleMapping == null ? null : doubleMapping.buffer();
    }

    /** This incarnation's session id, kept here: the mapped copy may be overwritten by another process. */
    public long sessionId() {
        return sessionId;
    }

    public Path path() {
        return path;
    }

    public String name() {
        return path.getFileName().toString();
    }

    /** The mapping, for the checks a fault needs ({@link SectionFaults}). */
    public MappedSection mapped() {
        return mapped;
    }

    /**
     * The header words below the counters never change after {@link RingHeader#initialise}: a difference was
     * written by another process, and subscribers that read it may attach to a session or layout that this
     * publisher does not serve. Plain loads of words only this process writes.
     */
    public void verifyHeader() {
        int mismatch = SectionFaults.mismatch(section, headerImage, headerScratch);
        if (mismatch >= 0) {
            int offset = mismatch & ~3;
            throw new CorruptSectionException(name(), offset, "header word "
                + section.getInt(offset) + " != " + ByteBuffer.wrap(headerImage).order(section.order()).getInt(offset)
                + " written by this publisher: overwritten by another process");
        }
    }

    /** Unlinks the ring's name, if it still refers to this ring. */
    public void remove() {
        PLATFORM.removeIfSame(path, fileKey);
    }

    /** Closes the descriptors; the memory goes when nothing refers to it (a late access reads stale memory). */
    @Override
    public void close() {
        if (doubleMapping != null) {
            doubleMapping.close();
        }
        mapped.close();
    }
}
