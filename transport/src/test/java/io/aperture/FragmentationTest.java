package io.aperture;

import com.lmax.disruptor.AlertException;
import io.aperture.internal.ring.RingReader;
import io.aperture.internal.ring.RingSequencer;
import io.aperture.internal.ring.RingWriter;
import io.aperture.internal.section.RecordDescriptor;
import io.aperture.internal.section.RingDescriptor;
import io.aperture.internal.section.RingHeader;
import io.aperture.internal.section.ShmSequence;
import io.aperture.internal.section.SubscriberDescriptor;
import io.aperture.internal.waiting.BackoffWaitStrategy;
import io.aperture.internal.waiting.Waker;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Messages longer than the max message length, over plain buffers on one thread: the writer writes FRAGMENT
 * records until the ring is full, the reader drains, the writer takes the same message up again. Every
 * message comes out whole, at every start position in the ring; bad pieces and messages above the
 * subscriber's bound give clear errors.
 */
class FragmentationTest {
    private static final int CAPACITY = 4096;
    private static final int SLOT = 32;
    private static final int MAX_MESSAGE = 200;
    private static final int MAX_FRAGMENTED = 1 << 20;

    /** One writer and one reader over a direct ring section and subscriber section. */
    private static final class Ring {
        final ByteBuffer section = ByteBuffer.allocateDirect((int) RingDescriptor.fileLength(CAPACITY))
            .order(ByteOrder.nativeOrder());
        final ByteBuffer subscriber = ByteBuffer.allocateDirect(SubscriberDescriptor.LENGTH).order(ByteOrder.nativeOrder());
        final ShmSequence consumed = new ShmSequence(subscriber, SubscriberDescriptor.CONSUMED_OFFSET);
        final RingSequencer sequencer;
        final RingWriter writer;
        final RingReader reader;
        final PayloadCollector collector = new PayloadCollector();
        final List<byte[]> received = collector.payloads;

        Ring(int ownMax) {
            ChannelOptions options = ChannelOptions.defaults().withRingCapacity(CAPACITY).withSlotLength(SLOT)
                .withMaxMessageLength(MAX_MESSAGE).withMaxFragmentedMessageLength(MAX_FRAGMENTED);
            options.validateRing();
            RingHeader.initialise(section, 1L, options, 1, Codecs.bytes());
            consumed.set(-1L);
            sequencer = new RingSequencer(CAPACITY / SLOT, new BackoffWaitStrategy(1, 1, 1_000L), () -> false);
            sequencer.addGatingSequences(new ShmSequence(subscriber.asReadOnlyBuffer().order(ByteOrder.nativeOrder()),
                SubscriberDescriptor.CONSUMED_OFFSET));
            writer = new RingWriter("frag", section, null, sequencer, CAPACITY, SLOT, MAX_MESSAGE, MAX_FRAGMENTED,
                new Waker(section, RingDescriptor.WAKE_OFFSET, SubscriberDescriptor.PARKED_OFFSET));
            ByteBuffer mapped = section.asReadOnlyBuffer().order(ByteOrder.nativeOrder());
            RingHeader header = RingHeader.read("frag.ring", mapped, mapped.capacity());
            assertThat(header.maxFragmentedLength).isEqualTo(MAX_FRAGMENTED);
            reader = new RingReader("frag.ring", mapped, consumed, CAPACITY, SLOT, header.maxMessageLength)
                .fragments(header.maxFragmentedLength, ownMax);
        }

        /** Writes {@code message}, draining whenever the ring is full (the deadline has always passed). */
        void send(byte[] message) throws Exception {
            while (true) {
                try {
                    writer.writeData(Codecs.bytes(), message, System.nanoTime() - 1);
                    return;
                } catch (AlertException full) {
                    drain();
                }
            }
        }

        void drain() throws Exception {
            for (int i = 0; i < 10_000 && reader.poll(collector); i++) {
                // drain what is published
            }
        }
    }

    private static byte[] message(int length, long seed) {
        byte[] bytes = new byte[length];
        new SplittableRandom(seed).nextBytes(bytes);
        return bytes;
    }

    @ParameterizedTest
    @ValueSource(ints = {MAX_MESSAGE + 1, MAX_MESSAGE + 2, 2 * (MAX_MESSAGE - 8), 2 * (MAX_MESSAGE - 8) + 1, CAPACITY - 1,
        CAPACITY, 3 * CAPACITY + 17, 100_000})
    void shouldDeliverEveryFragmentedMessageWholeAtEverySlotOffset(int length) throws Exception {
        for (int start = 0; start < CAPACITY / SLOT; start++) {
            Ring ring = new Ring(MAX_FRAGMENTED);
            for (int i = 0; i < start; i++) {
                ring.send(new byte[0]); // one slot each: the fragmented message starts at slot offset `start`
            }
            ring.drain();
            ring.received.clear();
            byte[] big = message(length, start);
            byte[] after = message(7, -start);
            ring.send(big);
            ring.send(after); // a DATA record right after the last piece
            ring.drain();
            assertThat(ring.received).as("length %d from slot %d", length, start).hasSize(2);
            assertThat(ring.received.get(0)).as("length %d from slot %d", length, start).isEqualTo(big);
            assertThat(ring.received.get(1)).isEqualTo(after);
            assertThat(ring.writer.publishedCount()).as("a message counts once")
                .isEqualTo(start + 2L);
            assertThat(ring.consumed.get()).as("consumed stops at a record end").isEqualTo(ring.sequencer.nextValue());
        }
    }

    @Test
    void shouldCountAFragmentedMessageOnceAndOfferASnapshotThatCountsAnOpenOne() throws Exception {
        Ring ring = new Ring(MAX_FRAGMENTED);
        ring.send(new byte[3]);
        byte[] big = message(10 * CAPACITY, 42);
        // Write until the ring is full in the middle of the message: the snapshot counts the open message.
        assertThatThrownBy(() -> ring.writer.writeData(Codecs.bytes(), big, System.nanoTime() - 1))
            .isInstanceOf(AlertException.class);
        assertThat(ring.writer.snapshot()[1]).as("a subscriber starting now misses the open message too").isEqualTo(2);
        assertThat(ring.writer.publishedCount()).isEqualTo(1);
        assertThat(ring.writer.countStarts(-1, ring.writer.snapshot()[0])).as("messages started").isEqualTo(2);
        assertThat(ring.writer.latest()).as("the walk from the lazy pair ends at the same place").containsExactly(
            ring.writer.snapshot()[0], 2);
        ring.drain();
        ring.send(big); // taken up again where it stopped
        ring.drain();
        assertThat(ring.received).hasSize(2);
        assertThat(ring.received.get(1)).isEqualTo(big);
        assertThat(ring.writer.snapshot()[1]).isEqualTo(2);
    }

    @Test
    void shouldSkipTheRestOfAMessageThatStartedBeforeTheReader() throws Exception {
        Ring ring = new Ring(MAX_FRAGMENTED);
        byte[] big = message(2 * CAPACITY, 7);
        assertThatThrownBy(() -> ring.writer.writeData(Codecs.bytes(), big, System.nanoTime() - 1))
            .isInstanceOf(AlertException.class);
        ring.drain(); // the first reader takes the first pieces
        // A second reader joins now, in the middle of the message, as the publisher admits a late subscriber.
        ByteBuffer other = ByteBuffer.allocateDirect(SubscriberDescriptor.LENGTH).order(ByteOrder.nativeOrder());
        ShmSequence otherConsumed = new ShmSequence(other, SubscriberDescriptor.CONSUMED_OFFSET);
        otherConsumed.set(ring.consumed.get());
        RingReader late = new RingReader("frag.ring", ring.section.asReadOnlyBuffer().order(ByteOrder.nativeOrder()),
            otherConsumed, CAPACITY, SLOT, MAX_MESSAGE).fragments(MAX_FRAGMENTED, MAX_FRAGMENTED);
        ring.sequencer.addGatingSequences(otherConsumed);
        PayloadCollector collect = new PayloadCollector();
        List<byte[]> lateReceived = collect.payloads;
        byte[] next = message(5, 8);
        while (true) {
            try {
                ring.writer.writeData(Codecs.bytes(), big, System.nanoTime() - 1);
                break;
            } catch (AlertException full) {
                ring.drain();
                late.poll(collect);
            }
        }
        ring.send(next);
        ring.drain();
        while (late.poll(collect)) {
            // drain
        }
        assertThat(ring.received.get(0)).isEqualTo(big);
        assertThat(lateReceived).as("the late reader gets only the message after the one it joined inside")
            .hasSize(1);
        assertThat(lateReceived.get(0)).isEqualTo(next);
    }

    @Test
    void shouldRefuseAMessageLongerThanTheSubscribersOwnBoundClearly() throws Exception {
        Ring ring = new Ring(1000);
        assertThatThrownBy(() -> ring.send(message(5000, 1)))
            .isInstanceOf(ApertureException.class).isNotInstanceOf(CorruptSectionException.class)
            .hasMessageContaining("message of 5000 bytes").hasMessageContaining("max fragmented message length 1000");
    }

    @Test
    void shouldFailAPublisherMessageAboveTheMaxFragmentedLengthWithBothNumbers() {
        Ring ring = new Ring(MAX_FRAGMENTED);
        assertThatThrownBy(() -> ring.send(message(MAX_FRAGMENTED + 1, 1)))
            .isInstanceOf(MessageTooLargeException.class)
            .hasMessage("channel 'frag': message length " + (MAX_FRAGMENTED + 1) + " > max message length " + MAX_FRAGMENTED);
    }

    @Test
    void shouldReportCorruptPiecesAsCorruption() throws Exception {
        int[][] damage = {
            {RecordDescriptor.FRAGMENT_TOTAL_OFFSET, -1}, {RecordDescriptor.FRAGMENT_TOTAL_OFFSET, MAX_FRAGMENTED + 1},
            {RecordDescriptor.FRAGMENT_OFFSET_OFFSET, 5}, {RecordDescriptor.FRAGMENT_OFFSET_OFFSET, -3},
        };
        for (int[] d : damage) {
            Ring ring = new Ring(MAX_FRAGMENTED);
            ring.send(new byte[1]);
            ring.drain(); // the reader is past its start: a piece without its first is corrupt, not skipped
            assertThatThrownBy(() -> ring.writer.writeData(Codecs.bytes(), message(CAPACITY, 3), System.nanoTime() - 1))
                .isInstanceOf(AlertException.class);
            int first = RingDescriptor.SLOTS_OFFSET + SLOT; // the message's first piece, right after the 1-byte record
            ring.section.putInt(first + RecordDescriptor.HEADER_LENGTH + d[0], d[1]);
            assertThatThrownBy(ring::drain).as("damage %s", Arrays.toString(d))
                .isInstanceOf(CorruptSectionException.class).hasMessageContaining("FRAGMENT");
        }
    }
}
