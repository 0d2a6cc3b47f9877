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
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.LongStream;

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

    @Test
    void aRecordFarBehindTheLazyPositionIsVouchedForByASubscriberThatHasNotConsumedIt() throws Exception {
        // 64 slots; the ring lingers after the end, for the snapshots below
        ChannelOptions options = aperture.defaults().withRingCapacity(4096).withSlotLength(64)
            .withLinger(Duration.ofSeconds(10));
        CountDownLatch release = new CountDownLatch(1);
        CompletableFuture<Void> publishing = aperture.publisher("held", Codecs.longs(), options)
            .publish(Flux.range(0, 60).map(Long::valueOf)).toFuture();
        Await.until(() -> Files.exists(directory.resolve("held.ring")), WAIT, () -> "no ring");
        ChannelInspector inspector = ChannelInspector.open(directory);
        List<Tail.Event> events = new ArrayList<>();
        try (Tail tail = inspector.tail("held")) {
            // The subscriber's first onNext blocks: it consumes nothing while the publisher fills the ring.
            CompletableFuture<List<Long>> received = aperture.subscriber("held", Codecs.longs(), options).receive()
                .doOnNext(v -> {
                    try {
                        assertThat(release.await(20, TimeUnit.SECONDS)).isTrue();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                })
                .collectList().toFuture();
            String[] seen = {""};
            Await.until(() -> {
                ChannelSnapshot now = inspector.snapshot("held");
                seen[0] = now.toString();
                return now.publishedExact() == 60;
            }, WAIT, () -> seen[0]);
            // The tail starts at seq 0, more than half a ring (32 slots) behind the lazy position.
            assertThat(inspector.snapshot("held").cursor()).isGreaterThanOrEqualTo(32);
            Await.until(() -> {
                tail.poll(events::add, 100);
                return events.stream().filter(e -> e instanceof Tail.Message).count() == 60;
            }, WAIT, () -> "tail events " + events);
            assertThat(events).noneMatch(e -> e instanceof Tail.Missed);
            release.countDown();
            assertThat(received.get(20, TimeUnit.SECONDS)).hasSize(60);
            Await.until(() -> {
                tail.poll(events::add, 100);
                return tail.ended();
            }, WAIT, () -> "tail events " + events);
        }
        assertThat(publishing).succeedsWithin(WAIT);
        assertThat(events.stream().filter(e -> e instanceof Tail.Message).map(e -> ((Tail.Message) e).value()))
            .isEqualTo(LongStream.range(0, 60).boxed().collect(Collectors.toList()));
        assertThat(events.get(events.size() - 1)).isEqualTo(new Tail.End("COMPLETED", null));
    }

    @Test
    void aTailReadsRecordsThatRunPastTheEndOfADoubleMappedRing() throws Exception {
        // 256 slots of 16 bytes; each message fills 7 slots, so records cross the end of the slot area.
        ChannelOptions options = aperture.defaults().withRingCapacity(4096).withSlotLength(16)
            .withLinger(Duration.ofSeconds(10));
        List<String> sent = IntStream.range(0, 100).mapToObj(i -> String.format("m%03d", i) + "y".repeat(96))
            .collect(Collectors.toList());
        CompletableFuture<Void> publishing = aperture.publisher("wraps", Codecs.utf8(), options)
            .publish(Flux.fromIterable(sent)).toFuture();
        Await.until(() -> Files.exists(directory.resolve("wraps.ring")), WAIT, () -> "no ring");
        List<Tail.Event> events = new ArrayList<>();
        java.util.concurrent.atomic.AtomicInteger seen = new java.util.concurrent.atomic.AtomicInteger();
        try (Tail tail = ChannelInspector.open(directory).tail("wraps")) {
            // The subscriber takes each message only once the tail has shown it: it never passes the tail, so it
            // gates the publisher before every record the tail has still to read, and nothing is overwritten unread.
            CompletableFuture<List<String>> received = aperture.subscriber("wraps", Codecs.utf8(), options).receive()
                .doOnNext(v -> Await.until(() -> seen.get() > Integer.parseInt(v.substring(1, 4)), WAIT,
                    () -> "the tail did not show " + v.substring(0, 4)))
                .collectList().toFuture();
            Await.until(() -> {
                tail.poll(e -> {
                    events.add(e);
                    if (e instanceof Tail.Message) {
                        seen.incrementAndGet();
                    }
                }, 100);
                return tail.ended();
            }, WAIT, () -> "tail events " + events);
            assertThat(received.get(20, TimeUnit.SECONDS)).isEqualTo(sent);
            assertThat(ChannelInspector.open(directory).snapshot("wraps").flags() & 1).as("double mapped").isOne();
        }
        assertThat(publishing).succeedsWithin(WAIT);
        assertThat(events).noneMatch(e -> e instanceof Tail.Missed || e instanceof Tail.Corrupt);
        assertThat(events.stream().filter(e -> e instanceof Tail.Message).map(e -> ((Tail.Message) e).value()))
            .isEqualTo(new ArrayList<Object>(sent));
        assertThat(events.stream().filter(e -> e instanceof Tail.Message).mapToLong(e -> ((Tail.Message) e).sequence())
            .filter(last -> (last & 255) < 6)).as("records whose last slot is past the end").isNotEmpty();
    }
}
