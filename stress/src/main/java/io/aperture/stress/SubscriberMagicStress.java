package io.aperture.stress;

import io.aperture.internal.section.ProcessIdentity;
import io.aperture.internal.section.ShmSequence;
import io.aperture.internal.section.SubscriberDescriptor;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Description;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.II_Result;

import java.nio.ByteBuffer;

import static io.aperture.internal.section.SubscriberDescriptor.CONSUMED_OFFSET;
import static io.aperture.internal.section.SubscriberDescriptor.DELIVERED_OFFSET;
import static io.aperture.internal.section.SubscriberDescriptor.HEARTBEAT_OFFSET;
import static io.aperture.internal.section.SubscriberDescriptor.INDEX_OFFSET;
import static io.aperture.internal.section.SubscriberDescriptor.MAGIC_VERSION_OFFSET;
import static io.aperture.internal.section.SubscriberDescriptor.PID_OFFSET;
import static io.aperture.internal.section.SubscriberDescriptor.REQUESTED_OFFSET;
import static io.aperture.internal.section.SubscriberDescriptor.RING_SESSION_ID_OFFSET;
import static io.aperture.internal.section.SubscriberDescriptor.START_OFFSET;
import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

/**
 * The subscriber section's "ready" word. {@code RingAttachment.claimSection} and {@code SubscriberLink.tryOpen}
 * work on files, so their steps are repeated here over a buffer, with the same stores and loads: the subscriber
 * stores its fields plainly, then the magic with release; the publisher loads the magic with acquire, checks
 * it with {@link SubscriberDescriptor#isCompatible}, then reads the session, the index and {@code consumed}
 * (its gating start).
 * r1: the magic was seen; r2: 1 the fields read were the ones written, 0 one was stale.
 */
@JCStressTest
@Description("Subscriber fields then magic (release) vs magic (acquire) then fields: a claimed section is never stale")
@Outcome(id = "1, 1", expect = ACCEPTABLE, desc = "claimed and read whole")
@Outcome(id = "0, 0", expect = ACCEPTABLE, desc = "not claimed yet")
@Outcome(id = "0, 1", expect = ACCEPTABLE, desc = "not claimed when the magic was read; fields landed after")
@Outcome(id = "1, 0", expect = FORBIDDEN, desc = "magic seen, field stale")
@State
public class SubscriberMagicStress {
    static final long SESSION_ID = 0x5E55_1011_CAFEL;
    static final int INDEX = 3;
    static final long CONSUMED = 41L;

    final ByteBuffer section = StressSections.subscriberSection();

    @Actor
    public void subscriber() {
        section.putLong(RING_SESSION_ID_OFFSET, SESSION_ID);
        section.putLong(PID_OFFSET, ProcessIdentity.CURRENT.pid);
        section.putLong(START_OFFSET, ProcessIdentity.CURRENT.startEpochMs);
        section.putInt(INDEX_OFFSET, INDEX);
        section.putLong(REQUESTED_OFFSET, 0L);
        section.putLong(CONSUMED_OFFSET, CONSUMED);
        section.putLong(DELIVERED_OFFSET, 0L);
        section.putLong(HEARTBEAT_OFFSET, System.nanoTime());
        // Release: the fields above are complete for a publisher that acquires the magic (as claimSection).
        ShmSequence.LONG.setRelease(section, MAGIC_VERSION_OFFSET, SubscriberDescriptor.MAGIC_VERSION);
    }

    @Actor
    public void publisher(II_Result r) {
        // Acquire: pairs with the release store of the magic; the fields below are complete (as tryOpen).
        long magic = (long) ShmSequence.LONG.getAcquire(section, MAGIC_VERSION_OFFSET);
        r.r1 = SubscriberDescriptor.isCompatible(magic) ? 1 : 0;
        // Plain loads, as tryOpen's: ordered after the magic's acquire load above.
        boolean whole = section.getLong(RING_SESSION_ID_OFFSET) == SESSION_ID && section.getInt(INDEX_OFFSET) == INDEX
            && section.getLong(CONSUMED_OFFSET) == CONSUMED;
        r.r2 = whole ? 1 : 0;
    }
}
