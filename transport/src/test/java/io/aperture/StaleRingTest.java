package io.aperture;

import io.aperture.internal.section.ChannelFiles;
import io.aperture.internal.section.RingDescriptor;
import io.aperture.internal.section.TerminalState;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import reactor.core.publisher.Flux;
import reactor.test.StepVerifier;

import java.io.IOException;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A ring file whose publisher died is said at once to a new subscriber, whatever its state: never read as an empty
 * stream, never waited on for the whole attach timeout; the channel's next publisher replaces it.
 */
@Timeout(120)
class StaleRingTest {
    /** Much longer than any answer below: the error must come from the stale ring, not from the timeout. */
    private static final Duration ATTACH = Duration.ofSeconds(60);
    private static final Duration WAIT = Duration.ofSeconds(30);
    private final Path directory = TestDirectories.create();
    private final Aperture aperture = Aperture.create(directory, ChannelOptions.defaults().withRingCapacity(1 << 14)
        .withWaiting(Waiting.BACKOFF).withAttachTimeout(ATTACH));
    private final List<ChildJvm> children = new ArrayList<>();

    @AfterEach
    void tearDown() {
        children.forEach(ChildJvm::close);
        TestDirectories.delete(directory);
    }

    /**
     * A ring file left OPEN by a publisher killed (-9) before any subscriber came. Files: a sealed ring goes with its
     * process, and only its dangling name is left (SealedSectionTest).
     */
    private Path staleRing(String channel) {
        ChildJvm publisher = ChildJvm.startWithSections(ChannelOptions.Sections.FILES, "publish-endless", directory,
            channel);
        children.add(publisher);
        Path ring = ChannelFiles.ringPath(directory, channel);
        Await.until(() -> Files.exists(ring), WAIT, () -> "the child's ring; output " + publisher.lines());
        publisher.close(); // kill -9: no hook runs, the ring stays behind
        assertThat(ring).exists();
        return ring;
    }

    @Test
    void shouldSayAtOnceThatAnOpenRingWasLeftByADeadPublisher() {
        staleRing("stale-open");

        StepVerifier.create(aperture.subscriber("stale-open", Codecs.longs()).receive())
            .expectErrorSatisfies(e -> assertThat(e).isInstanceOf(ApertureException.class)
                .hasMessageContaining("channel 'stale-open'").hasMessageContaining("which is no longer running")
                .hasMessageContaining("state OPEN"))
            .verify(WAIT);
    }

    @Test
    void shouldNotCompleteEmptyOnACompletedRingOfADeadPublisher() throws IOException {
        Path ring = staleRing("stale-completed");
        try (FileChannel file = FileChannel.open(ring, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            MappedByteBuffer map = file.map(FileChannel.MapMode.READ_WRITE, 0, file.size());
            map.order(ByteOrder.nativeOrder()).putInt(RingDescriptor.TERMINAL_OFFSET, TerminalState.COMPLETED);
        }

        StepVerifier.create(aperture.subscriber("stale-completed", Codecs.longs()).receive())
            .expectErrorSatisfies(e -> assertThat(e).isInstanceOf(ApertureException.class)
                .hasMessageContaining("which is no longer running").hasMessageContaining("state COMPLETED"))
            .verify(WAIT);
    }

    @Test
    void shouldReplaceAStaleRingWithTheNextPublisher() {
        staleRing("stale-replaced");

        reactor.core.Disposable publishing = aperture.publisher("stale-replaced", Codecs.longs())
            .publish(Flux.range(0, 10).map(i -> (long) i)).subscribe();
        try {
            StepVerifier.create(aperture.subscriber("stale-replaced", Codecs.longs()).receive())
                .expectNext(0L, 1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L, 9L)
                .verifyComplete();
        } finally {
            publishing.dispose();
        }
    }
}
