package io.aperture.stress;

import io.aperture.ChannelOptions;
import io.aperture.Codecs;
import io.aperture.internal.section.ProcessIdentity;
import io.aperture.internal.section.RingDescriptor;
import io.aperture.internal.section.RingHeader;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Description;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.II_Result;

import java.nio.ByteBuffer;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

/**
 * The ring section's "ready" word: the real {@link RingHeader#initialise} (every header field by plain stores,
 * the magic last with release) against an attaching subscriber: {@link RingHeader#magic} (acquire), then the
 * real {@link RingHeader#read}, which validates every field.
 * r1: the magic was seen; r2: with the magic, 1 the header read whole, 0 a field stale, -1 it was refused
 * as incompatible or corrupt; without it, 1 the capacity field was already visible, 0 not.
 */
@JCStressTest
@Description("Header fields then magic (release) vs magic (acquire) then fields: a ready header is never stale")
@Outcome(id = "1, 1", expect = ACCEPTABLE, desc = "ready and read whole")
@Outcome(id = "0, 0", expect = ACCEPTABLE, desc = "not ready yet")
@Outcome(id = "0, 1", expect = ACCEPTABLE, desc = "not ready when the magic was read; fields landed after")
@Outcome(expect = FORBIDDEN, desc = "magic seen, header field stale")
@State
public class RingHeaderMagicStress {
    static final int CAPACITY = RingDescriptor.MIN_CAPACITY;
    static final long SESSION_ID = 0x5E55_1011_CAFEL;
    static final ChannelOptions OPTIONS = ChannelOptions.defaults().withRingCapacity(CAPACITY).withSlotLength(64)
        .withMaxMessageLength(RingDescriptor.maxMessageLengthFor(CAPACITY));

    final ByteBuffer ring = StressSections.ringSection(CAPACITY);

    @Actor
    public void publisher() {
        // Plain stores of every header field, then the release store of the magic.
        RingHeader.initialise(ring, SESSION_ID, OPTIONS, 1, Codecs.longs());
    }

    @Actor
    public void subscriber(II_Result r) {
        // Acquire load of the magic: pairs with its release store; the fields read after it are complete.
        if (RingHeader.magic(ring) == 0) {
            r.r1 = 0;
            r.r2 = ring.getInt(RingDescriptor.CAPACITY_OFFSET) == CAPACITY ? 1 : 0;
            return;
        }
        r.r1 = 1;
        try {
            // Acquire load of the magic again, then plain loads of the fields, each validated.
            RingHeader header = RingHeader.read("stress.ring", ring, RingDescriptor.fileLength(CAPACITY));
            boolean whole = header.sessionId == SESSION_ID && header.maxSubscribers == 1
                && header.codecName.equals("long") && header.publisher.pid == ProcessIdentity.CURRENT.pid
                && header.publisher.startEpochMs == ProcessIdentity.CURRENT.startEpochMs;
            r.r2 = whole ? 1 : 0;
        } catch (RuntimeException e) {
            r.r2 = -1;
        }
    }
}
