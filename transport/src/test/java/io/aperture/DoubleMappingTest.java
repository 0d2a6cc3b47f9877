package io.aperture;

import com.lmax.disruptor.AlertException;
import io.aperture.internal.ring.RingReader;
import io.aperture.internal.ring.RingSequencer;
import io.aperture.internal.ring.RingWriter;
import io.aperture.internal.section.ChannelFiles;
import io.aperture.internal.section.DoubleMapping;
import io.aperture.internal.section.RecordDescriptor;
import io.aperture.internal.section.RingDescriptor;
import io.aperture.internal.section.RingHeader;
import io.aperture.internal.section.SectionPlatform;
import io.aperture.internal.section.ShmSequence;
import io.aperture.internal.section.SubscriberDescriptor;
import io.aperture.internal.waiting.BackoffWaitStrategy;
import io.aperture.internal.waiting.Waker;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.ReadOnlyBufferException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The slot area mapped twice: the two views are the same memory; a read-only mapping refuses writes in Java
 * (never a fault); and records of every length that run past the end at every slot offset are read whole,
 * both by a reader that double-maps too and by one that copies (the copy path).
 */
class DoubleMappingTest {
    private static final SectionPlatform PLATFORM = SectionPlatform.current();
    private static final int CAPACITY = 8192;
    private static final int SLOT = 64;

    private final Path directory = TestDirectories.create();

    @AfterEach
    void tearDown() {
        TestDirectories.delete(directory);
    }

    private Path ringFile(String name) {
        return ChannelFiles.createTemporary(directory, name, RingDescriptor.fileLength(CAPACITY));
    }

    @Test
    void shouldShowTheSlotAreaTwiceBackToBack() {
        assumeTrue(PLATFORM.mapsTwice(RingDescriptor.SLOTS_OFFSET, CAPACITY),
            "double mapping needs Linux x86-64 or aarch64");
        Path file = ringFile("twice");
        DoubleMapping writable = PLATFORM.mapTwice(file, RingDescriptor.SLOTS_OFFSET, CAPACITY, true);
        DoubleMapping readOnly = PLATFORM.mapTwice(file, RingDescriptor.SLOTS_OFFSET, CAPACITY, false);
        assertThat(writable).isNotNull();
        assertThat(readOnly).isNotNull();
        try {
            ByteBuffer w = writable.buffer();
            ByteBuffer r = readOnly.buffer();
            assertThat(w.capacity()).isEqualTo(RingDescriptor.SLOTS_OFFSET + 2 * CAPACITY);
            w.putLong(RingDescriptor.SESSION_ID_OFFSET, 0x1234_5678_9ABCL);
            w.putInt(RingDescriptor.SLOTS_OFFSET, 42);
            w.putInt(RingDescriptor.SLOTS_OFFSET + 2 * CAPACITY - 4, 7); // the last word of the second view
            assertThat(r.getLong(RingDescriptor.SESSION_ID_OFFSET)).isEqualTo(0x1234_5678_9ABCL);
            assertThat(r.getInt(RingDescriptor.SLOTS_OFFSET + CAPACITY)).as("second view, first word").isEqualTo(42);
            assertThat(r.getInt(RingDescriptor.SLOTS_OFFSET + CAPACITY - 4)).as("first view, last word").isEqualTo(7);
            assertThatThrownBy(() -> r.putInt(RingDescriptor.SLOTS_OFFSET, 1)).isInstanceOf(ReadOnlyBufferException.class);
            assertThatThrownBy(() -> r.duplicate().putInt(0, 1)).isInstanceOf(ReadOnlyBufferException.class);
        } finally {
            writable.close();
            readOnly.close();
        }
    }

    @Test
    void shouldRefuseWhatCannotBeMappedTwice() {
        assertThat(PLATFORM.mapsTwice(RingDescriptor.SLOTS_OFFSET, 1024)).as("less than a page").isFalse();
        assertThat(PLATFORM.mapsTwice(RingDescriptor.SLOTS_OFFSET, 1 << 30)).as("more than 2 GiB in all").isFalse();
        assertThat(PLATFORM.mapTwice(directory.resolve("absent.ring"), RingDescriptor.SLOTS_OFFSET, CAPACITY, false))
            .isNull();
    }

    /** A ring whose writer double-maps; the reader double-maps too, or copies records that wrap. */
    private final class Ring {
        final ByteBuffer section;
        final ShmSequence consumed;
        final RingSequencer sequencer;
        final RingWriter writer;
        final RingReader reader;
        final List<DoubleMapping> mappings = new ArrayList<>();

        Ring(String name, int maxMessageLength, boolean readerMapsTwice) throws IOException {
            Path file = ringFile(name);
            ChannelOptions options = ChannelOptions.defaults().withRingCapacity(CAPACITY).withSlotLength(SLOT)
                .withMaxMessageLength(maxMessageLength);
            DoubleMapping writable = PLATFORM.mapTwice(file, RingDescriptor.SLOTS_OFFSET, CAPACITY, true);
            mappings.add(writable);
            section = writable.buffer();
            RingHeader.initialise(section, 9L, options, 1, Codecs.bytes(), true);
            ByteBuffer subscriber = ByteBuffer.allocateDirect(SubscriberDescriptor.LENGTH).order(ByteOrder.nativeOrder());
            consumed = new ShmSequence(subscriber, SubscriberDescriptor.CONSUMED_OFFSET);
            consumed.set(-1L);
            sequencer = new RingSequencer(CAPACITY / SLOT, new BackoffWaitStrategy(1, 1, 1_000L), () -> false);
            sequencer.addGatingSequences(consumed);
            writer = new RingWriter(name, section, section, sequencer, CAPACITY, SLOT, options.maxMessageLength(), 0,
                new Waker(section, RingDescriptor.WAKE_OFFSET, SubscriberDescriptor.PARKED_OFFSET));
            ByteBuffer readerView;
            if (readerMapsTwice) {
                DoubleMapping readOnly = PLATFORM.mapTwice(file, RingDescriptor.SLOTS_OFFSET, CAPACITY, false);
                mappings.add(readOnly);
                readerView = readOnly.buffer();
            } else {
                readerView = null;
            }
            ByteBuffer header = section.asReadOnlyBuffer().order(ByteOrder.nativeOrder());
            RingHeader h = RingHeader.read(name, header.slice(0, (int) RingDescriptor.fileLength(CAPACITY))
                .order(ByteOrder.nativeOrder()), RingDescriptor.fileLength(CAPACITY));
            assertThat(h.flags & RingDescriptor.FLAG_DOUBLE_MAPPED).isEqualTo(RingDescriptor.FLAG_DOUBLE_MAPPED);
            reader = new RingReader(name, header, true, readerView, consumed, CAPACITY, SLOT, h.maxMessageLength);
        }

        void close() {
            mappings.forEach(DoubleMapping::close);
        }
    }

    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void shouldReadRecordsOfEveryLengthThatRunPastTheEndAtEverySlotOffset(boolean readerMapsTwice) throws Exception {
        assumeTrue(PLATFORM.mapsTwice(RingDescriptor.SLOTS_OFFSET, CAPACITY),
            "double mapping needs Linux x86-64 or aarch64");
        int maxMessage = CAPACITY / 2 - RecordDescriptor.HEADER_LENGTH;
        SplittableRandom random = new SplittableRandom(5);
        int wrapped = 0;
        Ring ring = new Ring("wrap-" + readerMapsTwice, maxMessage, readerMapsTwice);
        try {
            List<byte[]> sent = new ArrayList<>();
            PayloadCollector collect = new PayloadCollector();
            List<byte[]> received = collect.payloads;
            // Lengths sweep 0..max (every 37th, and the edges) while the start slot walks the whole ring.
            for (int length = 0; length <= maxMessage; length += length < 70 || length > maxMessage - 70 ? 1 : 37) {
                byte[] payload = new byte[length];
                random.nextBytes(payload);
                long before = ring.sequencer.nextValue() + 1;
                int index = (int) (before % (CAPACITY / SLOT)) * SLOT;
                if (index + RecordDescriptor.HEADER_LENGTH + length > CAPACITY) {
                    wrapped++;
                }
                while (true) {
                    try {
                        ring.writer.writeData(Codecs.bytes(), payload, System.nanoTime() - 1);
                        break;
                    } catch (AlertException full) {
                        while (ring.reader.poll(collect)) {
                            // drain
                        }
                    }
                }
                assertThat(ring.sequencer.nextValue() + 1 - before).as("no padding: the record starts where the writer was")
                    .isEqualTo((RecordDescriptor.HEADER_LENGTH + length + SLOT - 1) / SLOT);
                sent.add(payload);
            }
            while (ring.reader.poll(collect)) {
                // drain
            }
            assertThat(wrapped).as("records that ran past the end").isGreaterThan(50);
            assertThat(received).hasSize(sent.size());
            for (int i = 0; i < sent.size(); i++) {
                assertThat(received.get(i)).as("record %d", i).isEqualTo(sent.get(i));
            }
        } finally {
            ring.close();
        }
    }
}
