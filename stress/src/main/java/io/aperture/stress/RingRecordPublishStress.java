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
 * One record through the real ring (layout 3.0): {@link RingWriter#writeData} (payload and the next slot's
 * zeroed header by plain stores, then the record's header word with release: the commit) against one
 * {@link RingReader#poll} (acquire load of the header word, validation, then the payload by plain loads).
 * The ring is built as {@code RingProtocolTest} builds it, over direct buffers.
 * r1: 1 the poll read a record, 0 it found none committed; r2: 1 the payload read was the one written, 0 it
 * was stale or nothing was read, -1 the reader raised {@link CorruptSectionException} (a torn header).
 * Mutation: the header's release store made plain lets the header pass the payload only where the compiler
 * or the CPU reorders two stores (not x86's TSO); see docs/waiting.md for what a run shows.
 */
@JCStressTest
@Description("RingWriter publishes one record, RingReader polls: a record found is never stale")
@Outcome(id = "1, 1", expect = ACCEPTABLE, desc = "published and read whole")
@Outcome(id = "0, 0", expect = ACCEPTABLE, desc = "not committed yet: nothing read")
@Outcome(expect = FORBIDDEN, desc = "header seen, payload stale, or a torn header")
@State
public class RingRecordPublishStress {
    static final int CAPACITY = RingDescriptor.MIN_CAPACITY;
    static final int SLOT_LENGTH = 64;
    static final Long PAYLOAD = 0x0123_4567_89AB_CDEFL;

    final RingWriter writer;
    final RingReader reader;
    final Recorder recorder = new Recorder();

    public RingRecordPublishStress() {
        StressSections.Ring ring = new StressSections.Ring(CAPACITY, SLOT_LENGTH);
        writer = ring.writer;
        reader = ring.reader;
    }

    @Actor
    public void writer() {
        try {
            // Plain stores of the payload and the next slot's header, then the release store of the header (the commit).
            writer.writeData(Codecs.longs(), PAYLOAD, Long.MAX_VALUE);
        } catch (AlertException e) {
            throw new IllegalStateException("a fresh ring has room for one record", e);
        }
    }

    @Actor
    public void reader(II_Result r) {
        try {
            // Acquire load of the header word, then plain loads of the payload; release store of consumed.
            r.r1 = reader.poll(recorder) ? 1 : 0;
            r.r2 = recorder.read == PAYLOAD ? 1 : 0;
        } catch (CorruptSectionException e) {
            r.r1 = 1;
            r.r2 = -1;
        } catch (Exception e) {
            throw new IllegalStateException("poll of a one-record ring failed", e); // a test error, with its trace
        }
    }

    /** Keeps the payload of the DATA record read, as a codec would decode it in place. */
    static final class Recorder implements RingReader.RecordHandler {
        long read;

        @Override
        public boolean onData(ByteBuffer window, long sequence) {
            read = window.getLong(window.position());
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
