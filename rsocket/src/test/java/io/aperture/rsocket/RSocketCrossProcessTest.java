package io.aperture.rsocket;

import io.aperture.Aperture;
import io.aperture.TestDirectories;
import io.rsocket.Closeable;
import io.rsocket.Payload;
import io.rsocket.RSocket;
import io.rsocket.core.RSocketConnector;
import io.rsocket.core.RSocketServer;
import io.rsocket.util.DefaultPayload;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * RSocket over Aperture between two JVMs: {@code RSocketServer} over {@link ApertureServerTransport} in one,
 * {@code RSocketConnector} over {@link ApertureClientTransport} in the other ({@link RSocketPeerMain}), each model
 * requested both ways (RSocket is symmetric: the server requests the client through the socket it accepted), and
 * the connection closing when the other process is killed.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class RSocketCrossProcessTest {
    /** Two liveness intervals find a dead peer; the rest is margin for a loaded 2-core machine. */
    private static final Duration DEAD_PEER_BOUND = Duration.ofSeconds(3);
    private static final Duration T = RSocketPeerMain.TIMEOUT;

    private Path directory;
    private Aperture aperture;
    private final List<PeerProcess> children = new ArrayList<>();
    private final List<reactor.core.Disposable> ends = new ArrayList<>();
    private final BlockingQueue<String> fired = new LinkedBlockingQueue<>();
    private final PeerResponder responder = new PeerResponder("server", fired::add);
    private final CompletableFuture<RSocket> accepted = new CompletableFuture<>();

    @BeforeEach
    void createDirectory() {
        directory = TestDirectories.create();
        aperture = Aperture.create(directory, RSocketPeerMain.options());
    }

    @AfterEach
    void killChildren() {
        try {
            children.forEach(PeerProcess::close);
            ends.forEach(reactor.core.Disposable::dispose);
        } finally {
            TestDirectories.delete(directory);
        }
    }

    private PeerProcess child(String role, String server) {
        PeerProcess child = PeerProcess.start(RSocketPeerMain.class, role, directory, server);
        children.add(child);
        return child;
    }

    /** Binds the server of this JVM; the socket towards the first client that connects completes {@link #accepted}. */
    private Closeable bind(String server) {
        Closeable bound = RSocketServer.create((setup, sendingSocket) -> {
            accepted.complete(sendingSocket);
            return Mono.just(responder);
        }).bind(ApertureServerTransport.create(aperture, server)).block(T);
        ends.add(bound);
        return bound;
    }

    @Test
    void shouldServeEachModelToAClientInAnotherProcess() throws Exception {
        bind("xp-serve");
        PeerProcess client = child("client", "xp-serve");

        client.awaitLine("connected", T);
        assertThat(client.awaitLine(l -> l.startsWith("request-response "), T)).isEqualTo("request-response server:HELLO");
        assertThat(client.awaitLine(l -> l.startsWith("request-stream "), T)).isEqualTo("request-stream [tick-0, tick-1, tick-2]");
        assertThat(responder.produced()).as("the client requested 3 elements").isEqualTo(3);
        assertThat(client.awaitLine(l -> l.startsWith("request-channel "), T))
            .isEqualTo("request-channel [server:ch:a, server:ch:b, server:ch:c]");
        client.awaitLine("fire-and-forget sent", T);
        assertThat(fired.poll(T.toMillis(), TimeUnit.MILLISECONDS)).isEqualTo("trade");
        client.awaitLine("script done", T);
        assertThat(client.output()).noneMatch(l -> l.startsWith("failed"));
    }

    @Test
    void shouldCarryDemandBothWaysWhenTheServerRequestsTheClient() throws Exception {
        bind("xp-demand");
        PeerProcess client = child("client", "xp-demand");
        RSocket toClient = accepted.get(T.toMillis(), TimeUnit.MILLISECONDS);

        StepVerifier.create(toClient.requestResponse(DefaultPayload.create("ping")).map(PeerResponder::take))
            .expectNext("client:PING").verifyComplete();

        // request-stream: the client's handler produces only what crossed as REQUEST_N
        StepVerifier.create(toClient.requestStream(DefaultPayload.create("tick")).map(PeerResponder::take), 0)
            .thenRequest(3)
            .expectNext("tick-0", "tick-1", "tick-2")
            .then(() -> assertThat(producedByClient(toClient)).isEqualTo(3))
            .thenRequest(2)
            .expectNext("tick-3", "tick-4")
            .then(() -> assertThat(producedByClient(toClient)).isEqualTo(5))
            .thenCancel()
            .verify(T);

        // request-channel: 2 answers asked for; this end's requests are not pulled beyond what the client asked for
        AtomicLong requested = new AtomicLong();
        Flux<Payload> requests = Flux.range(0, 100).map(i -> DefaultPayload.create("r" + i))
            .doOnRequest(n -> requested.addAndGet(Math.min(n, 1_000_000)));
        StepVerifier.create(toClient.requestChannel(requests).map(PeerResponder::take), 2)
            .expectNext("client:ch:r0", "client:ch:r1")
            .then(() -> assertThat(requested.get()).as("requests pulled for 2 answers").isLessThan(100))
            .thenRequest(Long.MAX_VALUE)
            .expectNextCount(98)
            .verifyComplete();

        StepVerifier.create(toClient.fireAndForget(DefaultPayload.create("note"))).verifyComplete();
        client.awaitLine("fired note", T);
    }

    private static long producedByClient(RSocket toClient) {
        return Long.parseLong(toClient.requestResponse(DefaultPayload.create("produced")).map(PeerResponder::take).block(T));
    }

    @Test
    void shouldCloseTheServersConnectionWhenTheClientProcessIsKilled() throws Exception {
        bind("xp-kill-client");
        PeerProcess client = child("client", "xp-kill-client");
        RSocket toClient = accepted.get(T.toMillis(), TimeUnit.MILLISECONDS);
        CompletableFuture<Throwable> streamEnd = new CompletableFuture<>();
        toClient.requestStream(DefaultPayload.create("tick")).limitRate(1).take(1_000_000)
            .subscribe(Payload::release, streamEnd::complete, () -> streamEnd.complete(null));
        CompletableFuture<Long> closedAt = new CompletableFuture<>();
        toClient.onClose().subscribe(null, e -> closedAt.complete(System.nanoTime()), () -> closedAt.complete(System.nanoTime()));
        client.awaitLine("script done", T);
        assertThat(closedAt).isNotDone();

        client.kill();
        long killed = System.nanoTime();

        long closed = closedAt.get(T.toMillis(), TimeUnit.MILLISECONDS);
        assertThat(Duration.ofNanos(closed - killed)).as("onClose after the kill").isLessThan(DEAD_PEER_BOUND);
        assertThat(streamEnd.get(T.toMillis(), TimeUnit.MILLISECONDS)).as("the open stream fails").isNotNull();
    }

    @Test
    void shouldCloseTheClientsConnectionWhenTheServerProcessIsKilled() throws Exception {
        PeerProcess server = child("server", "xp-kill-server");
        server.awaitLine(l -> l.startsWith("bound "), T);
        RSocket rsocket = RSocketConnector.connectWith(ApertureClientTransport.create(aperture, "xp-kill-server")).block(T);
        ends.add(rsocket);
        StepVerifier.create(rsocket.requestResponse(DefaultPayload.create("hi")).map(PeerResponder::take))
            .expectNext("server:HI").verifyComplete();
        CompletableFuture<Throwable> streamEnd = new CompletableFuture<>();
        BlockingQueue<String> ticks = new LinkedBlockingQueue<>();
        rsocket.requestStream(DefaultPayload.create("tick")).limitRate(1).take(1_000_000).map(PeerResponder::take)
            .subscribe(ticks::add, streamEnd::complete, () -> streamEnd.complete(null));
        assertThat(ticks.poll(T.toMillis(), TimeUnit.MILLISECONDS)).isEqualTo("tick-0");
        CompletableFuture<Long> closedAt = new CompletableFuture<>();
        rsocket.onClose().subscribe(null, e -> closedAt.complete(System.nanoTime()), () -> closedAt.complete(System.nanoTime()));

        server.kill();
        long killed = System.nanoTime();

        long closed = closedAt.get(T.toMillis(), TimeUnit.MILLISECONDS);
        assertThat(Duration.ofNanos(closed - killed)).as("onClose after the kill").isLessThan(DEAD_PEER_BOUND);
        assertThat(streamEnd.get(T.toMillis(), TimeUnit.MILLISECONDS)).as("the open stream fails").isNotNull();
        assertThat(rsocket.isDisposed()).isTrue();
    }
}
