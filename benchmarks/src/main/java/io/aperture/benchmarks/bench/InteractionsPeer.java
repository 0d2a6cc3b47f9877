package io.aperture.benchmarks.bench;

import io.aperture.Aperture;
import io.aperture.ChannelOptions;
import io.aperture.Codecs;
import io.aperture.ServiceConnection;
import io.aperture.ServiceHandler;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Aperture's native interactions ({@code Aperture.responder}/{@code requester}, docs/interactions.md) between two
 * JVMs, default options (BLOCKING waits) and {@code Codecs.longs()} both ways. The responder ({@code ponger},
 * {@code producer}) answers a request-response with the value it carried and a request-stream of {@code n} with
 * 0..n-1; the requester ({@code pinger}, {@code consumer}) makes the round trips or one stream per round, then
 * sends a fire-and-forget, the responder's signal to end.
 */
final class InteractionsPeer {
    static final String SERVICE = "bench";

    private InteractionsPeer() {
    }

    static void run(String role, Params p) throws Exception {
        Duration timeout = Duration.ofSeconds(p.getLong("timeout"));
        Aperture aperture = Aperture.create(p.getPath("dir"), ChannelOptions.defaults().withAttachTimeout(Duration.ofSeconds(60)));
        switch (role) {
            case "ponger", "producer" -> respond(aperture, timeout);
            case "pinger" -> ping(aperture, p, timeout);
            case "consumer" -> consume(aperture, p, timeout);
            default -> throw new IllegalArgumentException("role " + role);
        }
    }

    /** Serves until the requester's fire-and-forget. */
    private static void respond(Aperture aperture, Duration timeout) throws InterruptedException {
        CountDownLatch ended = new CountDownLatch(1);
        Disposable serving = aperture.responder(SERVICE, Codecs.longs(), Codecs.longs()).serve(new ServiceHandler<Long, Long>() {
            @Override
            public Mono<Long> requestResponse(Long ping) {
                return Mono.just(ping);
            }

            @Override
            public Flux<Long> requestStream(Long n) {
                return BenchChild.sequence(n);
            }

            @Override
            public Mono<Void> fireAndForget(Long end) {
                return Mono.fromRunnable(ended::countDown);
            }
        }).subscribe();
        BenchChild.ready();
        if (!ended.await(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new IllegalStateException("no end from the requester within " + timeout);
        }
        serving.dispose();
    }

    private static ServiceConnection<Long, Long> connect(Aperture aperture, Duration timeout) {
        return aperture.requester(SERVICE, "bench-requester", Codecs.longs(), Codecs.longs()).connect().block(timeout);
    }

    /** Tells the responder to end, then closes the connection. */
    private static void end(ServiceConnection<Long, Long> connection, Duration timeout) {
        connection.fireAndForget(-1L).block(timeout);
        connection.dispose();
        connection.onClose().onErrorResume(e -> Mono.empty()).block(timeout);
    }

    private static void ping(Aperture aperture, Params p, Duration timeout) throws InterruptedException {
        ServiceConnection<Long, Long> connection = connect(aperture, timeout);
        RequestLoop loop = new RequestLoop(connection::requestResponse, new RoundTrips(p));
        loop.start();
        loop.await(timeout);
        end(connection, timeout);
    }

    /** READY at once: the connect waits for the responder, which the runner starts next. */
    private static void consume(Aperture aperture, Params p, Duration timeout) throws InterruptedException {
        BenchChild.ready();
        ServiceConnection<Long, Long> connection = connect(aperture, timeout);
        long n = p.getLong("messages");
        for (int r = 0; r < p.rounds(); r++) {
            BenchChild.SequenceCheck<Long> check = BenchChild.longsCheck(n);
            connection.requestStream(n).subscribe(check);
            BenchChild.round(r, n, check.await(timeout));
        }
        end(connection, timeout);
    }
}
