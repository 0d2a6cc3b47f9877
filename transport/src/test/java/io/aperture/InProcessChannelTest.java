package io.aperture;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;

import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

/** Both ends in one JVM, on two threads: the protocol and the Reactor bridge, with explicit demand. */
@Timeout(30)
class InProcessChannelTest {
    private final Path directory = TestDirectories.create();
    private final Aperture aperture = Aperture.create(directory,
        ChannelOptions.defaults().withRingCapacity(1 << 14).withAttachTimeout(Duration.ofSeconds(5)));

    @AfterEach
    void tearDown() {
        TestDirectories.delete(directory);
    }

    @Test
    void shouldDeliverEveryElementThenComplete() {
        Mono<Void> done = aperture.publisher("range", Codecs.longs()).publish(Flux.range(0, 10_000).map(i -> (long) i));
        Disposable publishing = done.subscribe();
        StepVerifier.create(aperture.subscriber("range", Codecs.longs()).receive())
            .expectNextSequence(Flux.range(0, 10_000).map(i -> (long) i).toIterable())
            .verifyComplete();
        publishing.dispose();
    }

    @Test
    void shouldRequestUpstreamOnlyWhatTheSubscriberAsked() {
        AtomicLong upstreamRequested = new AtomicLong();
        Mono<Void> done = aperture.publisher("demand", Codecs.longs())
            .publish(Flux.range(0, 1_000).map(i -> (long) i).doOnRequest(n -> upstreamRequested.addAndGet(n)));
        java.util.concurrent.CompletableFuture<Void> publishing = done.toFuture();
        StepVerifier.create(aperture.subscriber("demand", Codecs.longs()).receive(), 0)
            .thenRequest(3)
            .expectNext(0L, 1L, 2L)
            .then(() -> assertThat(upstreamRequested.get()).isEqualTo(3))
            .thenRequest(2)
            .expectNext(3L, 4L)
            .then(() -> assertThat(upstreamRequested.get()).isEqualTo(5))
            .thenCancel()
            .verify();
        assertThat(publishing).succeedsWithin(Duration.ofSeconds(10));
        assertThat(upstreamRequested.get()).isEqualTo(5);
        assertThat(TestDirectories.files(directory)).isEmpty();
    }

    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.EnumSource(Waiting.class)
    void shouldDeliverWithEveryWaitStrategy(Waiting waiting) {
        ChannelOptions withWaiting = aperture.defaults().withWaiting(waiting).withDemandWindow(16);
        String channel = "wait-" + waiting.name().toLowerCase(java.util.Locale.ROOT);
        java.util.concurrent.CompletableFuture<Void> publishing = aperture.publisher(channel, Codecs.utf8(), withWaiting)
            .publish(Flux.range(0, 2_000).map(i -> "m" + i)).toFuture();
        StepVerifier.create(aperture.subscriber(channel, Codecs.utf8(), withWaiting).receive(), 0)
            .thenRequest(1)
            .expectNext("m0")
            .thenRequest(1_999)
            .expectNextCount(1_999)
            .verifyComplete();
        assertThat(publishing).succeedsWithin(Duration.ofSeconds(10));
    }

    @Test
    void shouldDeliverATerminalRecordBehindPaddingWithoutDemand() {
        ChannelOptions tiny = aperture.defaults().withRingCapacity(1024).withSlotLength(64);
        String message = "x".repeat(300); // an ERROR record of 5 slots: often it does not fit before the ring end
        for (int n = 1; n <= 40; n++) {
            String channel = "padding-" + n;
            java.util.concurrent.CompletableFuture<Void> publishing = aperture.publisher(channel, Codecs.longs(), tiny)
                .publish(Flux.range(0, n).map(Integer::longValue).concatWith(Flux.error(new IllegalStateException(message))))
                .onErrorResume(e -> Mono.empty()).toFuture();
            StepVerifier.create(aperture.subscriber(channel, Codecs.longs(), tiny).receive(), 0)
                .thenRequest(n)
                .expectNextCount(n)
                .expectErrorSatisfies(e -> assertThat(e).isInstanceOf(RemoteException.class).hasMessageEndingWith(message))
                .verify(Duration.ofSeconds(10));
            assertThat(publishing).succeedsWithin(Duration.ofSeconds(10));
        }
    }

    @Test
    void shouldCarryRemoteErrorAfterElements() {
        Flux<String> source = Flux.just("a", "b").concatWith(Flux.error(new IllegalStateException("boom")));
        Disposable publishing = aperture.publisher("err", Codecs.utf8()).publish(source).onErrorResume(e -> Mono.empty()).subscribe();
        StepVerifier.create(aperture.subscriber("err", Codecs.utf8()).receive())
            .expectNext("a", "b")
            .expectErrorSatisfies(e -> assertThat(e).isInstanceOf(RemoteException.class)
                .hasMessageContaining("java.lang.IllegalStateException").hasMessageContaining("boom"))
            .verify();
        publishing.dispose();
    }
}
