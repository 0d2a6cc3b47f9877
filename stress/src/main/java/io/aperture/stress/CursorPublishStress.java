package io.aperture.stress;

import io.aperture.internal.section.RecordDescriptor;
import io.aperture.internal.section.RingDescriptor;
import io.aperture.internal.section.ShmSequence;
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
 * The ring's publish step at the {@link ShmSequence} level: the writer stores a payload in the slot area
 * (plain) and publishes with {@link ShmSequence#set} (release) of the cursor; the reader loads the cursor
 * with {@link ShmSequence#get} (acquire), then the payload (plain).
 * r1: the reader saw the cursor; r2: it saw the payload.
 */
@JCStressTest
@Description("Payload then cursor (release) vs cursor (acquire) then payload: a published slot is never stale")
@Outcome(id = "1, 1", expect = ACCEPTABLE, desc = "published and read whole")
@Outcome(id = "0, 0", expect = ACCEPTABLE, desc = "not published yet")
@Outcome(id = "0, 1", expect = ACCEPTABLE, desc = "not published when the cursor was read; the payload landed after")
@Outcome(id = "1, 0", expect = FORBIDDEN, desc = "cursor seen, payload stale")
@State
public class CursorPublishStress {
    static final int PAYLOAD_OFFSET = RingDescriptor.SLOTS_OFFSET + RecordDescriptor.HEADER_LENGTH;
    static final long PAYLOAD = 0x0123_4567_89AB_CDEFL;

    final ByteBuffer ring = StressSections.ringSection(RingDescriptor.MIN_CAPACITY);
    final ShmSequence cursor = new ShmSequence(ring, RingDescriptor.CURSOR_OFFSET);

    public CursorPublishStress() {
        // Plain: nothing published yet; jcstress hands the state to the actors.
        ring.putLong(RingDescriptor.CURSOR_OFFSET, -1L);
    }

    @Actor
    public void writer() {
        // Plain store: ordered before the reader's view by the cursor's release store below.
        ring.putLong(PAYLOAD_OFFSET, PAYLOAD);
        // Release store of the cursor: the payload above is visible to a reader that acquires it.
        cursor.set(0L);
    }

    @Actor
    public void reader(II_Result r) {
        // Acquire load of the cursor: pairs with the writer's release; what was stored before it is visible after.
        r.r1 = cursor.get() >= 0 ? 1 : 0;
        // Plain load: after the cursor's acquire load above, so it sees what was stored before the release.
        r.r2 = ring.getLong(PAYLOAD_OFFSET) == PAYLOAD ? 1 : 0;
    }
}
