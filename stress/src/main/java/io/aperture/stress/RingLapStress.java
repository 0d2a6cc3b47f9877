package io.aperture.stress;

import com.lmax.disruptor.AlertException;
import io.aperture.Codecs;
import io.aperture.CorruptSectionException;
import io.aperture.internal.ring.RingReader;
import io.aperture.internal.ring.RingWriter;
import io.aperture.internal.section.RingDescriptor;
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
 * A reader that follows the writer into the next lap never takes an earlier lap's header as new. A ring of
 * 8 slots of 128 bytes (7 usable: one slot of headroom; a poll reads a quarter ring, 2 slots) in which seqs
 * 0 to 6 were written and read, so that index 0 still holds seq 0's committed header and payload. The writer
 * writes seq 7 (which zeroes index 0 before its commit) and then seq 8 (at index 0); the reader polls once
 * from seq 7.
 * r1: records read (0, 1 or 2); r2: 1 every payload read is the one written for its seq, 0 a stale payload
 * was delivered, -1 the reader raised {@link CorruptSectionException} (it met seq 0's header where seq 8's
 * belongs). Mutations that make it fail: the zeroing of the next header removed ({@code -1}, the check
 * catches the stale header as corruption), or that and the sequence check both removed ({@code 0}).
 */
@JCStressTest
@Description("Writer laps the ring while the reader follows: a header of the previous lap is never read as new")
@Outcome(id = "0, 1", expect = ACCEPTABLE, desc = "nothing committed yet")
@Outcome(id = "1, 1", expect = ACCEPTABLE, desc = "seq 7 read; seq 8 not committed yet (its slot read zero)")
@Outcome(id = "2, 1", expect = ACCEPTABLE, desc = "seq 7 and seq 8 read whole")
@Outcome(expect = FORBIDDEN, desc = "a stale header or payload of the previous lap taken, or reported corrupt")
@State
public class RingLapStress {
    static final int CAPACITY = RingDescriptor.MIN_CAPACITY;
    static final int SLOT_LENGTH = 128;

    final RingWriter writer;
    final RingReader reader;
    final Checker checker = new Checker();

    public RingLapStress() {
        StressSections.Ring ring = lapped();
        writer = ring.writer;
        reader = ring.reader;
    }

    /** The ring with seqs 0 to 6 written and read (consumed 6): index 0 to 6 still hold their committed records. */
    static StressSections.Ring lapped() {
        StressSections.Ring ring = new StressSections.Ring(CAPACITY, SLOT_LENGTH);
        try {
            for (long sequence = 0; sequence < 7; sequence++) {
                ring.writer.writeData(Codecs.longs(), Checker.payload(sequence), Long.MAX_VALUE);
            }
            Checker warmUp = new Checker();
            while (ring.reader.poll(warmUp)) {
                // a quarter ring per poll
            }
            if (warmUp.read != 7 || warmUp.stale || ring.consumed.get() != 6) {
                throw new IllegalStateException("set-up read " + warmUp.read + " records, consumed " + ring.consumed.get());
            }
        } catch (Exception e) {
            throw new IllegalStateException("set-up of the lapped ring failed", e);
        }
        return ring;
    }

    /**
     * {@code polls} polls of {@code reader} into {@code checker}; r1 the records read, r2 1 (every payload the one
     * written for its seq), 0 (a stale payload delivered) or -1 ({@link CorruptSectionException}).
     */
    static void read(RingReader reader, Checker checker, int polls, II_Result r) {
        try {
            for (int i = 0; i < polls; i++) {
                // Acquire loads of the header words from the next record on, plain loads of their payloads.
                reader.poll(checker);
            }
            r.r1 = checker.read;
            r.r2 = checker.stale ? 0 : 1;
        } catch (CorruptSectionException e) {
            r.r1 = checker.read;
            r.r2 = -1;
        } catch (Exception e) {
            throw new IllegalStateException("poll failed", e); // a test error, with its trace
        }
    }

    @Actor
    public void writer() {
        try {
            // Each write: payload and the next slot's zeroed header (plain), then the header's release store.
            writer.writeData(Codecs.longs(), Checker.payload(7), Long.MAX_VALUE);
            writer.writeData(Codecs.longs(), Checker.payload(8), Long.MAX_VALUE);
        } catch (AlertException e) {
            throw new IllegalStateException("seqs 7 and 8 fit: seq 6 is consumed", e);
        }
    }

    @Actor
    public void reader(II_Result r) {
        read(reader, checker, 1, r); // one poll from seq 7
    }

    /** Counts the DATA records read and checks each payload against its sequence. */
    static final class Checker implements RingReader.RecordHandler {
        int read;
        boolean stale;

        static long payload(long sequence) {
            return 0x0123_4567_0000_0000L + sequence;
        }

        @Override
        public boolean onData(ByteBuffer window, long sequence) {
            read++;
            stale |= window.getLong(window.position()) != payload(sequence);
            return true;
        }

        @Override
        public void onComplete() {
        }

        @Override
        public void onError(String remoteClassName, String remoteMessage) {
        }
    }
}
