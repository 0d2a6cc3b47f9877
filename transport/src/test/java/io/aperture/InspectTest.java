package io.aperture;

import io.aperture.inspect.ChannelError;
import io.aperture.inspect.ChannelInspector;
import io.aperture.inspect.ChannelSnapshot;
import io.aperture.inspect.Tail;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import reactor.core.publisher.Flux;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The read-only inspection on channels of this JVM, for what the tool's cross-process tests do not reach: fragmented
 * messages and payload checksums followed by a {@link Tail}, and the error record of a checksummed ring.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class InspectTest {
    private static final Duration WAIT = Duration.ofSeconds(20);
    private final Path directory = TestDirectories.create();
    private final Aperture aperture = Aperture.create(directory, ChannelOptions.defaults().withWaiting(Waiting.BLOCKING)
        .withAttachTimeout(WAIT));

    @AfterEach
    void removeDirectory() {
        Await.noApertureThreads(WAIT);
        TestDirectories.delete(directory);
    }

    @Test
    void aTailAssemblesFragmentsAndChecksPayloadChecksums() throws Exception {
        ChannelOptions options = aperture.defaults().withMaxMessageLength(1024).withMaxFragmentedMessageLength(1 << 16)
            .withPayloadChecksums(true);
        List<String> sent = IntStream.range(0, 60).mapToObj(i -> i + ":" + "x".repeat(i % 3 == 0 ? 3000 : i))
            .collect(Collectors.toList());
        CompletableFuture<Void> publishing = aperture.publisher("big", Codecs.utf8(), options)
            .publish(Flux.fromIterable(sent)).toFuture();
        Await.until(() -> Files.exists(directory.resolve("big.ring")), WAIT, () -> "no ring");
        List<Tail.Event> events = new ArrayList<>();
        try (Tail tail = ChannelInspector.open(directory).tail("big")) {
            assertThat(tail.decodes()).isTrue();
            CompletableFuture<List<String>> received = aperture.subscriber("big", Codecs.utf8(), options).receive()
                .collectList().toFuture();
            Await.until(() -> {
                tail.poll(events::add, 100);
                return tail.ended();
            }, WAIT, () -> "tail events " + events);
            assertThat(received.get(20, TimeUnit.SECONDS)).isEqualTo(sent);
        }
        assertThat(publishing).succeedsWithin(WAIT);
        List<Object> values = events.stream().filter(e -> e instanceof Tail.Message).map(e -> ((Tail.Message) e).value())
            .collect(Collectors.toList());
        assertThat(values).isEqualTo(new ArrayList<Object>(sent));
        assertThat(events).noneMatch(e -> e instanceof Tail.Missed || e instanceof Tail.Corrupt);
        assertThat(events.get(events.size() - 1)).isEqualTo(new Tail.End("COMPLETED", null));
    }

    @Test
    void theErrorRecordOfAChecksummedRingIsDecoded() {
        ChannelOptions options = aperture.defaults().withPayloadChecksums(true).withLinger(Duration.ofSeconds(3)); // the ring stays while inspected
        CompletableFuture<Void> publishing = aperture.publisher("failing", Codecs.longs(), options)
            .publish(Flux.just(1L, 2L, 3L).concatWith(Flux.error(new IllegalArgumentException("no more")))).toFuture();
        List<Long> received = aperture.subscriber("failing", Codecs.longs(), options).receive()
            .onErrorResume(e -> Flux.empty()).collectList().block(WAIT);
        assertThat(received).containsExactly(1L, 2L, 3L);
        assertThat(publishing).failsWithin(WAIT);

        ChannelSnapshot snapshot = ChannelInspector.open(directory).snapshot("failing");
        assertThat(snapshot.problem()).isNull();
        assertThat(snapshot.terminalState()).isEqualTo("ERRORED");
        assertThat(snapshot.publishedExact()).isEqualTo(3);
        assertThat(snapshot.publisherAlive()).isTrue();
        assertThat(snapshot.error()).isEqualTo(new ChannelError("java.lang.IllegalArgumentException", "no more"));
        try (Tail tail = ChannelInspector.open(directory).tail("failing")) {
            List<Tail.Event> events = new ArrayList<>();
            tail.poll(events::add, 10);
            assertThat(events).containsExactly(new Tail.End("ERRORED",
                new ChannelError("java.lang.IllegalArgumentException", "no more")));
        }
        assertThat(ChannelInspector.open(directory).clean(false))
            .singleElement().satisfies(d -> assertThat(d.remove()).isFalse());
    }
}
