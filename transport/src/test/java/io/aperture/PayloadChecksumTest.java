package io.aperture;

import io.aperture.internal.section.ChannelFiles;
import io.aperture.internal.section.RingDescriptor;
import io.aperture.internal.section.RingHeader;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import reactor.core.publisher.Flux;
import reactor.test.StepVerifier;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.Arrays;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Opt-in payload checksums: every record carries a CRC32C of its payload, checked before decode, so a byte that
 * another process flips inside a payload ends the stream with {@link CorruptSectionException} instead of a wrong value.
 */
@Timeout(60)
class PayloadChecksumTest {
    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final int SLOT = 64;
    private final Path directory = TestDirectories.create();
    private final ChannelOptions plain = ChannelOptions.defaults().withRingCapacity(1 << 14).withSlotLength(SLOT)
        .withWaiting(Waiting.BACKOFF).withAttachTimeout(WAIT).withMaxFragmentedMessageLength(1 << 20);
    private final ChannelOptions checked = plain.withPayloadChecksums(true);
    private final Aperture aperture = Aperture.create(directory, plain);

    @AfterEach
    void tearDown() {
        TestDirectories.delete(directory);
    }

    @Test
    void shouldDeliverEverythingWithChecksumsOn() {
        roundTrip("crc-ok", checked);
    }

    @Test
    void shouldDeliverEverythingWithChecksumsOnThroughTheCopyPath() {
        // Without double mapping, records that would run past the ring's end are padded, and the reader copies none.
        roundTrip("crc-copy", checked.withDoubleMapping(false));
    }

    private void roundTrip(String channel, ChannelOptions options) {
        byte[] large = new byte[300_000]; // fragments: each piece carries its own checksum
        for (int i = 0; i < large.length; i++) {
            large[i] = (byte) (i * 31);
        }
        reactor.core.Disposable publishing = aperture.publisher(channel, Codecs.bytes(), options)
            .publish(Flux.range(0, 2_000).map(i -> i == 1_000 ? large : new byte[] {(byte) (int) i, (byte) (i >> 8)}))
            .subscribe();
        try {
            StepVerifier.create(aperture.subscriber(channel, Codecs.bytes(), options).receive().index())
                .thenConsumeWhile(t -> {
                    int i = (int) (long) t.getT1();
                    byte[] expected = i == 1_000 ? large : new byte[] {(byte) i, (byte) (i >> 8)};
                    return Arrays.equals(t.getT2(), expected);
                })
                .verifyComplete();
        } finally {
            publishing.dispose();
        }
    }

    /** Ten longs written into the ring, unread; one payload byte of record 5 then flipped; then all requested. */
    private StepVerifier.Step<Long> flipAndRead(String channel, ChannelOptions options) throws Exception {
        RingPublisher<Long> publisher = aperture.publisher(channel, Codecs.longs(), options).open();
        StepVerifier.Step<Long> step = StepVerifier.create(aperture.subscriber(channel, Codecs.longs()).receive(), 0)
            .then(() -> {
                try {
                    assertThat(publisher.awaitSubscriber(WAIT)).isTrue();
                    for (long i = 0; i < 10; i++) {
                        assertThat(publisher.publish(i)).isTrue();
                    }
                    flipPayloadByte(ChannelFiles.ringPath(directory, channel), 5);
                } catch (Exception e) {
                    throw new AssertionError(e);
                }
            })
            .thenRequest(10);
        return step;
    }

    private static void flipPayloadByte(Path ring, int record) throws IOException {
        try (FileChannel file = FileChannel.open(ring, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            MappedByteBuffer map = file.map(FileChannel.MapMode.READ_WRITE, 0, file.size());
            map.order(ByteOrder.nativeOrder());
            int offset = RingDescriptor.SLOTS_OFFSET + record * SLOT + 8; // one slot per record, payload after the header
            map.put(offset, (byte) (map.get(offset) ^ 0x40));
        }
    }

    @Test
    void shouldEndWithCorruptSectionExceptionWhenAPayloadByteIsFlipped() throws Exception {
        flipAndRead("crc-flip", checked)
            .expectNext(0L, 1L, 2L, 3L, 4L)
            .expectErrorSatisfies(e -> assertThat(e).isInstanceOf(CorruptSectionException.class)
                .hasMessageContaining("crc-flip.ring").hasMessageContaining("payload checksum")
                .hasMessageContaining("seq 5"))
            .verify(WAIT);
    }

    @Test
    void shouldDeliverTheFlippedValueSilentlyWithoutChecksums() throws Exception {
        // The control: what the option is for. Without it the changed payload decodes as another value.
        flipAndRead("crc-off", plain)
            .expectNext(0L, 1L, 2L, 3L, 4L)
            .expectNext(5L ^ 0x40L)
            .expectNext(6L, 7L, 8L, 9L)
            .thenCancel()
            .verify(WAIT);
    }

    @Test
    void shouldRefuseARingWithAFlagItDoesNotKnow() throws Exception {
        // Read from a copy: the live publisher would notice the change to its header and end the channel first.
        reactor.core.Disposable publishing = aperture.publisher("crc-flags", Codecs.longs(), checked)
            .publish(Flux.<Long>never()).subscribe();
        try {
            byte[] bytes = Files.readAllBytes(ChannelFiles.ringPath(directory, "crc-flags"));
            // Direct, as a mapping is: the header's ordered loads are refused on heap buffers (JDK 25).
            ByteBuffer copy = ByteBuffer.allocateDirect(bytes.length).order(ByteOrder.nativeOrder()).put(0, bytes);
            assertThat(RingHeader.read("copy.ring", copy, copy.capacity()).flags & RingDescriptor.FLAG_PAYLOAD_CHECKSUM)
                .as("the checksum flag of a channel with checksums").isNotZero();
            copy.putInt(RingDescriptor.FLAGS_OFFSET, copy.getInt(RingDescriptor.FLAGS_OFFSET) | 1 << 5);
            assertThatThrownBy(() -> RingHeader.read("copy.ring", copy, copy.capacity()))
                .isInstanceOf(IncompatibleChannelException.class).hasMessageContaining("copy.ring")
                .hasMessageContaining("knows 0xf only");
        } finally {
            publishing.dispose();
        }
    }
}
