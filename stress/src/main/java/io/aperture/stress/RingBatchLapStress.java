package io.aperture.stress;

import com.lmax.disruptor.AlertException;
import io.aperture.Codecs;
import io.aperture.CorruptSectionException;
import io.aperture.internal.ring.RingReader;
import io.aperture.internal.ring.RingWriter;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Description;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.II_Result;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

/**
 * A batch that laps the ring is read whole, and the slot after it never passes an earlier lap's header as new. The
 * ring of {@link RingLapStress} (8 slots of 128 bytes, 7 usable, a quarter ring of 2 slots per poll), with seqs 0 to
 * 6 written and read, so that index 1 still holds seq 1's committed header. The writer writes seqs 7 and 8 (index 0)
 * as one batch ({@link RingWriter#deferring}) and flushes it: the records of a batch are not zeroed ahead, and the
 * flush zeroes the one slot after the batch, seq 9 at index 1, before the commit. The reader polls twice from seq 7:
 * the second poll looks at seq 9's slot once the batch was read.
 * r1: records read (0 or 2: a batch is committed by its first header, so never 1); r2: 1 every payload read is the
 * one written for its seq, 0 a stale payload was delivered, -1 the reader raised {@link CorruptSectionException} (it
 * met seq 1's header where seq 9's belongs). Mutation that makes it fail: the zeroing of the slot after the batch in
 * {@code RingWriter.commitBatch} removed ({@code 2, -1}).
 */
@JCStressTest
@Description("A batch laps the ring: read whole, and the slot after it never passes a header of the previous lap")
@Outcome(id = "0, 1", expect = ACCEPTABLE, desc = "the batch not committed yet")
@Outcome(id = "2, 1", expect = ACCEPTABLE, desc = "seqs 7 and 8 read whole; seq 9's slot read zero")
@Outcome(expect = FORBIDDEN, desc = "half a batch, a stale payload, or a header of the previous lap reported corrupt")
@State
public class RingBatchLapStress {
    final RingWriter writer;
    final RingReader reader;
    final RingLapStress.Checker checker = new RingLapStress.Checker();

    public RingBatchLapStress() {
        StressSections.Ring ring = RingLapStress.lapped();
        writer = ring.writer;
        reader = ring.reader;
    }

    @Actor
    public void writer() {
        try {
            writer.deferring(true);
            // Payloads and seq 8's header (plain); the flush zeroes seq 9's header (plain), then release-stores seq 7's.
            writer.writeData(Codecs.longs(), RingLapStress.Checker.payload(7), Long.MAX_VALUE);
            writer.writeData(Codecs.longs(), RingLapStress.Checker.payload(8), Long.MAX_VALUE);
            writer.flush();
        } catch (AlertException e) {
            throw new IllegalStateException("seqs 7 and 8 fit: seq 6 is consumed", e);
        }
    }

    @Actor
    public void reader(II_Result r) {
        RingLapStress.read(reader, checker, 2, r); // a quarter ring per poll: the second looks at seq 9's slot
    }
}
