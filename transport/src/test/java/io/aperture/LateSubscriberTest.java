package io.aperture;

import io.aperture.internal.ring.RingSequencer;
import io.aperture.internal.ring.RingWriter;
import io.aperture.internal.section.ChannelFiles;
import io.aperture.internal.section.MappedSection;
import io.aperture.internal.section.RecordDescriptor;
import io.aperture.internal.section.RingDescriptor;
import io.aperture.internal.section.RingHeader;
import io.aperture.internal.section.SectionPlatform;
import io.aperture.internal.section.TerminalState;
import io.aperture.internal.waiting.WaitStrategies;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import reactor.test.StepVerifier;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.locks.LockSupport;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A subscriber that claims its section after the publisher's terminal record but before the terminal state,
 * and is never admitted (the publisher is done): it reads the terminal record the ring points at and gets
 * the terminal signal (§1.4). Found by the TCK's multi-subscriber rules (§1.11), where a second subscriber
 * attached while the first one's channel was completing.
 */
@Timeout(30)
class LateSubscriberTest {
    private static final ChannelOptions OPTIONS = ChannelOptions.defaults().withRingCapacity(1 << 14)
        .withAttachTimeout(Duration.ofSeconds(5));
    private final Path directory = TestDirectories.create();

    @AfterEach
    void tearDown() {
        TestDirectories.delete(directory);
    }

    @Test
    void shouldCompleteASubscriberThatCameAfterTheTerminalRecord() throws Exception {
        String channel = "late";
        long length = RingDescriptor.fileLength(OPTIONS.ringCapacity());
        Path temporary = ChannelFiles.createTemporary(directory, channel + ".ring", length);
        try (MappedSection ring = SectionPlatform.current().open(temporary, length, true)) {
            // The publisher's state between the two stores of PublisherSession.onComplete: COMPLETE record
            // published, terminal state still OPEN.
            ByteBuffer section = ring.buffer();
            RingHeader.initialise(section, 42L, OPTIONS, 1, Codecs.longs());
            RingSequencer sequencer = new RingSequencer(OPTIONS.ringCapacity() / OPTIONS.slotLength(),
                WaitStrategies.of(Waiting.BACKOFF, null), () -> false);
            RingWriter writer = new RingWriter(channel, section, sequencer, OPTIONS.ringCapacity(), OPTIONS.slotLength(),
                OPTIONS.maxMessageLength());
            long deadline = System.nanoTime() + Duration.ofSeconds(1).toNanos();
            writer.writeData(Codecs.longs(), 7L, deadline);
            writer.writeSignal(RecordDescriptor.TYPE_COMPLETE, new byte[0], deadline);
            assertThat(ChannelFiles.linkIntoPlace(temporary, ChannelFiles.ringPath(directory, channel))).isTrue();
            Files.delete(temporary);

            Path claimed = ChannelFiles.subscriberPath(directory, channel, 0);
            StepVerifier.create(Aperture.create(directory, OPTIONS).subscriber(channel, Codecs.longs()).receive())
                .then(() -> {
                    awaitExists(claimed, Duration.ofSeconds(10));
                    assertThat(RingHeader.setTerminalState(section, TerminalState.COMPLETED)).isTrue();
                })
                .expectComplete() // not the element before it: that came before this subscriber
                .verify(Duration.ofSeconds(10));
        }
        assertThat(TestThreads.awaitChannelThreadsEnded(List.of("late"), Duration.ofSeconds(10))).isEmpty();
        assertThat(TestDirectories.files(directory)).containsExactly("late.ring");
    }

    private static void awaitExists(Path path, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!Files.exists(path)) {
            assertThat(System.nanoTime() - deadline).as("%s did not appear within %s", path, timeout).isNegative();
            LockSupport.parkNanos(100_000L);
        }
    }
}
