package io.aperture.internal.ring;

import io.aperture.SubscriberEnd;
import io.aperture.internal.section.SectionPlatform;
import io.aperture.internal.section.SectionFaults;
import io.aperture.internal.section.SubscriberLink;

/**
 * The conductor's checks once a liveness interval: heartbeat, own-ring checks ({@link OwnRingAudit}), each
 * subscriber's section, consumed and liveness, and new subscribers. Run from the conductor's loop, and from the
 * writes of a synchronous upstream, which emits on the conductor's thread; the conductor thread only.
 */
final class PublisherHousekeeping {
    /** On a synchronous upstream the conductor writes; it looks at the clock for housekeeping this often. */
    private static final int HOUSEKEEPING_CHECK_MASK = 255;

    private final PublisherRing ring;
    private final PublisherFaults faults;
    /** Checks, once a liveness interval, that nobody else wrote into this publisher's ring. */
    private final OwnRingAudit audit;
    private final long intervalNs;
    private long nextHousekeeping;
    private int writesSinceClock;

    PublisherHousekeeping(PublisherRing ring, PublisherFaults faults, OwnRingAudit audit, long intervalNs) {
        this.ring = ring;
        this.faults = faults;
        this.audit = audit;
        this.intervalNs = intervalNs;
    }

    /** The first housekeeping is due a liveness interval from {@code now}. */
    void startAt(long now) {
        nextHousekeeping = now + intervalNs;
    }

    /** When the next housekeeping is due, on {@link System#nanoTime}'s clock. */
    long next() {
        return nextHousekeeping;
    }

    /** Runs the housekeeping if it is due at {@code now}; whether it ran. */
    boolean runIfDue(long now) {
        if (now - nextHousekeeping >= 0) {
            run(now);
            return true;
        }
        return false;
    }

    /** A write on the conductor's thread: every so many writes, the housekeeping if it is due. */
    void duringWrite() {
        if ((++writesSinceClock & HOUSEKEEPING_CHECK_MASK) == 0) {
            long now = System.nanoTime();
            if (now - nextHousekeeping >= 0) {
                run(now); // the conductor is busy writing: new subscribers, deaths and beats go on
            }
        }
    }

    /** A write on the conductor's thread waits for space: subscribers that left go, and the housekeeping if due. */
    void whileWriterWaits(long now) {
        ring.retireCancelled();
        runIfDue(now);
    }

    /**
     * Once a liveness interval, on the conductor thread: heartbeat, own-ring checks, each subscriber's
     * consumed and liveness (a dead one is let go and its file removed), and new subscribers.
     */
    private void run(long now) {
        nextHousekeeping = now + intervalNs;
        SectionFaults.checkLength(ring.ring.mapped()); // truncated: named now, even where no access faults
        ring.beat();
        audit.verifyRing(ring.links());
        for (SubscriberLink link : ring.links()) {
            if (faults.retireIfTruncated(link)) {
                continue;
            }
            link.validateConsumed(ring.writer::committed);
            audit.verifyNextCommitted(link);
            String death = link.liveness.check(now);
            if (death != null) {
                ring.retire(link, SubscriberEnd.Kind.DIED, death);
                SectionPlatform.current().removeIfSame(link.path, link.fileKey);
            }
        }
        ring.roster.closeRetired();
        ring.roster.scan(); // housekeeping runs only once the first subscriber is admitted
    }
}
