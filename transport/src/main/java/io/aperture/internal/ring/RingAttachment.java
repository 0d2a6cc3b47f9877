package io.aperture.internal.ring;

import io.aperture.ApertureException;
import io.aperture.ChannelOptions;
import io.aperture.Codec;
import io.aperture.CorruptSectionException;
import io.aperture.IncompatibleChannelException;
import io.aperture.Waiting;
import io.aperture.internal.section.ChannelFiles;
import io.aperture.internal.section.DoubleMapping;
import io.aperture.internal.section.MappedSection;
import io.aperture.internal.section.OwnSubscriberSection;
import io.aperture.internal.section.ProcessIdentity;
import io.aperture.internal.section.RingDescriptor;
import io.aperture.internal.section.RingHeader;
import io.aperture.internal.section.SectionFaults;
import io.aperture.internal.section.SectionPlatform;
import io.aperture.internal.section.SectionStore;
import io.aperture.internal.section.ShmSequence;
import io.aperture.internal.section.TerminalState;
import io.aperture.internal.waiting.Backoff;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

import static io.aperture.internal.section.SubscriberDescriptor.CANCELLED_OFFSET;
import static io.aperture.internal.section.SubscriberDescriptor.FLAG_JOIN_OLDEST;
import static io.aperture.internal.section.SubscriberDescriptor.FLAG_POLLS;
import static io.aperture.internal.section.SubscriberDescriptor.LENGTH;
import static io.aperture.internal.section.SubscriberDescriptor.PID_OFFSET;
import static io.aperture.internal.section.SubscriberDescriptor.RING_SESSION_ID_OFFSET;
import static io.aperture.internal.section.SubscriberDescriptor.START_OFFSET;

/**
 * How a subscriber attaches to its channel's ring, on its drain thread: it waits (up to the attach timeout) for a ring
 * whose publisher lives and whose codec matches, refuses a mismatched one in a section its publisher reads, and claims
 * the lowest free subscriber section (removing stale ones). The admission that follows is the session's.
 */
public final class RingAttachment {
    private static final SectionPlatform PLATFORM = SectionPlatform.current();
    private static final long MAX_ATTACH_PARK_NS = 10_000_000L;
    /** The first step of the attach back-off. */
    private static final long FIRST_PARK_NS = 10_000L;
    /** The shortest wait for a publisher to read a refusal. */
    private static final long MIN_REFUSAL_WAIT_NS = 100_000_000L;

    /** What an attach found: the ring mapped (and double mapped, or null), its header, and the section claimed. */
    public record Attached(String ringName, MappedSection ring, RingHeader header, DoubleMapping doubleMapping,
                    OwnSubscriberSection own, int index) {
    }

    private final Path directory;
    private final String channel;
    private final Codec<?> codec;
    private final ChannelOptions options;
    /** What this subscriber's own section is made of. */
    private final SectionStore store;
    private final long intervalNs;
    /** The subscriber was cancelled (or its request was bad): the attach gives up. */
    private final BooleanSupplier stop;
    private final Supplier<byte[]> context;
    /** The context entries this subscriber sends its publisher, encoded once, at the first claim. */
    private byte[] contextForPublisher;

    /**
     * @param context the context entries for the publisher, encoded when a first section is claimed
     */
    public RingAttachment(Path directory, String channel, Codec<?> codec, ChannelOptions options, BooleanSupplier stop,
                   Supplier<byte[]> context) {
        this.directory = directory;
        this.channel = channel;
        this.codec = codec;
        this.options = options;
        this.store = PLATFORM.store(options.sections());
        this.intervalNs = options.livenessInterval().toNanos();
        this.stop = stop;
        this.context = context;
    }

    /**
     * Attaches; null when stopped first.
     *
     * @throws ApertureException when no ring could be attached within the attach timeout, naming the last reason
     */
    public Attached attach() throws IOException {
        long deadline = System.nanoTime() + options.attachTimeoutNanos();
        Path ringPath = ChannelFiles.ringPath(directory, channel);
        String reason = "no ring file " + ringPath;
        Backoff backoff = new Backoff(FIRST_PARK_NS, MAX_ATTACH_PARK_NS);
        while (true) {
            if (stop.getAsBoolean()) {
                return null;
            }
            if (PLATFORM.present(ringPath)) {
                Object attached = tryAttach(ringPath);
                if (attached instanceof Attached a) {
                    return a;
                }
                reason = (String) attached;
            }
            long remaining = deadline - System.nanoTime();
            if (remaining <= 0) {
                throw new ApertureException("channel '" + channel + "' not available in " + directory + " after "
                    + ChannelOptions.describe(options.attachTimeoutNanos()) + ": " + reason);
            }
            backoff.park(this, remaining);
        }
    }

    /** Attaches to the ring at {@code ringPath}: the {@link Attached}, or why not (yet). */
    private Object tryAttach(Path ringPath) throws IOException {
        MappedSection mapped;
        Object ringKey = PLATFORM.entryKey(ringPath);
        try {
            mapped = PLATFORM.open(ringPath, -1, false);
            mapped.openLockProbe(); // at once, on the file just mapped: this side probes the publisher's lock
        } catch (ChannelFiles.OwnerGone e) {
            // A sealed ring's link whose publisher is gone: said at once, as for a file left by a dead publisher.
            throw new ApertureException("channel '" + channel + "' in " + directory + ": its sealed ring was left by "
                + "publisher pid " + e.pid + ", which is no longer running or no longer holds it; the channel's next "
                + "publisher removes it");
        } catch (NoSuchFileException e) {
            return "no ring file " + ringPath;
        }
        boolean keep = false;
        OwnSubscriberSection claimed = null;
        try {
            ByteBuffer b = mapped.buffer();
            if (b.capacity() < RingDescriptor.SLOTS_OFFSET) {
                throw new CorruptSectionException(ringPath.getFileName().toString(), 0, "file length " + b.capacity()
                    + " < header length " + RingDescriptor.SLOTS_OFFSET);
            }
            if (RingHeader.magic(b) == 0) {
                return "ring " + ringPath + " not initialised";
            }
            RingHeader h = RingHeader.read(ringPath.getFileName().toString(), b, b.capacity());
            try {
                h.checkCodec(channel, codec);
            } catch (IncompatibleChannelException e) {
                if (h.publisher.isAlive() && RingHeader.terminalState(b) == TerminalState.OPEN) {
                    refuse(h, e.getMessage());
                }
                throw e;
            }
            int state = RingHeader.terminalState(b);
            boolean ended = state == TerminalState.COMPLETED || state == TerminalState.ERRORED;
            if (state != TerminalState.OPEN && !ended) {
                return "the ring of publisher " + h.publisher + " is " + TerminalState.name(state);
            }
            if (!h.publisher.isAlive()) {
                if (ringKey == null || !ringKey.equals(PLATFORM.entryKey(ringPath))) {
                    return "the ring of publisher " + h.publisher + " was replaced"; // a new publisher: try it
                }
                // Left by a dead process: said at once, whatever its state, never read as an (empty) stream.
                throw new ApertureException("channel '" + channel + "' in " + directory + ": its ring was left by "
                    + "publisher " + h.publisher + ", which is no longer running (state " + TerminalState.name(state)
                    + ", at least " + RingHeader.published(b) + " message(s) published); the channel's next publisher removes it");
            }
            // A ring that completed or failed is still joined while its publisher lingers: its terminal record is
            // read (§1.4).
            Object claim = claimSection(h);
            if (claim instanceof String notYet) {
                return notYet;
            }
            claimed = (OwnSubscriberSection) claim;
            int index = claimIndex;
            DoubleMapping doubled = null;
            if ((h.flags & RingDescriptor.FLAG_DOUBLE_MAPPED) != 0 && options.doubleMapping()) {
                doubled = PLATFORM.mapTwice(ringPath, RingDescriptor.SLOTS_OFFSET, h.capacity, false);
                if (doubled != null && doubled.buffer().getLong(RingDescriptor.SESSION_ID_OFFSET) != h.sessionId) {
                    doubled.close(); // the name now belongs to another ring: read this one through the copy path
                    doubled = null;
                }
            }
            keep = true;
            return new Attached(ringPath.getFileName().toString(), mapped, h, doubled, claimed, index);
        } catch (InternalError e) {
            // A fault of a mapped page (a file truncated under this mapping): named while the mappings are open.
            if (SectionFaults.isFault(e)) {
                throw SectionFaults.corrupt(e, mapped, claimed == null ? null : claimed.mapped());
            }
            throw e;
        } finally {
            if (!keep) {
                if (claimed != null) {
                    try {
                        claimed.detach(); // claimed, then failed: the publisher must not wait for this section
                    } finally {
                        claimed.close();
                    }
                }
                mapped.close();
            }
        }
    }

    /**
     * Tells the publisher that this subscriber refuses its channel, and why: claims a section that says so, waits
     * (at most four liveness intervals, at least 100 ms) for the publisher to read it (it removes the section then),
     * and removes it if the publisher did not. Best effort: a section that cannot be claimed is not told.
     */
    private void refuse(RingHeader h, String reason) throws IOException {
        OwnSubscriberSection refusal = null;
        for (int index = 0; index < h.maxSubscribers && refusal == null; index++) {
            refusal = OwnSubscriberSection.claimRefusal(store, directory, channel, index, h.sessionId,
                reason);
        }
        if (refusal == null) {
            return;
        }
        try {
            long deadline = System.nanoTime() + Math.max(4 * intervalNs, MIN_REFUSAL_WAIT_NS);
            Backoff backoff = new Backoff(FIRST_PARK_NS, intervalNs);
            while (refusal.linked() && !stop.getAsBoolean() && h.publisher.isAlive()) {
                long remaining = deadline - System.nanoTime();
                if (remaining <= 0) {
                    break;
                }
                backoff.park(this, remaining);
            }
            refusal.detach(); // removes it if the publisher did not
        } finally {
            refusal.close();
        }
    }

    /** The index of the section the last {@link #claimSection} claimed. */
    private int claimIndex;

    /**
     * Claims the lowest free subscriber section by linking a complete section into place: the section, or why not yet.
     *
     * @throws ApertureException when every index is held by a live subscriber of this ring
     */
    private Object claimSection(RingHeader h) throws IOException {
        if (contextForPublisher == null) {
            contextForPublisher = context.get();
        }
        int live = 0;
        String transientReason = null;
        for (int index = 0; index < h.maxSubscribers; index++) {
            Path path = ChannelFiles.subscriberPath(directory, channel, index);
            for (int attempt = 0; attempt < 2; attempt++) {
                OwnSubscriberSection claimed = OwnSubscriberSection.claim(store, directory, channel, index, h.sessionId,
                    (options.joinAt() == ChannelOptions.JoinAt.OLDEST ? FLAG_JOIN_OLDEST : 0)
                    | (options.waiting() == Waiting.BLOCKING ? 0 : FLAG_POLLS), contextForPublisher);
                if (claimed != null) {
                    claimIndex = index;
                    return claimed;
                }
                String occupant = occupant(path, h.sessionId);
                if (occupant == null) {
                    continue; // stale section removed: try the same index again
                }
                if (occupant.isEmpty()) {
                    live++;
                } else {
                    transientReason = occupant;
                }
                break;
            }
        }
        if (transientReason != null) {
            return transientReason;
        }
        throw new ApertureException("channel '" + channel + "' already has " + live + " subscriber(s), the maximum its "
            + "publisher " + h.publisher + " accepts");
    }

    /**
     * Looks at the section occupying {@code path}: "" when it is a live subscriber of this session, a reason
     * when it is a live subscriber of an earlier session (it will leave), null when it was stale and removed.
     */
    private static String occupant(Path path, long sessionId) {
        Object key = PLATFORM.entryKey(path);
        try (MappedSection existing = PLATFORM.open(path, LENGTH, false)) {
            ByteBuffer b = existing.buffer();
            ProcessIdentity owner = new ProcessIdentity(b.getLong(PID_OFFSET), b.getLong(START_OFFSET));
            // Acquire: the cancel flag, released by a subscriber that leaves.
            boolean cancelledFlag = (int) ShmSequence.INT.getAcquire(b, CANCELLED_OFFSET) != 0;
            if (owner.isAlive() && !cancelledFlag) {
                return b.getLong(RING_SESSION_ID_OFFSET) == sessionId ? ""
                    : "subscriber section " + path.getFileName() + " is held by " + owner + " of an earlier publisher";
            }
        } catch (IOException | RuntimeException e) {
            // unreadable, or a sealed section's link its owner no longer holds: garbage left behind
        }
        PLATFORM.removeIfSame(path, key);
        return null;
    }
}
