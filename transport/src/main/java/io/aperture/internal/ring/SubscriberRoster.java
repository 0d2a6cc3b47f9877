package io.aperture.internal.ring;

import io.aperture.ChannelOptions;
import io.aperture.PublishReport;
import io.aperture.SubscriberEnd;
import io.aperture.internal.section.ChannelFiles;
import io.aperture.internal.section.ChannelLog;
import io.aperture.internal.section.ProcessIdentity;
import io.aperture.internal.section.RingDescriptor;
import io.aperture.internal.section.SectionPlatform;
import io.aperture.internal.section.ShmSequence;
import io.aperture.internal.section.SubscriberDescriptor;
import io.aperture.internal.section.SubscriberLink;
import io.aperture.internal.section.SubscriberTable;
import io.aperture.internal.waiting.PeerSet;
import io.aperture.internal.waiting.Waker;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * A publisher's subscribers: how they are found and admitted, the one set of those it serves ({@link PeerSet}), and
 * how each one's part ended. Admission and scans run on the conductor; retirement on the conductor or, for a drop, on
 * the writer: each subscriber is retired once, by whichever thread removes it from the set first, and its mapping is
 * closed by the conductor ({@link #closeRetired}).
 *
 * <p><b>Admission</b> (see {@link PublisherSession}): the newcomer is held at a floor no later than any subscriber's
 * position while its start is chosen (the writer's last position, or for {@code JoinAt.OLDEST} the oldest position a
 * subscriber still holds), its table entry is written (the id last, released), and it becomes a full peer of the set
 * in one step.
 */
final class SubscriberRoster {
    private final Path directory;
    private final String channel;
    private final ChannelOptions options;
    private final ByteBuffer ring;
    private final long sessionId;
    private final RingWriter writer;
    private final Waker waker;
    private final PeerSet<SubscriberLink> set;
    /** Links removed by either thread, closed by the conductor. */
    private final Queue<SubscriberLink> retired = new ConcurrentLinkedQueue<>();
    /** How each subscriber's part ended, in order; guarded by this roster's lock. */
    private final List<SubscriberEnd> ends = new ArrayList<>();

    SubscriberRoster(Path directory, String channel, ChannelOptions options, ByteBuffer ring, long sessionId,
                     RingWriter writer, Waker waker, PeerSet<SubscriberLink> set) {
        this.directory = directory;
        this.channel = channel;
        this.options = options;
        this.ring = ring;
        this.sessionId = sessionId;
        this.writer = writer;
        this.waker = waker;
        this.set = set;
    }

    /** The admitted subscribers now: one snapshot, never changed. */
    SubscriberLink[] links() {
        return set.current().owners();
    }

    /** A subscriber waiting to be admitted at the lowest indices (they claim the lowest free one), or null. */
    SubscriberLink findFirst() {
        for (int index = 0; index < options.maxSubscribers(); index++) {
            SubscriberLink found = SubscriberLink.tryOpen(directory, channel, index, sessionId, this::refused);
            if (found != null) {
                return found;
            }
            if (!SectionPlatform.current().present(ChannelFiles.subscriberPath(directory, channel, index))) {
                return null; // subscribers claim the lowest free index: none beyond a free one
            }
        }
        return null;
    }

    /**
     * Admits the subscribers waiting to be. A subscriber claims the lowest free index, so only the free indices up to
     * one past the highest admitted one are looked at: one file lookup per interval for a channel with one
     * subscriber, never a scan of the directory.
     */
    void scan() {
        SubscriberLink[] current = links();
        int highest = -1;
        boolean[] taken = new boolean[options.maxSubscribers()];
        for (SubscriberLink link : current) {
            taken[link.index] = true;
            highest = Math.max(highest, link.index);
        }
        int limit = Math.min(options.maxSubscribers(), highest + 2);
        for (int index = 0; index < limit; index++) {
            if (!taken[index]) {
                SubscriberLink found = SubscriberLink.tryOpen(directory, channel, index, sessionId, this::refused);
                if (found != null) {
                    admit(found);
                }
            }
        }
    }

    /** Admits {@code link} (see the class comment); conductor thread only. */
    void admit(SubscriberLink link) {
        SubscriberLink[] current = links();
        long floor = writer.snapshot()[0];
        for (SubscriberLink other : current) {
            floor = Math.min(floor, other.gating.get());
        }
        // Until its start is chosen the newcomer holds the ring no later than anyone already does, and no later
        // than the lazy position the walk below starts from: a peer that only gates, not yet served (no drop, no
        // demand, no wake-up).
        link.holdAt(floor);
        PeerSet.Peer<SubscriberLink> held = set.add(null, null, false, link.gating, null);
        long[] latest = writer.latest();
        long start = latest[0];
        long base = latest[1];
        if (link.joinOldest && current.length > 0) {
            long oldest = start;
            for (SubscriberLink other : current) {
                oldest = Math.min(oldest, other.gating.get());
            }
            oldest = Math.max(oldest, floor);
            base -= writer.countStarts(oldest, start);
            start = oldest;
        }
        link.admit(start, base);
        link.liveness = SectionPlatform.current().liveness(link.name(), link.mapped(), link.identity, link.section(),
            SubscriberDescriptor.HEARTBEAT_OFFSET, options.heartbeatTimeout().toNanos());
        SubscriberTable.admit(ring, link.index, link.subscriberId, start, base); // the id last, released
        ChannelLog.log().info("channel '{}': subscriber {} (pid {}) admitted at seq {}", channel, link.index,
            link.identity.pid, start);
        // One step from held to served: gated on, woken after each record unless it polls (a polling subscriber
        // needs no wake check, and no fence), slept on for space and for demand.
        set.replace(held, link, link.section(), !link.polls, link.gating, link.allowed);
        synchronized (this) {
            count();
        }
        waker.wakeAll(); // the subscriber may sleep on the ring's wake word while it waits to be admitted
    }

    /**
     * Stops serving {@code link}: it leaves the set (gating, demand, wake-up) and its part's end is recorded; its
     * mapping is closed by the conductor. Any publisher thread; returns false when another thread retired it first.
     */
    boolean retire(SubscriberLink link, SubscriberEnd.Kind kind, String detail) {
        long delivered;
        try {
            delivered = link.delivered();
        } catch (InternalError e) {
            delivered = -1; // its section is truncated: the count is gone
        }
        if (!set.removeOwner(link)) {
            return false;
        }
        String name = kind.name().toLowerCase(Locale.ROOT);
        synchronized (this) {
            link.endReason = detail.isEmpty() ? name : detail;
            count(); // under the lock: the last to count sees the last set
            ends.add(new SubscriberEnd(link.index, link.identity.pid, kind, detail, delivered));
        }
        switch (kind) {
            case DIED, FAILED, DROPPED -> ChannelLog.log().warn("channel '{}': subscriber {} (pid {}) {}: {}", channel,
                link.index, link.identity.pid, name, detail);
            default -> ChannelLog.log().info("channel '{}': subscriber {} (pid {}) {}{}", channel, link.index,
                link.identity.pid, name, detail.isEmpty() ? "" : ": " + detail);
        }
        retired.add(link);
        return true;
    }

    /** A subscriber refused the channel (its section said so at a scan): reported, never admitted. */
    void refused(int index, ProcessIdentity owner, String reason) {
        synchronized (this) {
            ends.add(new SubscriberEnd(index, owner.pid, SubscriberEnd.Kind.REFUSED, reason, 0));
        }
        ChannelLog.log().warn("channel '{}': subscriber {} (pid {}) refused the channel: {}", channel, index, owner.pid,
            reason);
    }

    /** Closes the mappings of the subscribers retired so far; conductor thread only. */
    void closeRetired() {
        SubscriberLink link;
        while ((link = retired.poll()) != null) {
            link.close();
        }
    }

    /** What the stream came to so far, subscriber by subscriber. */
    synchronized PublishReport report() {
        return new PublishReport(channel, writer.publishedCount(), ends);
    }

    private void count() {
        // Release: statistics for tools; no decision depends on it.
        ShmSequence.INT.setRelease(ring, RingDescriptor.SUBSCRIBERS_OFFSET, set.current().owners().length);
    }
}
