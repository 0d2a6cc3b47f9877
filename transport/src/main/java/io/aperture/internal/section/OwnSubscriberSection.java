package io.aperture.internal.section;

import io.aperture.CorruptSectionException;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.ThreadLocalRandom;

import static io.aperture.internal.section.SubscriberDescriptor.CANCELLED_OFFSET;
import static io.aperture.internal.section.SubscriberDescriptor.CONSUMED_OFFSET;
import static io.aperture.internal.section.SubscriberDescriptor.DELIVERED_OFFSET;
import static io.aperture.internal.section.SubscriberDescriptor.FLAGS_OFFSET;
import static io.aperture.internal.section.SubscriberDescriptor.HEARTBEAT_OFFSET;
import static io.aperture.internal.section.SubscriberDescriptor.INDEX_OFFSET;
import static io.aperture.internal.section.SubscriberDescriptor.LENGTH;
import static io.aperture.internal.section.SubscriberDescriptor.MAGIC_VERSION_OFFSET;
import static io.aperture.internal.section.SubscriberDescriptor.PID_OFFSET;
import static io.aperture.internal.section.SubscriberDescriptor.REQUESTED_OFFSET;
import static io.aperture.internal.section.SubscriberDescriptor.RING_SESSION_ID_OFFSET;
import static io.aperture.internal.section.SubscriberDescriptor.START_OFFSET;
import static io.aperture.internal.section.SubscriberDescriptor.SUBSCRIBER_ID_OFFSET;

/**
 * A subscriber's own section, as that subscriber writes it: the counterpart of {@link SubscriberLink}, the
 * publisher's read-only view of the same section. Claimed by naming a complete section ({@link SectionStore}); then the
 * subscriber's words ({@code requested}, {@code consumed}, {@code delivered}, the heartbeat, the cancel flag), each
 * stored with its ordering here, next to the layout offsets; and {@link #verify} checks that no other process wrote
 * into it. One thread (the drain thread) uses it.
 */
public final class OwnSubscriberSection implements AutoCloseable {
    private static final SectionPlatform PLATFORM = SectionPlatform.current();
    private final MappedSection mapped;
    private final ByteBuffer section;
    private final Path path;
    private final Object fileKey;
    private final int index;
    private final long subscriberId;
    /** The identity words as this subscriber wrote them, bytes [0, {@code REQUESTED_OFFSET}). */
    private final byte[] image;
    /** Where {@link #verify} copies the identity words to compare them (drain thread). */
    private final byte[] imageScratch;
    private final ShmSequence requested;
    private final ShmSequence consumed;

    private OwnSubscriberSection(MappedSection mapped, Path path, Object fileKey, int index) {
        this.mapped = mapped;
        this.section = mapped.buffer();
        this.path = path;
        this.fileKey = fileKey;
        this.index = index;
        this.subscriberId = section.getLong(SUBSCRIBER_ID_OFFSET);
        this.image = new byte[REQUESTED_OFFSET];
        this.imageScratch = new byte[REQUESTED_OFFSET];
        section.get(0, image);
        this.requested = new ShmSequence(section, REQUESTED_OFFSET);
        this.consumed = new ShmSequence(section, CONSUMED_OFFSET);
    }

    /**
     * Writes a complete section for subscriber {@code index} of the ring session {@code ringSessionId}, takes its
     * liveness lock and links it to its name; null when the name is taken (the caller looks at its occupant).
     *
     * @param flags {@link SubscriberDescriptor#FLAG_JOIN_OLDEST}, {@link SubscriberDescriptor#FLAG_POLLS}
     */
    public static OwnSubscriberSection claim(Path directory, String channel, int index, long ringSessionId, int flags)
        throws IOException {
        return claim(PLATFORM.store(io.aperture.ChannelOptions.Sections.AUTO), directory, channel, index, ringSessionId,
            flags, new byte[0], null);
    }

    /**
     * As {@link #claim(Path, String, int, long, int)}, made by {@code store}, with the context entries for the
     * publisher ({@link ContextEntries}).
     */
    public static OwnSubscriberSection claim(SectionStore store, Path directory, String channel, int index,
                                             long ringSessionId, int flags, byte[] context) throws IOException {
        return claim(store, directory, channel, index, ringSessionId, flags, context, null);
    }

    /** Claims a section, made by {@code store}, that says from the start that its subscriber refuses the channel, and why. */
    public static OwnSubscriberSection claimRefusal(SectionStore store, Path directory, String channel, int index,
                                                    long ringSessionId, String reason) throws IOException {
        return claim(store, directory, channel, index, ringSessionId, 0, new byte[0], reason);
    }

    private static OwnSubscriberSection claim(SectionStore store, Path directory, String channel, int index,
                                              long ringSessionId, int flags, byte[] context, String refusal)
        throws IOException {
        Path path = ChannelFiles.subscriberPath(directory, channel, index);
        MappedSection mapped = null;
        try (SectionStore.NewSection fresh = store.create(directory, channel + ".sub-" + index, LENGTH)) {
            mapped = PLATFORM.open(fresh.mapPath(), LENGTH, true);
            ByteBuffer s = mapped.buffer();
            s.putLong(RING_SESSION_ID_OFFSET, ringSessionId);
            s.putLong(PID_OFFSET, ProcessIdentity.CURRENT.pid);
            s.putLong(START_OFFSET, ProcessIdentity.CURRENT.startEpochMs);
            s.putInt(INDEX_OFFSET, index);
            s.putInt(FLAGS_OFFSET, flags);
            ContextEntries.write(s, context); // plain: published with the magic's release below
            if (refusal != null) {
                // Refused from the start: no publisher ever sees this section as a subscriber to admit.
                storeEnd(s, SubscriberDescriptor.END_REFUSED, refusal);
                s.putInt(CANCELLED_OFFSET, 1); // plain: published with the magic's release below
            }
            long id = ThreadLocalRandom.current().nextLong();
            s.putLong(SUBSCRIBER_ID_OFFSET, id == 0 ? 1 : id);
            s.putLong(REQUESTED_OFFSET, 0L);
            // Not started: the publisher chooses where this subscriber starts when it admits it.
            s.putLong(CONSUMED_OFFSET, SubscriberLink.NOT_STARTED);
            s.putLong(DELIVERED_OFFSET, 0L);
            s.putLong(HEARTBEAT_OFFSET, System.nanoTime());
            // Release: the fields above are complete for a publisher that acquires the magic.
            ShmSequence.LONG.setRelease(s, MAGIC_VERSION_OFFSET, SubscriberDescriptor.MAGIC_VERSION);
            // Held for the section's lifetime: the publisher probes it to learn that this process died.
            mapped.lockExclusive();
            if (!fresh.publish(path)) {
                return null;
            }
            mapped.holdOpen(fresh.keep());
            mapped.linkedAs(path);
            Object linked = PLATFORM.entryKey(path); // ours while we hold its lock: no cleaner removes a locked section
            OwnSubscriberSection claimed;
            try {
                claimed = new OwnSubscriberSection(mapped, path, linked, index);
            } catch (InternalError e) {
                // Named now: the file was truncated (a fault of a mapped page) as soon as its name appeared.
                if (!SectionFaults.isFault(e)) {
                    throw e;
                }
                CorruptSectionException corrupt = SectionFaults.corrupt(e, mapped);
                PLATFORM.removeIfSame(path, linked); // ours, just linked: nobody is to find it after this
                throw corrupt;
            }
            mapped = null;
            return claimed;
        } finally {
            if (mapped != null) {
                mapped.close();
            }
        }
    }

    /** The mapping, for the checks a fault needs ({@link SectionFaults}). */
    public MappedSection mapped() {
        return mapped;
    }

    public ByteBuffer buffer() {
        return section;
    }

    public Path path() {
        return path;
    }

    public int index() {
        return index;
    }

    public long subscriberId() {
        return subscriberId;
    }

    /** The demand this subscriber advertises: release stores, so the publisher's acquire sees what came before. */
    public ShmSequence requested() {
        return requested;
    }

    /** The position this subscriber consumed up to: release stores, the publisher's gating sequence. */
    public ShmSequence consumed() {
        return consumed;
    }

    /** Stores the count delivered downstream. */
    public void delivered(long count) {
        // Release: statistics for the publisher and tools; no decision depends on it.
        ShmSequence.LONG.setRelease(section, DELIVERED_OFFSET, count);
    }

    /** Beats the heartbeat. */
    public void heartbeat(long nowNs) {
        // Release: a monotonic timestamp read by the publisher's liveness check.
        ShmSequence.LONG.setRelease(section, HEARTBEAT_OFFSET, nowNs);
    }

    /**
     * Says why this subscriber leaves ({@link SubscriberDescriptor#END_CANCELLED} and the other {@code END_} kinds),
     * for the publisher's report; the message is cut to {@link SubscriberDescriptor#END_MESSAGE_MAX} bytes. Plain
     * stores: published by the release store of the cancelled flag that follows ({@link #detach}, {@link #refuse}).
     */
    public void sayEnd(int kind, String message) {
        storeEnd(section, kind, message);
    }

    /** {@link #sayEnd} on {@code section}: plain stores, published by the cancelled flag's release that follows. */
    public static void storeEnd(ByteBuffer section, int kind, String message) {
        byte[] bytes = message == null ? new byte[0] : message.getBytes(StandardCharsets.UTF_8);
        int length = Math.min(bytes.length, SubscriberDescriptor.END_MESSAGE_MAX);
        section.put(SubscriberDescriptor.END_MESSAGE_OFFSET, bytes, 0, length);
        section.putInt(SubscriberDescriptor.END_LENGTH_OFFSET, length);
        section.putInt(SubscriberDescriptor.END_KIND_OFFSET, kind);
    }

    /** Stores the cancelled flag of {@code section}. */
    public static void storeCancelled(ByteBuffer section) {
        // Release: the publisher that sees the flag (acquire) also sees the end said and the last consumed value.
        ShmSequence.INT.setRelease(section, CANCELLED_OFFSET, 1);
    }

    /** Whether the section's name still refers to this section (the publisher removes a refusal it has read). */
    public boolean linked() {
        return fileKey != null && fileKey.equals(PLATFORM.entryKey(path));
    }

    /** Unlinks the section's name if it still refers to this section (idempotent). */
    public void unlink() {
        PLATFORM.removeIfSame(path, fileKey);
    }

    /** Leaves the channel: the name goes first, so a publisher that sees the flag finds the directory clean. */
    public void detach() {
        PLATFORM.removeIfSame(path, fileKey);
        storeCancelled(section);
    }

    /**
     * This subscriber is the only writer of its section: a value that differs from what it wrote was written by
     * another process, which may be why the publisher misbehaved. Plain loads of its own words.
     *
     * @param advertised      the {@code requested} this subscriber last stored
     * @param consumedWritten the {@code consumed} this subscriber last stored
     */
    public void verify(long advertised, long consumedWritten) {
        String name = path.getFileName().toString();
        long magic = (long) ShmSequence.LONG.get(section, MAGIC_VERSION_OFFSET);
        if (magic != SubscriberDescriptor.MAGIC_VERSION) {
            throw new CorruptSectionException(name, MAGIC_VERSION_OFFSET, "magic 0x" + Long.toHexString(magic)
                + " of this subscriber's own section was overwritten by another process");
        }
        // Session, pid, start time and index: a publisher would no longer recognise this section as its subscriber.
        int mismatch = SectionFaults.mismatch(section, image, imageScratch);
        if (mismatch >= 0) {
            int offset = mismatch & ~3;
            throw new CorruptSectionException(name, offset, "identity word " + section.getInt(offset) + " != "
                + ByteBuffer.wrap(image).order(section.order()).getInt(offset)
                + " written by this subscriber: overwritten by another process");
        }
        long requestedNow = requested.getPlain();
        if (requestedNow != advertised) {
            throw new CorruptSectionException(name, REQUESTED_OFFSET, "requested " + requestedNow + " != " + advertised
                + " written by this subscriber: overwritten by another process");
        }
        long consumedNow = consumed.getPlain();
        if (consumedNow != consumedWritten) {
            throw new CorruptSectionException(name, CONSUMED_OFFSET, "consumed " + consumedNow + " != " + consumedWritten
                + " written by this subscriber: overwritten by another process");
        }
        int cancelledNow = (int) ShmSequence.INT.get(section, CANCELLED_OFFSET);
        if (cancelledNow != 0) {
            throw new CorruptSectionException(name, CANCELLED_OFFSET, "cancelled flag " + cancelledNow
                + " set while this subscriber runs: written by another process");
        }
    }

    @Override
    public void close() {
        mapped.close();
    }
}
