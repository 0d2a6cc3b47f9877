package io.aperture;

import com.lmax.disruptor.AlertException;
import io.aperture.internal.ring.ErrorRecord;
import io.aperture.internal.ring.RingReader;
import io.aperture.internal.ring.RingSequencer;
import io.aperture.internal.ring.RingWriter;
import io.aperture.internal.section.RecordDescriptor;
import io.aperture.internal.section.RingDescriptor;
import io.aperture.internal.section.RingHeader;
import io.aperture.internal.section.ShmSequence;
import io.aperture.internal.section.SubscriberDescriptor;
import io.aperture.internal.section.TerminalState;
import io.aperture.internal.waiting.BackoffWaitStrategy;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.ReadOnlyBufferException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static io.aperture.internal.section.RecordDescriptor.HEADER_LENGTH;
import static io.aperture.internal.section.RecordDescriptor.TYPE_COMPLETE;
import static io.aperture.internal.section.RecordDescriptor.TYPE_DATA;
import static io.aperture.internal.section.RecordDescriptor.TYPE_ERROR;
import static io.aperture.internal.section.RecordDescriptor.TYPE_FRAGMENT;
import static io.aperture.internal.section.RecordDescriptor.TYPE_PADDING;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

/**
 * The ring's record protocol over plain direct buffers, with no file and no second process: a ring section
 * initialised by {@link RingHeader}, the publisher's {@link RingSequencer} and {@link RingWriter}, and the
 * subscriber's {@link RingReader} draining into a {@code consumed} word of a subscriber section, which the
 * sequencer gates on. The reader sees the ring through a read-only view, as a subscriber maps it.
 */
@Timeout(60)
class RingProtocolTest {
    private static final String SECTION = "test.ring";
    private static final long SESSION_ID = 0x5E55_1011_CAFEL;

    // ===================================================================================== round trips

    @ParameterizedTest(name = "capacity {0}, slot {1}")
    @CsvSource({"1024, 16", "1024, 64", "2048, 16", "2048, 64"})
    void shouldRoundTripEveryPayloadLengthOneRecordAtATime(int capacity, int slotLength) throws Exception {
        Ring ring = new Ring(capacity, slotLength, RingDescriptor.maxMessageLengthFor(capacity));
        Placement placement = new Placement(ring);
        for (int length = 0; length <= ring.maxMessageLength; length++) {
            byte[] payload = payload(length, length);
            long expected = placement.place(length);
            long sequence = ring.write(payload);
            assertThat(sequence).as("sequence of the %d-byte record", length).isEqualTo(expected);
            assertThat(ring.drain()).as("%d-byte record", length).containsExactly(Event.data(sequence, payload));
        }
        assertThat(ring.sequencer.nextValue()).as("the ring wrapped many times").isGreaterThan(10L * ring.slotCount);
        assertThat(placement.lastStart).isEqualTo(ring.lastWritten);
        assertThat(ring.consumed.get()).as("the poller walked every published slot").isEqualTo(ring.sequencer.nextValue());
    }

    @ParameterizedTest(name = "capacity {0}, slot {1}")
    @CsvSource({"1024, 16", "1024, 64", "2048, 16", "2048, 64"})
    void shouldRoundTripEveryPayloadLengthInBatchesThatFillTheRing(int capacity, int slotLength) throws Exception {
        Ring ring = new Ring(capacity, slotLength, RingDescriptor.maxMessageLengthFor(capacity));
        Placement placement = new Placement(ring);
        List<Event> written = new ArrayList<>();
        List<Event> read = new ArrayList<>();
        int fullRings = 0;
        for (int i = 0; i <= 2 * ring.maxMessageLength; i++) {
            // Every length twice, ascending then descending, so large and small records mix at every offset.
            int length = i <= ring.maxMessageLength ? i : 2 * ring.maxMessageLength - i;
            byte[] payload = payload(length, i);
            long expected = placement.place(length);
            long sequence;
            if (ring.tryWrite(payload)) {
                sequence = ring.lastWritten;
            } else {
                fullRings++;
                read.addAll(ring.drain());
                sequence = ring.write(payload);
            }
            assertThat(sequence).as("sequence of record %d (%d bytes)", i, length).isEqualTo(expected);
            written.add(Event.data(sequence, payload));
        }
        read.addAll(ring.drain());
        assertThat(read).containsExactlyElementsOf(written);
        assertThat(fullRings).as("the ring filled up").isGreaterThan(10);
    }

    @Test
    void shouldRoundTripUpToASmallerConfiguredMaxMessageLength() throws Exception {
        Ring ring = new Ring(1024, 16, 100);
        for (int length = 0; length <= 100; length++) {
            byte[] payload = payload(length, 7);
            long sequence = ring.write(payload);
            assertThat(ring.drain()).containsExactly(Event.data(sequence, payload));
        }
        assertThatThrownBy(() -> ring.write(new byte[101])).isInstanceOf(MessageTooLargeException.class)
            .hasMessageContaining("message length 101").hasMessageContaining("max message length 100");
    }

    @Test
    void shouldRoundTripUtf8AndPrimitiveCodecsThroughTheRing() throws Exception {
        Ring ring = new Ring(1024, 16, RingDescriptor.maxMessageLengthFor(1024));
        String[] strings = {"", "a", "\u00e9t\u00e9 \u20ac \ud83d\ude00", "x".repeat(504)};
        for (String value : strings) {
            ring.writer.writeData(Codecs.utf8(), value, liveDeadline());
            Recorder recorder = new Recorder(ring);
            recorder.decoder = Codecs.utf8();
            ring.pollUntilIdle(recorder);
            assertThat(recorder.decoded).containsExactly(value);
        }
        ring.writer.writeData(Codecs.longs(), Long.MIN_VALUE, liveDeadline());
        ring.writer.writeData(Codecs.longs(), Long.MAX_VALUE, liveDeadline());
        Recorder recorder = new Recorder(ring);
        recorder.decoder = Codecs.longs();
        ring.pollUntilIdle(recorder);
        assertThat(recorder.decoded).containsExactly(Long.MIN_VALUE, Long.MAX_VALUE);
    }

    // ==================================================================================== wrap-around

    @ParameterizedTest(name = "capacity {0}, slot {1}")
    @CsvSource({"1024, 16", "1024, 64", "2048, 64"})
    void shouldWrapAroundAtEverySlotIndex(int capacity, int slotLength) throws Exception {
        int slotCount = capacity / slotLength;
        int max = RingDescriptor.maxMessageLengthFor(capacity);
        int paddings = 0;
        int exactFits = 0;
        for (int lap = 0; lap < 2; lap++) {
            for (int start = 0; start < slotCount; start++) {
                int toEnd = capacity - start * slotLength;
                // How far the first record reaches past the ring end: not at all (one slot short, exact fit),
                // one byte, one slot, or as far as the max message length allows.
                for (int over : new int[] {-slotLength, 0, 1, slotLength, capacity}) {
                    int length = Math.min(max, toEnd - HEADER_LENGTH + over);
                    if (length < 0) {
                        continue;
                    }
                    long position = (long) lap * slotCount + start;
                    Ring ring = Ring.positionedAt(capacity, slotLength, max, position);
                    Placement placement = new Placement(ring);
                    List<Event> written = new ArrayList<>();
                    List<Event> read = new ArrayList<>();
                    int[] lengths = {length, 0, slotLength, 3 * slotLength + 5, max};
                    for (int i = 0; i < lengths.length; i++) {
                        byte[] payload = payload(lengths[i], (int) position * 5 + i);
                        long expected = placement.place(lengths[i]);
                        long sequence = ring.writeOrDrain(payload, read);
                        assertThat(sequence).as("record %d of %d bytes from slot %d, lap %d", i, lengths[i], start, lap)
                            .isEqualTo(expected);
                        written.add(Event.data(sequence, payload));
                        if (i == 0) {
                            if (HEADER_LENGTH + length > toEnd) {
                                paddings++;
                                assertThat(sequence).as("crossing record moves to index 0 of the next lap")
                                    .isEqualTo((lap + 1L) * slotCount);
                                ring.assertHeader(position, TYPE_PADDING, toEnd - HEADER_LENGTH);
                            } else {
                                assertThat(sequence).as("record that fits starts where the writer was").isEqualTo(position);
                                ring.assertHeader(position, TYPE_DATA, length);
                                if (HEADER_LENGTH + length == toEnd) {
                                    exactFits++;
                                }
                            }
                        }
                        if (i == 1 && HEADER_LENGTH + length == toEnd) {
                            assertThat(sequence).as("after an exact fit the next record needs no padding")
                                .isEqualTo((lap + 1L) * slotCount);
                        }
                    }
                    read.addAll(ring.drain());
                    assertThat(read).as("records from slot %d, lap %d, first reaching %d bytes over", start, lap, over)
                        .containsExactlyElementsOf(written);
                }
            }
        }
        assertThat(paddings).isGreaterThan(slotCount);
        assertThat(exactFits).isGreaterThan(slotCount / 2);
    }

    @Test
    void shouldWriteExactlyFittingRecordWithoutPadding() throws Exception {
        // 16 slots of 64 bytes; the writer at slot 12 has 4 slots (256 bytes) to the end.
        Ring ring = Ring.positionedAt(1024, 64, 504, 12);
        long cursorBefore = ring.sequencer.nextValue();
        long sequence = ring.write(payload(256 - HEADER_LENGTH, 1));
        assertThat(sequence).isEqualTo(12);
        assertThat(ring.sequencer.nextValue()).as("one record of 4 slots, nothing else").isEqualTo(cursorBefore + 4);
        long next = ring.write(payload(0, 2));
        assertThat(next).as("next record at index 0, right after").isEqualTo(16);
        ring.assertHeader(12, TYPE_DATA, 256 - HEADER_LENGTH);
        assertThat(ring.drain()).containsExactly(Event.data(12, payload(248, 1)), Event.data(16, payload(0, 2)));
    }

    @Test
    void shouldPadToTheRingEndWhenOneByteDoesNotFit() throws Exception {
        Ring ring = Ring.positionedAt(1024, 64, 504, 12);
        long sequence = ring.write(payload(256 - HEADER_LENGTH + 1, 1));
        assertThat(sequence).isEqualTo(16);
        ring.assertHeader(12, TYPE_PADDING, 256 - HEADER_LENGTH);
        assertThat(ring.sequencer.nextValue()).as("padding of 4 slots, then a record of 5 slots").isEqualTo(16 + 5 - 1);
        assertThat(ring.drain()).containsExactly(Event.data(16, payload(249, 1)));
        assertThat(ring.consumed.get()).isEqualTo(20);
    }

    // ======================================================================================== gating

    @Test
    void shouldNeverOverwriteUnconsumedSlots() throws Exception {
        Ring ring = new Ring(1024, 16, 504);
        List<Event> written = new ArrayList<>();
        // One-slot records (8-byte payloads): slotCount - 1 of them fill the ring (one slot is kept as headroom,
        // for the zeroed header after the last record).
        while (true) {
            byte[] payload = payload(8, written.size());
            try {
                long sequence = ring.writer.writeData(Codecs.bytes(), payload, shortDeadline());
                written.add(Event.data(sequence, payload));
            } catch (AlertException e) {
                break;
            }
            assertThat(written.size()).as("writes must stop when the ring is full").isLessThanOrEqualTo(ring.slotCount);
        }
        assertThat(written).hasSize(ring.slotCount - 1);
        assertThat(ring.sequencer.nextValue() - ring.consumed.get()).isEqualTo(ring.slotCount - 1);

        byte[] unconsumed = ring.unconsumedBytes();
        for (int length : new int[] {0, 8, 9, 100, 504}) {
            assertThatThrownBy(() -> ring.writer.writeData(Codecs.bytes(), payload(length, 99), shortDeadline()))
                .as("%d-byte record into a full ring", length).isInstanceOf(AlertException.class);
            assertThat(ring.unconsumedBytes()).as("unconsumed slots untouched").isEqualTo(unconsumed);
            assertThat(ring.sequencer.nextValue()).isEqualTo(ring.slotCount - 2L);
        }

        // Consume one record: one slot frees up, the last before the ring's end. A two-slot record does not fit
        // there: the writer pads that slot and waits; nothing fits at index 0 until a second record is consumed.
        Recorder one = new Recorder(ring);
        one.continueAfterData = false;
        assertThat(ring.reader.poll(one)).isTrue();
        assertThat(one.events).containsExactly(written.get(0));
        assertThatThrownBy(() -> ring.writer.writeData(Codecs.bytes(), payload(9, 0), shortDeadline()))
            .isInstanceOf(AlertException.class);
        assertThatThrownBy(() -> ring.writer.writeData(Codecs.bytes(), payload(8, 0), shortDeadline()))
            .isInstanceOf(AlertException.class);
        assertThat(ring.reader.poll(one)).isTrue();
        assertThat(one.events).containsExactly(written.get(0), written.get(1));
        long sequence = ring.writer.writeData(Codecs.bytes(), payload(8, 1000), shortDeadline());
        assertThat(sequence).isEqualTo(ring.slotCount);
        written.add(Event.data(sequence, payload(8, 1000)));

        List<Event> read = new ArrayList<>(one.events);
        read.addAll(ring.drain());
        assertThat(read).containsExactlyElementsOf(written);

        // Resumes after consumption, with the whole ring free again.
        long resumed = ring.write(payload(504, 5));
        assertThat(ring.drain()).containsExactly(Event.data(resumed, payload(504, 5)));
    }

    @Test
    void shouldResumeABlockedWriterWhenTheReaderConsumes() throws Exception {
        Ring ring = new Ring(1024, 64, 504);
        List<Event> written = new ArrayList<>();
        while (true) {
            byte[] payload = payload(100, written.size());
            try {
                written.add(Event.data(ring.writer.writeData(Codecs.bytes(), payload, shortDeadline()), payload));
            } catch (AlertException e) {
                break;
            }
        }
        byte[] blocked = payload(300, 77);
        CompletableFuture<Long> writing = CompletableFuture.supplyAsync(() -> {
            try {
                return ring.writer.writeData(Codecs.bytes(), blocked, System.nanoTime() + TimeUnit.SECONDS.toNanos(20));
            } catch (AlertException e) {
                throw new IllegalStateException("writer was not released by consumption", e);
            }
        });
        List<Event> read = new ArrayList<>(ring.drain());
        long sequence = writing.get(20, TimeUnit.SECONDS);
        written.add(Event.data(sequence, blocked));
        read.addAll(ring.drain());
        assertThat(read).containsExactlyElementsOf(written);
    }

    @Test
    @Timeout(30)
    void shouldCarryEveryRecordIntactBetweenAWriterAndAReaderThread() throws Exception {
        Ring ring = new Ring(2048, 16, 1016);
        int records = 20_000;
        CompletableFuture<Void> writing = CompletableFuture.runAsync(() -> {
            Random random = new Random(42);
            try {
                for (int i = 0; i < records; i++) {
                    ring.writer.writeData(Codecs.bytes(), payload(random.nextInt(300), i),
                        System.nanoTime() + TimeUnit.SECONDS.toNanos(20));
                }
                ring.writer.writeSignal(TYPE_COMPLETE, new byte[0], System.nanoTime() + TimeUnit.SECONDS.toNanos(20));
            } catch (AlertException e) {
                throw new IllegalStateException(e);
            }
        });
        Random expected = new Random(42);
        int[] next = {0};
        boolean[] completed = {false};
        RingReader.RecordHandler handler = new RingReader.RecordHandler() {
            @Override
            public boolean onData(ByteBuffer window, long sequence) {
                byte[] bytes = new byte[window.remaining()];
                window.get(bytes);
                int i = next[0]++;
                assertThat(bytes).as("record %d", i).isEqualTo(payload(expected.nextInt(300), i));
                return true;
            }

            @Override
            public void onComplete() {
                completed[0] = true;
            }

            @Override
            public void onError(String remoteClassName, String remoteMessage) {
                fail("unexpected error record " + remoteClassName);
            }
        };
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!ring.reader.terminated()) {
            if (!ring.reader.poll(handler)) {
                Thread.onSpinWait();
            }
            assertThat(System.nanoTime() - deadline).as("reader finished in time").isNegative();
        }
        writing.get(20, TimeUnit.SECONDS);
        assertThat(next[0]).isEqualTo(records);
        assertThat(completed[0]).isTrue();
    }

    @Test
    @Timeout(value = 10, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void shouldOverwriteFreelyWhenNothingGates() throws Exception {
        // "Nobody gates: the producer may overwrite freely" (RingSequencer.awaitFree): the writer must never
        // wait, whatever the lengths, however many laps.
        Ring ring = new Ring(1024, 16, 504, false);
        Placement placement = new Placement(ring);
        Random random = new Random(7);
        for (int i = 0; i < 2_000; i++) {
            int length = random.nextInt(505);
            long expected = placement.place(length);
            assertThat(ring.writer.writeData(Codecs.bytes(), payload(length, i), shortDeadline())).isEqualTo(expected);
        }
    }

    @Test
    @Timeout(value = 10, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void shouldOverwriteFreelyOnceTheLastGatingSequenceIsRemoved() throws Exception {
        Ring ring = withStaleGatingMidLap();
        // The subscriber goes away (dead or cancelled): nothing gates any more.
        assertThat(ring.sequencer.removeGatingSequence(ring.gating)).isTrue();
        long sequence = ring.writer.writeData(Codecs.bytes(), payload(300, 1), shortDeadline());
        assertThat(sequence).isEqualTo(65);
    }

    @Test
    void shouldNotReportAFullRingWhenTheDeadlineHasPassedButSpaceIsFree() throws Exception {
        Ring ring = withStaleGatingMidLap();
        ring.drain();
        // Space is free, so no wait is needed at all and an elapsed deadline must not matter.
        long sequence = ring.writer.writeData(Codecs.bytes(), payload(300, 2), System.nanoTime() - 1);
        assertThat(ring.drain()).containsExactly(Event.data(sequence, payload(300, 2)));
    }

    /**
     * A ring of 64 slots whose writer last read the gating sequence when consumed was 9 (mid-lap), and has
     * claimed up to 64 since: its cached view says 9 slots are free, fewer than a 300-byte record needs.
     */
    private static Ring withStaleGatingMidLap() throws Exception {
        Ring ring = new Ring(1024, 16, 504);
        for (int i = 0; i < 10; i++) {
            ring.write(payload(0, i));
        }
        ring.drain();
        for (int i = 0; i < 55; i++) {
            ring.write(payload(0, i)); // the last of these finds the cache full and re-reads consumed: 9
        }
        assertThat(ring.sequencer.nextValue()).isEqualTo(64);
        return ring;
    }

    // ================================================================================ message too large

    @Test
    void shouldNameLengthAndLimitWhenAMessageIsTooLarge() throws Exception {
        Ring ring = new Ring(1024, 16, 504);
        assertThatThrownBy(() -> ring.write(new byte[505]))
            .isInstanceOfSatisfying(MessageTooLargeException.class, e -> {
                assertThat(e.length()).isEqualTo(505);
                assertThat(e.maxLength()).isEqualTo(504);
            })
            .hasMessage("channel 'test': message length 505 > max message length 504");
        assertThatThrownBy(() -> ring.write(new byte[100_000]))
            .isInstanceOf(MessageTooLargeException.class)
            .hasMessageContaining("message length 100000").hasMessageContaining("max message length 504");
        assertThat(ring.sequencer.nextValue()).as("nothing published").isEqualTo(-1L);

        long sequence = ring.write(payload(504, 3));
        assertThat(ring.drain()).containsExactly(Event.data(sequence, payload(504, 3)));
    }

    @Test
    void shouldKeepTheRingUsableAfterATooLargeMessageNearTheRingEnd() throws Exception {
        Ring ring = Ring.positionedAt(1024, 16, 504, 60); // 4 slots to the end
        assertThatThrownBy(() -> ring.write(new byte[600])).isInstanceOf(MessageTooLargeException.class)
            .hasMessageContaining("600").hasMessageContaining("504");
        long sequence = ring.write(payload(40, 4));
        assertThat(ring.drain()).containsExactly(Event.data(sequence, payload(40, 4)));
    }

    // ============================================================================== terminal records

    @Test
    void shouldDeliverCompleteAfterEveryEarlierDataRecord() throws Exception {
        Ring ring = Ring.positionedAt(1024, 16, 504, 50);
        List<Event> written = new ArrayList<>();
        long publishedBefore = ring.writer.publishedCount();
        for (int i = 0; i < 5; i++) {
            byte[] payload = payload(60 + i, i); // crosses the ring end on the way
            written.add(Event.data(ring.write(payload), payload));
        }
        ring.writer.writeSignal(TYPE_COMPLETE, new byte[0], liveDeadline());
        written.add(Event.complete());
        assertThat(ring.writer.publishedCount() - publishedBefore).as("only DATA records count as published").isEqualTo(5);
        assertThat(ring.section.getLong(RingDescriptor.PUBLISHED_OFFSET)).isEqualTo(ring.writer.publishedCount());

        Recorder recorder = new Recorder(ring);
        ring.pollUntilIdle(recorder);
        assertThat(recorder.events).containsExactlyElementsOf(written);
        assertThat(ring.reader.terminated()).isTrue();

        // Nothing after the terminal record is delivered.
        ring.write(payload(3, 3));
        Recorder after = new Recorder(ring);
        ring.reader.poll(after);
        ring.reader.poll(after);
        assertThat(after.events).isEmpty();
    }

    @Test
    void shouldPeekATerminalRecordWithoutConsumingData() throws Exception {
        Ring ring = new Ring(1024, 16, 504);
        assertThat(ring.reader.peekNextType()).isEqualTo(-1);
        ring.write(payload(20, 1));
        ring.writer.writeSignal(TYPE_COMPLETE, new byte[0], liveDeadline());
        assertThat(ring.reader.peekNextType()).isEqualTo(TYPE_DATA);
        assertThat(ring.reader.hasUnread()).isTrue();
        Recorder one = new Recorder(ring);
        one.continueAfterData = false;
        ring.reader.poll(one);
        assertThat(one.events).hasSize(1);
        assertThat(ring.reader.peekNextType()).isEqualTo(TYPE_COMPLETE);
        ring.reader.poll(one);
        assertThat(one.events).endsWith(Event.complete());
        assertThat(ring.reader.hasUnread()).isFalse();
    }

    @Test
    void shouldDeliverErrorWithClassAndMessageAfterEveryEarlierDataRecord() throws Exception {
        Ring ring = Ring.positionedAt(1024, 64, 504, 15); // one slot to the end: the data record crosses it
        byte[] first = payload(100, 1);
        long sequence = ring.write(first);
        byte[] error = ErrorRecord.encode(new IllegalStateException("boom \u00e9"), ring.maxMessageLength);
        ring.writer.writeSignal(TYPE_ERROR, error, liveDeadline());
        assertThat(ring.drain()).containsExactly(Event.data(sequence, first),
            Event.error("java.lang.IllegalStateException", "boom \u00e9"));
        assertThat(ring.reader.terminated()).isTrue();
    }

    @Test
    void shouldCarryAnErrorWithoutMessageAndWithAnEmptyMessage() throws Exception {
        Throwable[] errors = {new IllegalStateException((String) null), new IllegalArgumentException("")};
        String[] messages = {null, ""};
        for (int i = 0; i < errors.length; i++) {
            Ring ring = new Ring(1024, 16, 504);
            ring.writer.writeSignal(TYPE_ERROR, ErrorRecord.encode(errors[i], 504), liveDeadline());
            assertThat(ring.drain()).containsExactly(Event.error(errors[i].getClass().getName(), messages[i]));
        }
    }

    @Test
    void shouldTruncateLongErrorMessagesToTheBound() throws Exception {
        Ring ring = new Ring(4096, 16, 2040);
        String message = "m".repeat(5000);
        byte[] error = ErrorRecord.encode(new RuntimeException(message), ring.maxMessageLength);
        assertThat(error.length).isLessThanOrEqualTo(ring.maxMessageLength);
        ring.writer.writeSignal(TYPE_ERROR, error, liveDeadline());
        assertThat(ring.drain()).containsExactly(
            Event.error("java.lang.RuntimeException", "m".repeat(RecordDescriptor.ERROR_MESSAGE_MAX_BYTES)));
    }

    @Test
    void shouldTruncateMultiByteErrorMessagesAtACharacterBoundary() throws Exception {
        String message = "\u20ac".repeat(1000) + "\ud83d\ude00".repeat(400); // 3 and 4 bytes per code point
        for (String text : new String[] {message, "a" + message, "ab" + message, "\ud83d\ude00".repeat(600),
            "x\ud83d\ude00".repeat(300)}) {
            byte[] error = ErrorRecord.encode(new RuntimeException(text), 2040);
            Ring fresh = new Ring(4096, 16, 2040);
            fresh.writer.writeSignal(TYPE_ERROR, error, liveDeadline());
            List<Event> events = fresh.drain();
            assertThat(events).hasSize(1);
            String received = events.get(0).message;
            assertThat(received.getBytes(StandardCharsets.UTF_8).length)
                .isLessThanOrEqualTo(RecordDescriptor.ERROR_MESSAGE_MAX_BYTES)
                .isGreaterThan(RecordDescriptor.ERROR_MESSAGE_MAX_BYTES - 4);
            assertThat(text).as("the received message is a prefix of the sent one").startsWith(received);
        }
    }

    @Test
    void shouldBoundTheErrorPayloadByTheMaxMessageLength() throws Exception {
        String className = IllegalStateException.class.getName(); // 31 bytes
        String message = "a message far longer than the few bytes this ring allows";
        Throwable error = new IllegalStateException(message);

        // 20 bytes: 2 + 16 bytes of class name + 2 + no room left for the message.
        Ring tight = new Ring(1024, 16, 20);
        byte[] payload = ErrorRecord.encode(error, tight.maxMessageLength);
        assertThat(payload).hasSize(20);
        tight.writer.writeSignal(TYPE_ERROR, payload, liveDeadline());
        assertThat(tight.drain()).containsExactly(Event.error(className.substring(0, 16), ""));

        // 60 bytes: the whole class name, and what is left of the message.
        Ring roomy = new Ring(1024, 16, 60);
        payload = ErrorRecord.encode(error, roomy.maxMessageLength);
        assertThat(payload).hasSize(60);
        roomy.writer.writeSignal(TYPE_ERROR, payload, liveDeadline());
        assertThat(roomy.drain()).containsExactly(Event.error(className, message.substring(0, 60 - 4 - 31)));
    }

    // ================================================================================= hostile input

    @Test
    void shouldRejectARecordWithTheWrongSequenceCheck() throws Exception {
        Ring ring = hostile();
        ring.forge(4, 8, RecordDescriptor.typeCheck(TYPE_DATA, 4 + 64)); // a stale record from another lap
        ring.cursor.set(4);
        ring.expectCorrupt(4, "record check 0x44 != expected 0x4 at seq 4");

        Ring other = hostile();
        other.forge(4, 8, 0x1234_5601);
        other.cursor.set(4);
        other.expectCorrupt(4, "record check 0x123456 != expected 0x4");
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 6, 0x7F, 0xFF})
    void shouldRejectAnUnknownRecordType(int type) throws Exception {
        Ring ring = hostile();
        ring.forge(4, 8, RecordDescriptor.typeCheck(type, 4));
        ring.cursor.set(4);
        ring.expectCorrupt(4, "unknown record type " + type + " at seq 4");
    }

    @Test
    void shouldRejectAFragmentOnARingThatCarriesNone() throws Exception {
        Ring ring = hostile();
        ring.forge(4, 8, RecordDescriptor.typeCheck(TYPE_FRAGMENT, 4));
        ring.cursor.set(4);
        ring.expectCorrupt(4, "FRAGMENT record at seq 4 on a ring that carries no fragments");
    }

    @ParameterizedTest
    @ValueSource(ints = {-1, -8, Integer.MIN_VALUE})
    void shouldRejectANegativeRecordLength(int length) throws Exception {
        Ring ring = hostile();
        ring.forgeRecord(4, length, TYPE_DATA);
        ring.cursor.set(4);
        ring.expectCorrupt(4, "record length " + length + " at index 64 runs past ring capacity 1024");
    }

    @ParameterizedTest
    @ValueSource(ints = {1024 - 64 - 8 + 1, 1024, 4096, Integer.MAX_VALUE})
    void shouldRejectARecordLengthPastTheRingEnd(int length) throws Exception {
        for (int type : new int[] {TYPE_DATA, TYPE_PADDING, TYPE_ERROR, TYPE_COMPLETE}) {
            Ring ring = hostile();
            ring.forgeRecord(4, length, type);
            ring.cursor.set(ring.consumed.get() + ring.slotCount);
            ring.expectCorrupt(4, "record length " + length + " at index 64 runs past ring capacity 1024");
        }
    }

    @Test
    void shouldRejectARecordLengthPastTheMaxMessageLength() throws Exception {
        Ring data = hostile();
        data.forgeRecord(4, 505, TYPE_DATA);
        data.cursor.set(4 + 33 - 1); // 513 bytes: 33 slots, all published
        data.expectCorrupt(4, "record length 505 > max message length 504 at seq 4");

        // ERROR records have their own bound, min(4 + 256 + 1024, capacity / 2 - 8): 504 for this ring.
        Ring error = hostile();
        error.forgeRecord(4, 505, TYPE_ERROR);
        error.cursor.set(4 + 33 - 1);
        error.expectCorrupt(4, "ERROR record length 505 > max error length 504 at seq 4");
    }

    @Test
    void shouldRejectPaddingThatDoesNotEndAtTheRingEnd() throws Exception {
        Ring ring = hostile();
        ring.forgeRecord(4, 8, TYPE_PADDING);
        ring.cursor.set(4);
        ring.expectCorrupt(4, "padding of length 8 at index 64 does not end at ring capacity 1024");

        Ring shortByOneSlot = hostile();
        shortByOneSlot.forgeRecord(4, 1024 - 64 - 8 - 16, TYPE_PADDING);
        shortByOneSlot.cursor.set(4 + 58);
        shortByOneSlot.expectCorrupt(4, "padding of length 936 at index 64 does not end at ring capacity 1024");
    }

    @Test
    void shouldRejectCompleteWithAPayload() throws Exception {
        Ring ring = hostile();
        ring.forgeRecord(4, 4, TYPE_COMPLETE);
        ring.cursor.set(4);
        ring.expectCorrupt(4, "COMPLETE record with length 4 != 0 at seq 4");
    }

    @Test
    void shouldRejectErrorRecordsWithBadInnerLengths() throws Exception {
        // ERROR payload: u16 class length, class, u16 message length (0xFFFF: none), message.
        Ring empty = hostile();
        empty.forgeRecord(4, 0, TYPE_ERROR);
        empty.cursor.set(4);
        empty.expectCorrupt(4, "ERROR record class length -1 invalid for payload 0 at seq 4");

        Ring oneByte = hostile();
        oneByte.forgeRecord(4, 1, TYPE_ERROR);
        oneByte.cursor.set(4);
        oneByte.expectCorrupt(4, "ERROR record class length -1 invalid for payload 1 at seq 4");

        Ring classPastPayload = hostile();
        classPastPayload.forgeRecord(4, 8, TYPE_ERROR);
        classPastPayload.section.putShort(classPastPayload.payloadOffset(4), (short) 10);
        classPastPayload.cursor.set(4);
        classPastPayload.expectCorrupt(4, "ERROR record class length 10 invalid for payload 8 at seq 4");

        Ring classTooLong = hostile();
        classTooLong.forgeRecord(4, 310, TYPE_ERROR);
        classTooLong.section.putShort(classTooLong.payloadOffset(4), (short) 300);
        classTooLong.cursor.set(4 + 20 - 1);
        classTooLong.expectCorrupt(4, "ERROR record class length 300 invalid for payload 310 at seq 4");

        Ring messagePastPayload = hostile();
        messagePastPayload.forgeRecord(4, 8, TYPE_ERROR);
        messagePastPayload.section.putShort(messagePastPayload.payloadOffset(4), (short) 4);
        messagePastPayload.section.putShort(messagePastPayload.payloadOffset(4) + 6, (short) 5);
        messagePastPayload.cursor.set(4);
        messagePastPayload.expectCorrupt(4, "ERROR record message length 5 invalid for payload 8 at seq 4");

        // A message length above the bound, inside a payload that holds it: needs a larger ring.
        Ring large = new Ring(4096, 16, 2040);
        large.write(new byte[0]);
        large.drain();
        int payloadLength = 2 + 3 + 2 + 1030;
        large.forgeRecord(1, payloadLength, TYPE_ERROR);
        large.section.putShort(large.payloadOffset(1), (short) 3);
        large.section.putShort(large.payloadOffset(1) + 5, (short) 1030);
        large.cursor.set(1 + (HEADER_LENGTH + payloadLength + 15) / 16 - 1);
        large.expectCorrupt(1, "ERROR record message length 1030 invalid for payload 1037 at seq 1");
    }

    @Test
    void shouldAcceptAForgedButValidErrorRecord() throws Exception {
        Ring ring = hostile();
        ring.forgeRecord(4, 2 + 3 + 2, TYPE_ERROR);
        ring.section.putShort(ring.payloadOffset(4), (short) 3);
        ring.section.put(ring.payloadOffset(4) + 2, "abc".getBytes(StandardCharsets.UTF_8));
        ring.section.putShort(ring.payloadOffset(4) + 5, (short) 0xFFFF);
        ring.cursor.set(4);
        assertThat(ring.drain()).containsExactly(Event.error("abc", null));
    }

    @Test
    void shouldNeverLoadTheCursorWord() throws Exception {
        // Layout 3.0: a record's header is its commit. Whatever the cursor word says, a reader walks headers.
        for (long cursor : new long[] {2, -1, Long.MIN_VALUE, 3 + 65, Long.MAX_VALUE}) {
            Ring ring = hostile();
            ring.cursor.set(cursor);
            assertThat(ring.drain()).as("cursor %d: nothing committed after seq 3", cursor).isEmpty();
            ring.forgeRecord(4, 8, TYPE_DATA);
            assertThat(ring.drain()).as("cursor %d", cursor).hasSize(1);
            assertThat(ring.consumed.get()).isEqualTo(4);
        }
    }

    @Test
    void shouldReadCommittedRecordsUpToOneRingAheadInQuarterRingBatches() throws Exception {
        Ring ring = hostile();
        for (long sequence = 4; sequence < 3 + 64; sequence++) {
            ring.forgeRecord(sequence, 0, TYPE_DATA);
        }
        ring.section.putLong(ring.recordOffset(3 + 64), RecordDescriptor.UNCOMMITTED); // as a writer leaves it
        Recorder recorder = new Recorder(ring);
        assertThat(ring.reader.poll(recorder)).isTrue();
        assertThat(recorder.events).as("one batch is a quarter of the ring").hasSize(16);
        assertThat(ring.consumed.get()).as("consumed stored once, at the batch end").isEqualTo(3 + 16);
        assertThat(ring.drain()).hasSize(63 - 16);
    }

    @Test
    void shouldZeroTheHeaderAfterEachRecordBeforeCommittingIt() throws Exception {
        Ring ring = new Ring(1024, 16, 504);
        // Stale bytes where the records after each write will start: what an earlier lap would have left.
        for (long sequence = 0; sequence < ring.slotCount; sequence++) {
            ring.forgeRecord(sequence + ring.slotCount, 8, TYPE_DATA);
        }
        ring.forgeRecord(0, 0, TYPE_PADDING); // overwritten by the first record itself
        long first = ring.write(payload(8, 1));
        assertThat(ring.section.getLong(ring.recordOffset(first + 1))).as("the next header reads uncommitted")
            .isEqualTo(RecordDescriptor.UNCOMMITTED);
        long second = ring.write(payload(40, 2)); // 3 slots
        assertThat(ring.section.getLong(ring.recordOffset(second + 3))).isEqualTo(RecordDescriptor.UNCOMMITTED);
        // Zeroed ahead in a run, up to one ring past what the subscriber consumed (-1): slot 63, never slot 64,
        // which is index 0, the first record.
        assertThat(ring.section.getLong(ring.recordOffset(ring.slotCount - 1))).isEqualTo(RecordDescriptor.UNCOMMITTED);
        ring.assertHeader(first, TYPE_DATA, 8);
        assertThat(ring.drain()).containsExactly(Event.data(first, payload(8, 1)), Event.data(second, payload(40, 2)));
    }

    @Test
    void shouldCommitABatchWithItsFirstHeaderStoredLast() throws Exception {
        Ring ring = new Ring(1024, 16, 504);
        ring.writer.deferring(true);
        long first = ring.writer.writeData(Codecs.bytes(), payload(8, 1), liveDeadline());
        long second = ring.writer.writeData(Codecs.bytes(), payload(8, 2), liveDeadline());
        assertThat(ring.section.getLong(ring.recordOffset(first))).as("the batch's commit is not stored yet")
            .isEqualTo(RecordDescriptor.UNCOMMITTED);
        ring.assertHeader(second, TYPE_DATA, 8); // stored plainly, invisible behind the first
        assertThat(ring.drain()).as("nothing of an open batch is read").isEmpty();
        ring.writer.flush();
        ring.writer.deferring(false);
        assertThat(ring.drain()).containsExactly(Event.data(first, payload(8, 1)), Event.data(second, payload(8, 2)));
        assertThat(RingHeader.cursor(ring.section)).as("the lazy position moves at the batch end").isEqualTo(second);
    }

    @Test
    void shouldAdvanceTheLazyPositionOnlyEveryQuarterRing() throws Exception {
        Ring ring = new Ring(1024, 16, 504);
        List<Event> read = new ArrayList<>();
        for (int i = 0; i < 15; i++) {
            ring.writeOrDrain(payload(8, i), read);
        }
        assertThat(RingHeader.cursor(ring.section)).as("15 one-slot records: no cursor store yet").isEqualTo(-1);
        assertThat(ring.section.getLong(RingDescriptor.PUBLISHED_OFFSET)).isZero();
        ring.write(payload(8, 15));
        assertThat(RingHeader.cursor(ring.section)).as("the 16th, a quarter of 64 slots").isEqualTo(15);
        assertThat(ring.section.getLong(RingDescriptor.PUBLISHED_OFFSET)).isEqualTo(16);
        ring.write(payload(8, 16));
        assertThat(ring.writer.latest()).as("the walk derives the exact end").containsExactly(16L, 17L);
        assertThat(ring.writer.committed()).isEqualTo(16);
    }

    @Test
    void shouldRejectCorruptionSeenByPeek() throws Exception {
        Ring ring = hostile();
        ring.forge(4, 0, RecordDescriptor.typeCheck(TYPE_COMPLETE, 99));
        assertThatThrownBy(ring.reader::peekNextType).isInstanceOf(CorruptSectionException.class)
            .hasMessageContaining("record check 0x63 != expected 0x4 at seq 4");
    }

    @Test
    void shouldFailOnACorruptRecordAfterDeliveringTheGoodOnesBeforeIt() throws Exception {
        Ring ring = hostile();
        long good = ring.write(payload(30, 1));
        ring.forgeRecord(good + 3, 8, 9); // right after the good record (38 bytes: 3 slots)
        ring.cursor.set(good + 3);
        Recorder recorder = new Recorder(ring);
        assertThatThrownBy(() -> ring.reader.poll(recorder)).isInstanceOf(CorruptSectionException.class)
            .hasMessageContaining("unknown record type 9 at seq 7");
        assertThat(recorder.events).containsExactly(Event.data(good, payload(30, 1)));
        assertThat(ring.consumed.get()).as("consumed stops before the bad record").isEqualTo(good + 2);
    }

    // =========================================================================================== fuzz

    @Test
    void shouldOnlyDeliverValidDataOrRaiseCorruptSectionUnderRandomCorruption() throws Exception {
        Random random = new Random(0xA9E27_0001L);
        List<Scenario> scenarios = List.of(
            Scenario.build(new Ring(1024, 16, 504), random, Codecs.bytes(), 0),
            Scenario.build(new Ring(1024, 64, 504), random, Codecs.bytes(), 0),
            Scenario.build(new Ring(2048, 16, 1016), random, Codecs.bytes(), TYPE_COMPLETE),
            Scenario.build(new Ring(1024, 16, 504), random, Codecs.bytes(), TYPE_ERROR),
            Scenario.build(new Ring(1024, 32, 200), random, Codecs.longs(), 0),
            Scenario.buildUnconsumedFromStart(new Ring(1024, 16, 504), random));
        int corrupt = 0;
        int decodeFailures = 0;
        int clean = 0;
        for (int i = 0; i < 20_000; i++) {
            Scenario scenario = scenarios.get(random.nextInt(scenarios.size()));
            Outcome outcome = scenario.run(random, i);
            switch (outcome) {
                case CORRUPT: corrupt++; break;
                case DECODE_FAILED: decodeFailures++; break;
                default: clean++; break;
            }
        }
        assertThat(corrupt).as("corruption detected").isGreaterThan(2_000);
        assertThat(clean).as("runs that read every record").isGreaterThan(2_000);
        assertThat(decodeFailures).as("codec failures surfaced").isPositive();
    }

    // ===================================================================================== ShmSequence

    @Test
    void shouldKeepASequenceInTheBufferWord() {
        ByteBuffer buffer = ByteBuffer.allocateDirect(64).order(ByteOrder.nativeOrder());
        ShmSequence sequence = new ShmSequence(buffer, 16);
        ShmSequence sameWord = new ShmSequence(buffer.duplicate(), 16);
        assertThat(sequence.get()).isZero();
        sequence.set(42L);
        assertThat(sequence.get()).isEqualTo(42L);
        assertThat(sequence.getPlain()).isEqualTo(42L);
        assertThat(buffer.getLong(16)).as("native-order word at the offset").isEqualTo(42L);
        assertThat(sameWord.get()).as("another view of the same memory").isEqualTo(42L);
        assertThat(buffer.getLong(8)).isZero();
        assertThat(buffer.getLong(24)).isZero();

        sequence.setVolatile(-7L);
        assertThat(sameWord.get()).isEqualTo(-7L);
        assertThat(sequence.compareAndSet(-6L, 1L)).isFalse();
        assertThat(sequence.get()).isEqualTo(-7L);
        assertThat(sequence.compareAndSet(-7L, 100L)).isTrue();
        assertThat(sequence.addAndGet(5L)).isEqualTo(105L);
        assertThat(sequence.incrementAndGet()).isEqualTo(106L);
        assertThat(sequence.getAndAdd(10L)).isEqualTo(106L);
        assertThat(sameWord.get()).isEqualTo(116L);
        assertThat(sequence.addAndGet(Long.MAX_VALUE)).as("wraps like a long").isEqualTo(116L + Long.MAX_VALUE);
        assertThat(sequence.offset()).isEqualTo(16);
        sequence.set(Long.MIN_VALUE);
        assertThat(sequence).hasToString(Long.toString(Long.MIN_VALUE));
    }

    @Test
    void shouldRejectStoresThroughAReadOnlyBuffer() {
        ByteBuffer buffer = ByteBuffer.allocateDirect(64).order(ByteOrder.nativeOrder());
        ShmSequence writable = new ShmSequence(buffer, 8);
        ShmSequence readOnly = new ShmSequence(buffer.asReadOnlyBuffer(), 8);
        writable.set(9L);
        assertThat(readOnly.get()).isEqualTo(9L);
        assertThatThrownBy(() -> readOnly.set(1L)).isInstanceOf(ReadOnlyBufferException.class);
        assertThatThrownBy(() -> readOnly.setVolatile(1L)).isInstanceOf(ReadOnlyBufferException.class);
        assertThatThrownBy(() -> readOnly.compareAndSet(9L, 1L)).isInstanceOf(ReadOnlyBufferException.class);
        assertThatThrownBy(() -> readOnly.addAndGet(1L)).isInstanceOf(ReadOnlyBufferException.class);
        assertThatThrownBy(readOnly::incrementAndGet).isInstanceOf(ReadOnlyBufferException.class);
        assertThatThrownBy(() -> readOnly.getAndAdd(1L)).isInstanceOf(ReadOnlyBufferException.class);
        assertThat(writable.get()).isEqualTo(9L);
    }

    @Test
    void shouldRejectAMisplacedSequenceWord() {
        ByteBuffer direct = ByteBuffer.allocateDirect(64);
        for (int offset : new int[] {-8, 4, 57, 64, 1 << 20}) {
            assertThatThrownBy(() -> new ShmSequence(direct, offset)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("sequence offset " + offset);
        }
        assertThatCode(() -> new ShmSequence(direct, 56)).doesNotThrowAnyException();
        assertThatThrownBy(() -> new ShmSequence(ByteBuffer.allocate(64), 0)).isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("direct buffer");
    }

    // ====================================================================================== RingHeader

    @Test
    void shouldReadBackAnInitialisedHeader() {
        Ring ring = new Ring(2048, 32, 700);
        ByteBuffer mapped = Ring.readOnly(ring.section);
        assertThat(RingHeader.magic(mapped)).isEqualTo(RingDescriptor.MAGIC_VERSION);
        RingHeader header = RingHeader.read(SECTION, mapped, mapped.capacity());
        assertThat(header.sessionId).isEqualTo(SESSION_ID);
        assertThat(header.capacity).isEqualTo(2048);
        assertThat(header.slotLength).isEqualTo(32);
        assertThat(header.maxMessageLength).isEqualTo(700);
        assertThat(header.maxSubscribers).isEqualTo(1);
        assertThat(header.publisher.pid).isEqualTo(ProcessHandle.current().pid());
        assertThat(header.flags).isEqualTo(RingDescriptor.FLAG_DEMAND_PARKED); // every ring of this build
        assertThat(header.schemaId).isZero();
        assertThat(header.codecName).isEqualTo("bytes");
        assertThat(RingHeader.terminalState(mapped)).isEqualTo(TerminalState.OPEN);
        assertThat(mapped.getLong(RingDescriptor.CURSOR_OFFSET)).isEqualTo(-1L);
        assertThat(mapped.getLong(RingDescriptor.PUBLISHED_OFFSET)).isZero();
        header.checkCodec("c", Codecs.bytes());
        assertThatThrownBy(() -> header.checkCodec("c", Codecs.utf8())).isInstanceOf(IncompatibleChannelException.class)
            .hasMessageContaining("'bytes'").hasMessageContaining("'utf8'");
    }

    @Test
    void shouldRejectAHeaderThatIsNotReadyOrHasBadMagic() {
        ByteBuffer blank = ByteBuffer.allocateDirect((int) RingDescriptor.fileLength(1024)).order(ByteOrder.nativeOrder());
        assertThatThrownBy(() -> RingHeader.read(SECTION, blank, blank.capacity()))
            .isInstanceOf(IncompatibleChannelException.class).hasMessageContaining("magic 0x0, expected 0x41505254");

        Ring ring = new Ring(1024, 16, 504);
        ring.section.putLong(RingDescriptor.MAGIC_VERSION_OFFSET, (0xDEADBEEFL << 32) | (1L << 16));
        assertThatThrownBy(() -> ring.readHeader()).isInstanceOf(IncompatibleChannelException.class)
            .hasMessageContaining(SECTION).hasMessageContaining("magic 0xdeadbeef, expected 0x41505254");

        ring.section.putLong(RingDescriptor.MAGIC_VERSION_OFFSET, SubscriberDescriptor.MAGIC_VERSION);
        assertThatThrownBy(() -> ring.readHeader()).isInstanceOf(IncompatibleChannelException.class)
            .hasMessageContaining("magic 0x41505355");
    }

    @Test
    void shouldRejectAnotherMajorVersionAndAcceptAnotherMinor() {
        Ring ring = new Ring(1024, 16, 504);
        ring.section.putLong(RingDescriptor.MAGIC_VERSION_OFFSET, ((long) RingDescriptor.MAGIC << 32) | (2L << 16) | 3);
        assertThatThrownBy(() -> ring.readHeader()).isInstanceOf(IncompatibleChannelException.class)
            .hasMessageContaining("layout version 2.3").hasMessageContaining("reads 3.0");
        ring.section.putLong(RingDescriptor.MAGIC_VERSION_OFFSET, ((long) RingDescriptor.MAGIC << 32) | (3L << 16) | 7);
        assertThat(ring.readHeader().capacity).isEqualTo(1024);
    }

    @ParameterizedTest
    @ValueSource(ints = {0, -1024, 512, 1000, 1536, 1 << 31, Integer.MAX_VALUE})
    void shouldRejectABadCapacity(int capacity) {
        Ring ring = new Ring(1024, 16, 504);
        ring.section.putInt(RingDescriptor.CAPACITY_OFFSET, capacity);
        assertCorruptHeader(ring, RingDescriptor.CAPACITY_OFFSET, "capacity " + capacity + " is not a power of two");
    }

    @Test
    void shouldRejectAFileLengthThatDoesNotMatchTheCapacity() {
        Ring ring = new Ring(1024, 16, 504);
        ByteBuffer mapped = Ring.readOnly(ring.section);
        assertThatThrownBy(() -> RingHeader.read(SECTION, mapped, 5121)).isInstanceOf(CorruptSectionException.class)
            .hasMessageContaining("file length 5121 != header length 4096 + capacity 1024");
        ring.section.putInt(RingDescriptor.CAPACITY_OFFSET, 2048);
        assertCorruptHeader(ring, RingDescriptor.CAPACITY_OFFSET, "file length 5120 != header length 4096 + capacity 2048");
    }

    @ParameterizedTest
    @ValueSource(ints = {0, -16, 8, 24, 100, 1024, 8192})
    void shouldRejectABadSlotLength(int slotLength) {
        Ring ring = new Ring(1024, 16, 504);
        ring.section.putInt(RingDescriptor.SLOT_LENGTH_OFFSET, slotLength);
        assertCorruptHeader(ring, RingDescriptor.SLOT_LENGTH_OFFSET, "slot length " + slotLength + " is not a power of two");
    }

    @ParameterizedTest
    @ValueSource(ints = {-1, 505, Integer.MAX_VALUE, Integer.MIN_VALUE})
    void shouldRejectABadMaxMessageLength(int maxMessageLength) {
        Ring ring = new Ring(1024, 16, 504);
        ring.section.putInt(RingDescriptor.MAX_MESSAGE_LENGTH_OFFSET, maxMessageLength);
        assertCorruptHeader(ring, RingDescriptor.MAX_MESSAGE_LENGTH_OFFSET,
            "max message length " + maxMessageLength + " not in [0, 504]");
    }

    @ParameterizedTest
    @ValueSource(ints = {0, -1, 97})
    void shouldRejectBadMaxSubscribers(int maxSubscribers) {
        Ring ring = new Ring(1024, 16, 504);
        ring.section.putInt(RingDescriptor.MAX_SUBSCRIBERS_OFFSET, maxSubscribers);
        assertCorruptHeader(ring, RingDescriptor.MAX_SUBSCRIBERS_OFFSET,
            "max subscribers " + maxSubscribers + " not in [1, 96]");
    }

    @ParameterizedTest
    @ValueSource(ints = {0, -1, 65, Integer.MAX_VALUE})
    void shouldRejectABadCodecNameLength(int nameLength) {
        Ring ring = new Ring(1024, 16, 504);
        ring.section.putInt(RingDescriptor.CODEC_NAME_LENGTH_OFFSET, nameLength);
        assertCorruptHeader(ring, RingDescriptor.CODEC_NAME_LENGTH_OFFSET,
            "codec name length " + nameLength + " not in [1, 64]");
    }

    @Test
    void shouldRefuseCodecNamesThatDoNotFitTheHeader() {
        Codec<byte[]> longName = namedBytes("n".repeat(65));
        Codec<byte[]> noName = namedBytes("");
        assertThatThrownBy(() -> RingHeader.codecNameBytes(longName)).isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("is 65");
        assertThatThrownBy(() -> RingHeader.codecNameBytes(noName)).isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("is 0");
        assertThat(RingHeader.codecNameBytes(namedBytes("\u00e9".repeat(32)))).hasSize(64);
    }

    // ======================================================================================== helpers

    private static void assertCorruptHeader(Ring ring, int offset, String detail) {
        assertThatThrownBy(ring::readHeader).isInstanceOfSatisfying(CorruptSectionException.class, e -> {
            assertThat(e.section()).isEqualTo(SECTION);
            assertThat(e.offset()).isEqualTo(offset);
        }).hasMessageContaining(detail);
    }

    private static Codec<byte[]> namedBytes(String name) {
        return new Codec<>() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public void encode(byte[] value, ByteBuffer window) {
                window.put(value);
            }

            @Override
            public byte[] decode(ByteBuffer window) {
                return new byte[0];
            }
        };
    }

    /** A ring of 64 slots of 16 bytes where records at seq 0..3 were written and read; consumed is 3. */
    private static Ring hostile() throws Exception {
        Ring ring = new Ring(1024, 16, 504);
        ring.write(payload(8, 0));
        ring.write(payload(20, 1));
        ring.write(payload(0, 2));
        assertThat(ring.drain()).hasSize(3);
        assertThat(ring.consumed.get()).isEqualTo(3);
        assertThat(ring.writer.committed()).isEqualTo(3);
        return ring;
    }

    static long liveDeadline() {
        return System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    }

    static long shortDeadline() {
        return System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(2);
    }

    /** Distinctive content: a different byte sequence for every (length, salt). */
    static byte[] payload(int length, int salt) {
        byte[] bytes = new byte[length];
        int x = salt * 0x9E3779B1 + length;
        for (int i = 0; i < length; i++) {
            x = x * 1_103_515_245 + 12_345;
            bytes[i] = (byte) (x >>> 24);
        }
        return bytes;
    }

    /** A ring section, a subscriber section, a writer and a reader, all in direct buffers of this JVM. */
    static final class Ring {
        final int capacity;
        final int slotLength;
        final int slotCount;
        final int maxMessageLength;
        /** The publisher's writable mapping of the ring section. */
        final ByteBuffer section;
        /** The subscriber's own section, holding {@code consumed}. */
        final ByteBuffer subscriberSection;
        /** A writable view of the cursor, to forge what a hostile publisher would publish. */
        final ShmSequence cursor;
        final ShmSequence consumed;
        final RingSequencer sequencer;
        final RingWriter writer;
        final RingReader reader;
        /** The publisher's read-only view of {@code consumed}, its gating sequence. */
        final ShmSequence gating;
        long lastWritten = -1;

        Ring(int capacity, int slotLength, int maxMessageLength) {
            this(capacity, slotLength, maxMessageLength, true);
        }

        Ring(int capacity, int slotLength, int maxMessageLength, boolean gated) {
            ChannelOptions options = ChannelOptions.defaults().withRingCapacity(capacity).withSlotLength(slotLength)
                .withMaxMessageLength(maxMessageLength);
            options.validateRing();
            this.capacity = capacity;
            this.slotLength = slotLength;
            this.slotCount = capacity / slotLength;
            this.maxMessageLength = options.maxMessageLength();
            this.section = ByteBuffer.allocateDirect((int) RingDescriptor.fileLength(capacity)).order(ByteOrder.nativeOrder());
            RingHeader.initialise(section, SESSION_ID, options, 1, Codecs.bytes());
            this.subscriberSection = ByteBuffer.allocateDirect(SubscriberDescriptor.LENGTH).order(ByteOrder.nativeOrder());
            this.consumed = new ShmSequence(subscriberSection, SubscriberDescriptor.CONSUMED_OFFSET);
            consumed.set(-1L);
            this.cursor = new ShmSequence(section, RingDescriptor.CURSOR_OFFSET);
            this.sequencer = new RingSequencer(slotCount, new BackoffWaitStrategy(100, 10, 50_000L), () -> false);
            // The publisher maps the subscriber section read-only.
            this.gating = new ShmSequence(readOnly(subscriberSection), SubscriberDescriptor.CONSUMED_OFFSET);
            if (gated) {
                sequencer.addGatingSequences(gating);
            }
            this.writer = new RingWriter("test", section, sequencer, capacity, slotLength, this.maxMessageLength);
            RingHeader header = readHeader();
            this.reader = new RingReader(SECTION, readOnly(section), consumed, header.capacity, header.slotLength,
                header.maxMessageLength);
        }

        /** A fresh ring whose writer will place its next record at slot sequence {@code position}, all consumed. */
        static Ring positionedAt(int capacity, int slotLength, int maxMessageLength, long position) throws Exception {
            Ring ring = new Ring(capacity, slotLength, maxMessageLength);
            List<Event> read = new ArrayList<>();
            for (long i = 0; i < position; i++) {
                ring.writeOrDrain(new byte[0], read); // one slot each
            }
            read.addAll(ring.drain());
            assertThat(read).hasSize((int) position);
            assertThat(ring.sequencer.nextValue() + 1).isEqualTo(position);
            assertThat(ring.consumed.get()).isEqualTo(position - 1);
            return ring;
        }

        static ByteBuffer readOnly(ByteBuffer buffer) {
            // A view's byte order is big-endian until set: a mapping is always used in native order.
            return buffer.asReadOnlyBuffer().order(ByteOrder.nativeOrder());
        }

        RingHeader readHeader() {
            ByteBuffer mapped = readOnly(section);
            return RingHeader.read(SECTION, mapped, mapped.capacity());
        }

        long write(byte[] payload) {
            try {
                lastWritten = writer.writeData(Codecs.bytes(), payload, liveDeadline());
                return lastWritten;
            } catch (AlertException e) {
                throw new AssertionError("ring full: nobody consumes in this test", e);
            }
        }

        /** Writes without waiting: false when the ring has no room (the deadline has already passed). */
        boolean tryWrite(byte[] payload) {
            try {
                lastWritten = writer.writeData(Codecs.bytes(), payload, System.nanoTime() - 1);
                return true;
            } catch (AlertException e) {
                return false;
            }
        }

        /** Writes; when the ring is full, first drains it into {@code read}. */
        long writeOrDrain(byte[] payload, List<Event> read) throws Exception {
            if (!tryWrite(payload)) {
                read.addAll(drain());
                write(payload);
            }
            return lastWritten;
        }

        List<Event> drain() throws Exception {
            Recorder recorder = new Recorder(this);
            pollUntilIdle(recorder);
            return recorder.events;
        }

        /** Polls until nothing is left or a terminal record was read; a reader that never settles fails. */
        void pollUntilIdle(RingReader.RecordHandler handler) throws Exception {
            for (int i = 0; i < 4 * slotCount + 8; i++) {
                boolean read = reader.poll(handler);
                if (!read || reader.terminated()) {
                    return;
                }
            }
            fail("reader did not settle within " + (4 * slotCount + 8) + " polls");
        }

        int recordOffset(long sequence) {
            return RingDescriptor.SLOTS_OFFSET + (int) (sequence & (slotCount - 1)) * slotLength;
        }

        /** Slot sequence of the last slot of a record of {@code payloadLength} starting at {@code sequence}. */
        long lastSlot(long sequence, int payloadLength) {
            return sequence + (HEADER_LENGTH + payloadLength + slotLength - 1) / slotLength - 1;
        }

        int payloadOffset(long sequence) {
            return recordOffset(sequence) + HEADER_LENGTH;
        }

        /** Stores a header word of {@code length} and {@code typeCheck} ({@code check << 8 | type}) at {@code sequence}. */
        void forge(long sequence, int length, int typeCheck) {
            section.putLong(recordOffset(sequence) + RecordDescriptor.HEADER_OFFSET,
                (long) typeCheck << 32 | (length & 0xFFFF_FFFFL));
        }

        void forgeRecord(long sequence, int length, int type) {
            forge(sequence, length, RecordDescriptor.typeCheck(type, sequence));
        }

        void assertHeader(long sequence, int type, int length) {
            int offset = recordOffset(sequence);
            long header = section.getLong(offset + RecordDescriptor.HEADER_OFFSET);
            assertThat(RecordDescriptor.typeName(RecordDescriptor.type(header))).as("type at seq %d", sequence)
                .isEqualTo(RecordDescriptor.typeName(type));
            assertThat(RecordDescriptor.check(header)).isEqualTo(RecordDescriptor.expectedCheck(sequence));
            assertThat(RecordDescriptor.length(header)).as("length at seq %d", sequence).isEqualTo(length);
        }

        /** The bytes of every slot published and not yet consumed, in sequence order. */
        byte[] unconsumedBytes() {
            long from = consumed.get() + 1;
            long to = sequencer.nextValue();
            byte[] bytes = new byte[(int) (to - from + 1) * slotLength];
            for (long sequence = from; sequence <= to; sequence++) {
                section.get(recordOffset(sequence), bytes, (int) (sequence - from) * slotLength, slotLength);
            }
            return bytes;
        }

        /** Polls and expects corruption of the record at {@code sequence}, reported again by a second poll. */
        CorruptSectionException expectCorrupt(long sequence, String detail) {
            CorruptSectionException e = expectCorruptCursor(detail);
            assertThat(e.offset()).as("offset of the bad record or of its payload")
                .isBetween((long) recordOffset(sequence), (long) payloadOffset(sequence));
            return e;
        }

        CorruptSectionException expectCorruptCursor(String detail) {
            long consumedBefore = consumed.get();
            Recorder recorder = new Recorder(this);
            CorruptSectionException first = pollExpectingCorruption(recorder, detail);
            assertThat(first.section()).isEqualTo(SECTION);
            assertThat(recorder.events).as("nothing delivered from a corrupt record").isEmpty();
            assertThat(consumed.get()).as("consumed does not move past corruption").isEqualTo(consumedBefore);
            CorruptSectionException again = pollExpectingCorruption(recorder, detail);
            assertThat(again.getMessage()).as("corruption is reported again, never skipped").isEqualTo(first.getMessage());
            assertThat(consumed.get()).isEqualTo(consumedBefore);
            return first;
        }

        private CorruptSectionException pollExpectingCorruption(Recorder recorder, String detail) {
            try {
                boolean read = reader.poll(recorder);
                throw new AssertionError("expected corruption '" + detail + "', poll returned " + read
                    + " with " + recorder.events);
            } catch (CorruptSectionException e) {
                assertThat(e).hasMessageContaining(detail);
                return e;
            } catch (AssertionError e) {
                throw e;
            } catch (Exception e) {
                throw new AssertionError("expected CorruptSectionException, got " + e, e);
            }
        }
    }

    /** Where the writer must place records: contiguous, padding to the ring end only when one does not fit. */
    static final class Placement {
        private final Ring ring;
        long next;
        long lastStart = -1;

        Placement(Ring ring) {
            this.ring = ring;
            this.next = ring.sequencer.nextValue() + 1;
        }

        long place(int payloadLength) {
            int slots = (HEADER_LENGTH + payloadLength + ring.slotLength - 1) / ring.slotLength;
            int index = (int) (next & (ring.slotCount - 1));
            if (ring.slotCount - index < slots) {
                next += ring.slotCount - index;
            }
            lastStart = next;
            next += slots;
            return lastStart;
        }
    }

    /** What a handler saw. */
    static final class Event {
        final String kind;
        final long sequence;
        final byte[] payload;
        final String className;
        final String message;

        private Event(String kind, long sequence, byte[] payload, String className, String message) {
            this.kind = kind;
            this.sequence = sequence;
            this.payload = payload;
            this.className = className;
            this.message = message;
        }

        static Event data(long sequence, byte[] payload) {
            return new Event("DATA", sequence, payload.clone(), null, null);
        }

        static Event complete() {
            return new Event("COMPLETE", -1, null, null, null);
        }

        static Event error(String className, String message) {
            return new Event("ERROR", -1, null, className, message);
        }

        @Override
        public boolean equals(Object o) {
            if (!(o instanceof Event)) {
                return false;
            }
            Event other = (Event) o;
            return kind.equals(other.kind) && sequence == other.sequence && Arrays.equals(payload, other.payload)
                && Objects.equals(className, other.className) && Objects.equals(message, other.message);
        }

        @Override
        public int hashCode() {
            return Objects.hash(kind, sequence, Arrays.hashCode(payload), className, message);
        }

        @Override
        public String toString() {
            switch (kind) {
                case "DATA": return "DATA@" + sequence + "[" + payload.length + " bytes, hash "
                    + Integer.toHexString(Arrays.hashCode(payload)) + "]";
                case "ERROR": return "ERROR(" + className + ": " + message + ")";
                default: return kind;
            }
        }
    }

    /** Records what the reader delivers and checks that every window lies inside the ring's slot area. */
    static final class Recorder implements RingReader.RecordHandler {
        private final Ring ring;
        final List<Event> events = new ArrayList<>();
        final List<Object> decoded = new ArrayList<>();
        boolean continueAfterData = true;
        Codec<?> decoder;
        private long lastSequence = Long.MIN_VALUE;

        Recorder(Ring ring) {
            this.ring = ring;
        }

        @Override
        public boolean onData(ByteBuffer window, long sequence) {
            assertThat(window.isReadOnly()).as("the subscriber's window is read-only").isTrue();
            assertThat(window.order()).isEqualTo(ByteOrder.nativeOrder());
            assertThat(window.position()).isGreaterThanOrEqualTo(RingDescriptor.SLOTS_OFFSET + HEADER_LENGTH);
            assertThat(window.limit()).isLessThanOrEqualTo(RingDescriptor.SLOTS_OFFSET + ring.capacity);
            assertThat(window.remaining()).isLessThanOrEqualTo(ring.maxMessageLength);
            assertThat(window.position()).isEqualTo(ring.payloadOffset(sequence));
            assertThat(sequence).as("sequences increase").isGreaterThan(lastSequence);
            lastSequence = sequence;
            if (decoder != null) {
                try {
                    decoded.add(decoder.decode(window.duplicate().order(ByteOrder.nativeOrder())));
                } catch (RuntimeException e) {
                    // As SubscriberDelivery does: the codec's failure surfaces wrapped, naming the record.
                    throw new ApertureException("codec '" + decoder.name() + "' failed to decode the record at seq "
                        + sequence + ": " + e, e);
                }
            }
            byte[] bytes = new byte[window.remaining()];
            window.get(bytes);
            events.add(Event.data(sequence, bytes));
            return continueAfterData;
        }

        @Override
        public void onComplete() {
            events.add(Event.complete());
        }

        @Override
        public void onError(String remoteClassName, String remoteMessage) {
            events.add(Event.error(remoteClassName, remoteMessage));
        }
    }

    enum Outcome { CLEAN, CORRUPT, DECODE_FAILED }

    /**
     * A ring holding unread valid records (some across the ring end, behind a padding), saved so that each
     * fuzz case starts from the same bytes, corrupts a few words and polls.
     */
    static final class Scenario {
        private final Ring ring;
        private final Codec<?> codec;
        private final byte[] sectionBytes;
        private final byte[] subscriberBytes;
        private final List<Event> unread;
        private final List<long[]> unreadRecords; // {first slot, last slot} of each unread record
        private final long consumedAtStart;
        private final long cursorAtStart;

        private Scenario(Ring ring, Codec<?> codec, List<Event> unread, List<long[]> unreadRecords) {
            this.ring = ring;
            this.codec = codec;
            this.unread = unread;
            this.unreadRecords = unreadRecords;
            this.sectionBytes = new byte[ring.section.capacity()];
            ring.section.get(0, sectionBytes);
            this.subscriberBytes = new byte[ring.subscriberSection.capacity()];
            ring.subscriberSection.get(0, subscriberBytes);
            this.consumedAtStart = ring.consumed.get();
            this.cursorAtStart = ring.sequencer.nextValue();
        }

        /** Two laps of written and read records, then unread ones filling most of the ring, then a terminal. */
        static Scenario build(Ring ring, Random random, Codec<?> codec, int terminal) throws Exception {
            int maxLength = Math.min(ring.maxMessageLength, ring.capacity / 6);
            long laps = 2L * ring.slotCount + random.nextInt(ring.slotCount);
            while (ring.sequencer.nextValue() < laps) {
                ring.writeOrDrain(content(codec, random, maxLength), new ArrayList<>());
            }
            ring.drain();
            List<Event> unread = new ArrayList<>();
            List<long[]> records = new ArrayList<>();
            while (ring.sequencer.nextValue() - ring.consumed.get() < ring.slotCount * 3 / 4) {
                byte[] payload = content(codec, random, maxLength);
                if (!ring.tryWrite(payload)) {
                    break;
                }
                unread.add(Event.data(ring.lastWritten, payload));
                records.add(new long[] {ring.lastWritten, ring.sequencer.nextValue()});
            }
            if (terminal == TYPE_COMPLETE) {
                long at = ring.writer.writeSignal(TYPE_COMPLETE, new byte[0], liveDeadline());
                unread.add(Event.complete());
                records.add(new long[] {at, ring.sequencer.nextValue()});
            } else if (terminal == TYPE_ERROR) {
                long at = ring.writer.writeSignal(TYPE_ERROR,
                    ErrorRecord.encode(new IllegalStateException("fuzz"), ring.maxMessageLength), liveDeadline());
                unread.add(Event.error(IllegalStateException.class.getName(), "fuzz"));
                records.add(new long[] {at, ring.sequencer.nextValue()});
            }
            assertThat(unread.size()).isGreaterThan(3);
            return new Scenario(ring, codec, unread, records);
        }

        /** Records written into a fresh ring, none consumed: consumed is still -1. */
        static Scenario buildUnconsumedFromStart(Ring ring, Random random) {
            List<Event> unread = new ArrayList<>();
            List<long[]> records = new ArrayList<>();
            while (ring.sequencer.nextValue() < ring.slotCount / 2) {
                byte[] payload = payload(random.nextInt(60), random.nextInt());
                assertThat(ring.tryWrite(payload)).isTrue();
                unread.add(Event.data(ring.lastWritten, payload));
                records.add(new long[] {ring.lastWritten, ring.sequencer.nextValue()});
            }
            return new Scenario(ring, Codecs.bytes(), unread, records);
        }

        private static byte[] content(Codec<?> codec, Random random, int maxLength) {
            if (codec == Codecs.longs()) {
                return ByteBuffer.allocate(8).order(ByteOrder.nativeOrder()).putLong(random.nextLong()).array();
            }
            return payload(random.nextInt(maxLength + 1), random.nextInt());
        }

        Outcome run(Random random, int caseNumber) {
            ring.section.put(0, sectionBytes);
            ring.subscriberSection.put(0, subscriberBytes);
            RingReader reader = new RingReader(SECTION, Ring.readOnly(ring.section), ring.consumed, ring.capacity,
                ring.slotLength, ring.maxMessageLength);
            int mutations = 1 + random.nextInt(3);
            long firstCorruptSlot = Long.MAX_VALUE;
            StringBuilder described = new StringBuilder();
            for (int m = 0; m < mutations; m++) {
                int choice = random.nextInt(100);
                if (choice < 15) {
                    long value = interestingCursor(random);
                    ring.section.putLong(RingDescriptor.CURSOR_OFFSET, value);
                    described.append(" cursor=").append(value);
                    continue;
                }
                int offset;
                int value;
                if (choice < 45) {
                    // A header word of an unread record.
                    long[] record = unreadRecords.get(random.nextInt(unreadRecords.size()));
                    offset = ring.recordOffset(record[0]) + (random.nextBoolean() ? 0 : 4);
                    value = interestingInt(random, record[0]);
                } else if (choice < 85) {
                    // An aligned word anywhere in the slot area.
                    offset = RingDescriptor.SLOTS_OFFSET + 4 * random.nextInt(ring.capacity / 4);
                    value = random.nextBoolean() ? random.nextInt() : interestingInt(random, cursorAtStart);
                } else {
                    // An unaligned word anywhere in the slot area.
                    offset = RingDescriptor.SLOTS_OFFSET + random.nextInt(ring.capacity - 3);
                    value = random.nextInt();
                }
                if (ring.section.getInt(offset) == value) {
                    continue;
                }
                ring.section.putInt(offset, value);
                described.append(" [").append(offset).append("]=").append(value);
                firstCorruptSlot = Math.min(firstCorruptSlot, Math.min(unreadSlot(offset), unreadSlot(offset + 3)));
            }

            Recorder recorder = new Recorder(ring);
            recorder.decoder = codec == Codecs.longs() ? codec : null;
            FuzzHandler handler = new FuzzHandler(recorder, reader, ring, consumedAtStart);
            Outcome outcome = Outcome.CLEAN;
            try {
                if (random.nextInt(4) == 0) {
                    reader.peekNextType();
                }
                boolean settled = false;
                for (int i = 0; i < 4 * ring.slotCount + 8 && !settled; i++) {
                    boolean read = reader.poll(handler);
                    settled = !read || reader.terminated();
                }
                if (!settled) {
                    fail("case " + caseNumber + ": reader did not settle;" + described);
                }
            } catch (CorruptSectionException e) {
                outcome = Outcome.CORRUPT;
                assertThat(e.section()).isEqualTo(SECTION);
                assertThat(e.offset()).isBetween(0L, (long) ring.section.capacity());
            } catch (ApertureException e) {
                assertThat(e.getCause()).as("case %d: %s;%s", caseNumber, e, described)
                    .isInstanceOf(IllegalArgumentException.class);
                outcome = Outcome.DECODE_FAILED;
            } catch (AssertionError e) {
                throw new AssertionError("case " + caseNumber + ":" + described + ": " + e.getMessage(), e);
            } catch (Throwable e) {
                throw new AssertionError("case " + caseNumber + ": reader threw " + e + " on" + described, e);
            }

            List<Event> events = recorder.events;
            assertThat(events.size()).as("case %d", caseNumber).isLessThanOrEqualTo(ring.slotCount);
            {
                // Whatever the cursor word says (readers never load it), every record wholly before the first
                // corrupted slot is delivered intact and in order.
                int intact = 0;
                while (intact < unread.size() && unreadRecords.get(intact)[1] < firstCorruptSlot) {
                    intact++;
                }
                assertThat(events.size()).as("case %d:%s", caseNumber, described).isGreaterThanOrEqualTo(intact);
                assertThat(events.subList(0, intact)).as("case %d:%s", caseNumber, described)
                    .containsExactlyElementsOf(unread.subList(0, intact));
                if (firstCorruptSlot == Long.MAX_VALUE) {
                    assertThat(outcome).as("case %d: nothing unread was touched:%s", caseNumber, described)
                        .isEqualTo(Outcome.CLEAN);
                    assertThat(events).containsExactlyElementsOf(unread);
                }
            }
            return outcome;
        }

        /** The unconsumed slot sequence holding byte {@code offset} of the slot area. */
        private long unreadSlot(int offset) {
            int index = (offset - RingDescriptor.SLOTS_OFFSET) / ring.slotLength;
            long first = consumedAtStart + 1;
            long distance = (index - first) & (ring.slotCount - 1);
            long sequence = first + distance;
            // Layout 3.0: the reader walks headers past the last committed record too (the zeroed slot after it,
            // and on if that is forged), so every slot not consumed is within its reach.
            return sequence;
        }

        private long interestingCursor(Random random) {
            switch (random.nextInt(10)) {
                case 0: return cursorAtStart - 1 - random.nextInt(3);
                case 1: return cursorAtStart + 1 + random.nextInt(3);
                case 2: return consumedAtStart + ring.slotCount;
                case 3: return consumedAtStart + ring.slotCount + 1;
                case 4: return Long.MAX_VALUE;
                case 5: return Long.MIN_VALUE;
                case 6: return consumedAtStart + random.nextInt(ring.slotCount);
                case 7: return -1L;
                case 8: return random.nextLong();
                default: return consumedAtStart - random.nextInt(ring.slotCount);
            }
        }

        private int interestingInt(Random random, long sequence) {
            switch (random.nextInt(14)) {
                case 0: return -1;
                case 1: return 0;
                case 2: return Integer.MAX_VALUE;
                case 3: return Integer.MIN_VALUE;
                case 4: return ring.maxMessageLength;
                case 5: return ring.maxMessageLength + 1;
                case 6: return ring.capacity - HEADER_LENGTH;
                case 7: return ring.slotLength - HEADER_LENGTH + random.nextInt(3) - 1;
                case 8: return RecordDescriptor.typeCheck(1 + random.nextInt(5), sequence);
                case 9: return RecordDescriptor.typeCheck(random.nextInt(256), sequence + random.nextInt(3) - 1);
                case 10: return random.nextInt(ring.capacity);
                case 11: return 0xFFFF;
                case 12: return RecordDescriptor.typeCheck(1 + random.nextInt(5), sequence + ring.slotCount);
                default: return random.nextInt();
            }
        }
    }

    /** Delegates to a recorder but checks the published cursor through the fuzz case's own reader. */
    static final class FuzzHandler implements RingReader.RecordHandler {
        private final Recorder recorder;
        private final RingReader reader;
        private final Ring ring;
        private final long consumedAtStart;
        private long lastSequence = Long.MIN_VALUE;

        FuzzHandler(Recorder recorder, RingReader reader, Ring ring, long consumedAtStart) {
            this.recorder = recorder;
            this.reader = reader;
            this.ring = ring;
            this.consumedAtStart = consumedAtStart;
        }

        @Override
        public boolean onData(ByteBuffer window, long sequence) {
            assertThat(window.isReadOnly()).isTrue();
            assertThat(window.position()).isEqualTo(ring.payloadOffset(sequence));
            assertThat(window.limit()).isLessThanOrEqualTo(RingDescriptor.SLOTS_OFFSET + ring.capacity);
            assertThat(window.remaining()).isLessThanOrEqualTo(ring.maxMessageLength);
            assertThat(sequence).isGreaterThan(lastSequence);
            long last = ring.lastSlot(sequence, window.remaining());
            // Within the ring, less its headroom, of the consumed value stored at the start of this batch.
            long consumedNow = ring.consumed.get();
            assertThat(last).as("record of seq %d ends within one ring of consumed %d", sequence, consumedNow)
                .isLessThan(consumedNow + ring.slotCount);
            lastSequence = sequence;
            Codec<?> decoder = recorder.decoder;
            if (decoder != null) {
                try {
                    decoder.decode(window.duplicate().order(ByteOrder.nativeOrder()));
                } catch (RuntimeException e) {
                    throw new ApertureException("codec '" + decoder.name() + "' failed to decode the record at seq "
                        + sequence + ": " + e, e);
                }
            }
            byte[] bytes = new byte[window.remaining()];
            window.get(bytes);
            recorder.events.add(Event.data(sequence, bytes));
            return true;
        }

        @Override
        public void onComplete() {
            recorder.onComplete();
        }

        @Override
        public void onError(String remoteClassName, String remoteMessage) {
            recorder.onError(remoteClassName, remoteMessage);
        }
    }
}
