package io.aperture;

import com.lmax.disruptor.AlertException;
import com.lmax.disruptor.EventPoller;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Description;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.II_Result;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

/**
 * One record through the real ring: {@link RingWriter#writeData} (record header and payload by plain stores,
 * then the cursor's release store in {@link RingSequencer#publish}) against one {@link RingReader#poll}
 * (the stock {@code EventPoller} loads the cursor with acquire, then the reader validates the header and
 * hands over the payload). The ring is built as {@code RingProtocolTest} builds it, over direct buffers.
 * r1: the poll's state: 1 PROCESSING (it read the record), 0 IDLE (nothing published), 2 GATING (the
 * cursor moved between the poller's two loads of it); r2: 1 the payload read was the one written, 0 it was
 * stale or nothing was read, -1 the record header was stale (the reader raised {@link CorruptSectionException}).
 */
@JCStressTest
@Description("RingWriter publishes one record, RingReader polls: a record found is never stale")
@Outcome(id = "1, 1", expect = ACCEPTABLE, desc = "published and read whole")
@Outcome(id = "0, 0", expect = ACCEPTABLE, desc = "not published yet: the poll was idle")
@Outcome(id = "2, 0", expect = ACCEPTABLE,
    desc = "published during the poll, after its first cursor load: nothing read; the next wait sees it at once")
@Outcome(expect = FORBIDDEN, desc = "cursor seen, record or payload stale")
@State
public class RingRecordPublishStress {
    static final int CAPACITY = RingDescriptor.MIN_CAPACITY;
    static final int SLOT_LENGTH = 64;
    static final ChannelOptions OPTIONS = ChannelOptions.defaults().withRingCapacity(CAPACITY)
        .withSlotLength(SLOT_LENGTH).withMaxMessageLength(RingDescriptor.maxMessageLengthFor(CAPACITY));
    static final Long PAYLOAD = 0x0123_4567_89AB_CDEFL;

    final RingWriter writer;
    final RingReader reader;
    final Recorder recorder = new Recorder();

    public RingRecordPublishStress() {
        ByteBuffer ring = StressSections.ringSection(CAPACITY);
        RingHeader.initialise(ring, 0x5E55_1011_CAFEL, OPTIONS, 1, Codecs.longs());
        ByteBuffer subscriber = StressSections.subscriberWords();
        ShmSequence consumed = new ShmSequence(subscriber, SubscriberDescriptor.CONSUMED_OFFSET);
        // Plain: nothing consumed yet, as the subscriber's claim leaves it; jcstress hands the state to the actors.
        subscriber.putLong(SubscriberDescriptor.CONSUMED_OFFSET, -1L);
        RingSequencer sequencer = new RingSequencer(CAPACITY / SLOT_LENGTH, new BackoffWaitStrategy(100, 10, 50_000L),
            new ShmSequence(ring, RingDescriptor.CURSOR_OFFSET), () -> false);
        // The publisher gates on consumed through its read-only mapping of the subscriber section.
        sequencer.addGatingSequences(new ShmSequence(readOnly(subscriber), SubscriberDescriptor.CONSUMED_OFFSET));
        writer = new RingWriter("stress", ring, sequencer, CAPACITY, SLOT_LENGTH, OPTIONS.maxMessageLength());
        // The subscriber maps the ring read-only.
        reader = new RingReader("stress.ring", readOnly(ring), consumed, CAPACITY, SLOT_LENGTH,
            OPTIONS.maxMessageLength());
    }

    private static ByteBuffer readOnly(ByteBuffer section) {
        return section.asReadOnlyBuffer().order(ByteOrder.nativeOrder());
    }

    @Actor
    public void writer() {
        try {
            // Plain stores of the record header and payload, then the release store of the cursor (RingSequencer).
            writer.writeData(Codecs.longs(), PAYLOAD, Long.MAX_VALUE);
        } catch (AlertException e) {
            throw new IllegalStateException("a fresh ring has room for one record", e);
        }
    }

    @Actor
    public void reader(II_Result r) {
        try {
            // Acquire loads of the cursor (EventPoller), then plain loads of the record; release store of consumed.
            EventPoller.PollState state = reader.poll(recorder);
            r.r1 = state == EventPoller.PollState.PROCESSING ? 1 : state == EventPoller.PollState.IDLE ? 0 : 2;
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
