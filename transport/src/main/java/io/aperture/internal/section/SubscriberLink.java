package io.aperture.internal.section;

import com.lmax.disruptor.Sequence;
import io.aperture.CorruptSectionException;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.function.LongSupplier;

import static io.aperture.internal.section.SubscriberDescriptor.*;

/**
 * The publisher's read-only view of one subscriber section. Every value is validated: {@code requested}
 * must not decrease; {@code consumed} must not decrease nor pass the publisher's cursor.
 *
 * <p>A subscriber claims its section with {@code consumed} = {@link #NOT_STARTED} and waits to be admitted:
 * the publisher chooses where it starts (see {@code PublisherCore} in the ring layer) and writes that in the ring's
 * subscriber table; the subscriber then stores {@code consumed} = start. Until then {@link #gating} holds
 * the ring at a floor chosen by the publisher.
 */
public final class SubscriberLink implements AutoCloseable {
    private static final SectionPlatform PLATFORM = SectionPlatform.current();
    /** The {@code consumed} of a subscriber that was not admitted yet. */
    public static final long NOT_STARTED = Long.MIN_VALUE;

    public final int index;
    public final Path path;
    public final Object fileKey;
    public final ProcessIdentity identity;
    public final long subscriberId;
    public final boolean joinOldest;
    /** The subscriber polls for records ({@link SubscriberDescriptor#FLAG_POLLS}): no wake after each record. */
    public final boolean polls;
    private final MappedSection mapped;
    private final ByteBuffer section;
    final ShmSequence requested;
    public final ShmSequence consumed;
    /** What the publisher gates the ring on for this subscriber. */
    public final Sequence gating = new Gating();
    /** What this subscriber allows the publisher's upstream to have produced: {@code base + requested}. */
    public final Sequence allowed = new Allowed();
    /** The ring position held for this subscriber until it starts; volatile, read by the writer. */
    private volatile long floor;
    private long start = NOT_STARTED;
    private long base;
    private long lastRequested;
    private long lastConsumed;
    /** Set by the conductor when it admits the subscriber; conductor thread only. */
    public PeerLiveness liveness;
    /** The consumed value at which the next record read uncommitted at the last check, or NOT_STARTED; conductor only. */
    public long suspectUncommitted = NOT_STARTED;
    /** The Reactor context entries the subscriber sent (ChannelOptions.withContextKeys), validated; empty when none. */
    public java.util.Map<String, String> context = java.util.Map.of();
    /** Set by whichever publisher thread ends this link (drop, cancel, death): the link is no longer served. */
    public volatile String endReason;

    private SubscriberLink(int index, Path path, Object fileKey, MappedSection mapped, ProcessIdentity identity,
                           long subscriberId, boolean joinOldest, boolean polls) {
        this.index = index;
        this.path = path;
        this.fileKey = fileKey;
        this.mapped = mapped;
        this.section = mapped.buffer();
        this.identity = identity;
        this.subscriberId = subscriberId;
        this.joinOldest = joinOldest;
        this.polls = polls;
        this.requested = new ShmSequence(section, REQUESTED_OFFSET);
        this.consumed = new ShmSequence(section, CONSUMED_OFFSET);
    }

    /**
     * Opens subscriber section {@code index} if it exists, is ready, belongs to this ring session and waits
     * to be admitted. A section of another session whose owner is dead is removed (stale). Returns null
     * otherwise.
     */
    public static SubscriberLink tryOpen(Path directory, String channel, int index, long sessionId) {
        return tryOpen(directory, channel, index, sessionId, (i, owner, reason) -> { });
    }

    /** Told of a subscriber that refused the channel (its section said so): its index, process and reason. */
    @FunctionalInterface
    public interface Refusals {
        void refused(int index, ProcessIdentity owner, String reason);
    }

    /**
     * As {@link #tryOpen(Path, String, int, long)}; a section of this ring session whose subscriber refused the channel
     * ({@link OwnSubscriberSection#refuse}) is told to {@code refusals} and removed: its subscriber waits for that.
     */
    public static SubscriberLink tryOpen(Path directory, String channel, int index, long sessionId, Refusals refusals) {
        Path path = ChannelFiles.subscriberPath(directory, channel, index);
        Object fileKey = PLATFORM.entryKey(path);
        if (fileKey == null) {
            return null;
        }
        MappedSection mapped;
        try {
            mapped = PLATFORM.open(path, LENGTH, false);
            mapped.openLockProbe(); // at once, on the file just mapped: the publisher probes the subscriber's lock
        } catch (NoSuchFileException e) {
            return null;
        } catch (IOException | CorruptSectionException e) {
            return null; // being replaced or not ours to read; looked at again on the next scan
        }
        ByteBuffer section = mapped.buffer();
        // Acquire: pairs with the subscriber's release store of its magic; the fields below are complete.
        long magic = (long) ShmSequence.LONG.getAcquire(section, MAGIC_VERSION_OFFSET);
        ProcessIdentity owner = new ProcessIdentity(section.getLong(PID_OFFSET), section.getLong(START_OFFSET));
        long id = section.getLong(SUBSCRIBER_ID_OFFSET);
        // Acquire: a cancelled section is not admitted (its subscriber is leaving); so is one already started
        // (acquire of consumed below): it belongs to an earlier admission.
        boolean cancelled = (int) ShmSequence.INT.getAcquire(section, CANCELLED_OFFSET) != 0;
        boolean ours = SubscriberDescriptor.isCompatible(magic) && section.getLong(RING_SESSION_ID_OFFSET) == sessionId
            && section.getInt(INDEX_OFFSET) == index && id != 0;
        if (ours && cancelled) {
            SaidEnd end = saidEnd(section);
            if (end.kind() == SubscriberDescriptor.END_REFUSED) {
                refusals.refused(index, owner, end.message());
                PLATFORM.removeIfSame(path, fileKey); // read: its subscriber, waiting for this, goes on
                mapped.close();
                return null;
            }
        }
        if (!SubscriberDescriptor.isCompatible(magic) || section.getLong(RING_SESSION_ID_OFFSET) != sessionId
            || section.getInt(INDEX_OFFSET) != index || id == 0 || cancelled
            || (long) ShmSequence.LONG.getAcquire(section, CONSUMED_OFFSET) != NOT_STARTED) {
            if (magic != 0 && !owner.isAlive()) {
                PLATFORM.removeIfSame(path, fileKey);
            }
            mapped.close();
            return null;
        }
        int flags = section.getInt(FLAGS_OFFSET);
        SubscriberLink link = new SubscriberLink(index, path, fileKey, mapped, owner, id, (flags & FLAG_JOIN_OLDEST) != 0,
            (flags & FLAG_POLLS) != 0);
        try {
            link.context = ContextEntries.read(path.getFileName().toString(), section); // after the magic's acquire
        } catch (CorruptSectionException e) {
            ChannelLog.log().warn("channel '{}': subscriber {} (pid {}): its context entries are left out: {}", channel,
                index, owner.pid, e.getMessage());
        }
        return link;
    }

    /** Holds the ring at {@code position} until the subscriber starts; set before its gating is added. */
    public void holdAt(long position) {
        floor = position;
    }

    /** Records where the admitted subscriber starts and the messages published before that. */
    public void admit(long startSequence, long messagesBefore) {
        start = startSequence;
        base = messagesBefore;
        lastConsumed = startSequence;
        holdAt(startSequence);
    }

    public long start() {
        return start;
    }

    public long base() {
        return base;
    }

    public ByteBuffer section() {
        return section;
    }

    public MappedSection mapped() {
        return mapped;
    }

    public String name() {
        return path.getFileName().toString();
    }

    /**
     * Why the subscriber left, as it said in its section, once {@link #cancelled()} read true (acquire, so the end
     * stored before the flag is complete): its kind (0 when it said none, or said one this build does not know)
     * and its message, validated: a length out of range reads as no message.
     */
    public static SaidEnd saidEnd(ByteBuffer section) {
        int kind = section.getInt(SubscriberDescriptor.END_KIND_OFFSET);
        int length = section.getInt(SubscriberDescriptor.END_LENGTH_OFFSET);
        if (kind < SubscriberDescriptor.END_CANCELLED || kind > SubscriberDescriptor.END_READ_TO_END) {
            kind = 0;
        }
        String message = "";
        if (length > 0 && length <= SubscriberDescriptor.END_MESSAGE_MAX) {
            byte[] bytes = new byte[length];
            section.get(SubscriberDescriptor.END_MESSAGE_OFFSET, bytes);
            message = new String(bytes, java.nio.charset.StandardCharsets.UTF_8);
        }
        return new SaidEnd(kind, message);
    }

    /** What a subscriber said of its end: an {@code END_} kind of {@link SubscriberDescriptor} (or 0) and a message. */
    public record SaidEnd(int kind, String message) {
    }

    /** This subscriber's {@link #saidEnd}. */
    public SaidEnd saidEnd() {
        return saidEnd(section);
    }

    /** Messages this subscriber delivered downstream, as it last stored them (statistics). */
    public long delivered() {
        // Acquire: the subscriber's latest release store of the count.
        return (long) ShmSequence.LONG.getAcquire(section, DELIVERED_OFFSET);
    }

    public boolean cancelled() {
        return cancelledIn(section);
    }

    /** Whether the subscriber of {@code section} has left. */
    public static boolean cancelledIn(ByteBuffer section) {
        // Acquire: a cancel seen here orders after the subscriber's last consumed/requested stores and its said end.
        return (int) ShmSequence.INT.getAcquire(section, CANCELLED_OFFSET) != 0;
    }

    /** {@code base + requested} as validated by {@link #requested()}: what this subscriber allows the upstream. */
    public long allowedValidated() {
        return saturatedAdd(base, requested());
    }

    private static long saturatedAdd(long base, long requested) {
        long sum = base + requested;
        return sum < 0 ? Long.MAX_VALUE : sum;
    }

    /** Cumulative demand, validated: it may only grow. */
    public long requested() {
        long value = requested.get();
        if (value < lastRequested) {
            throw new CorruptSectionException(name(), REQUESTED_OFFSET, "requested went backwards from " + lastRequested
                + " to " + value);
        }
        lastRequested = value;
        return value;
    }

    /**
     * Validates {@code consumed} against the publisher's cursor (it is {@link #NOT_STARTED} until the subscriber
     * starts). {@code consumed} is read first (acquire), the cursor after it: when the upstream emits on
     * another thread than this check's, a cursor read first can be passed by a message written and consumed
     * between the two reads, and a sound subscriber would be reported corrupt.
     */
    public void validateConsumed(LongSupplier cursorNow) {
        long value = consumed.get();
        long cursor = cursorNow.getAsLong();
        if (value == NOT_STARTED && lastConsumed == start) {
            return;
        }
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

    @Override
    public String toString() {
        return name() + " (" + identity + ")";
    }

    /** The subscriber's consumed once it started, the publisher's floor before. */
    private final class Gating extends Sequence {
        @Override
        public long get() {
            long value = consumed.get();
            return value == NOT_STARTED ? floor : value;
        }
    }

    /** {@code base + requested}, saturating: the upstream's total that this subscriber allows. */
    private final class Allowed extends Sequence {
        @Override
        public long get() {
            return saturatedAdd(base, requested.get()); // unvalidated: for waits; the conductor validates
        }
    }
}
