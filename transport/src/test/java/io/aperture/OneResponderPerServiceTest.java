package io.aperture;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

/**
 * The limit docs/interactions.md states: one responder per service. A second responder of the same service does
 * not share the load: each connection is served by whichever responder attached its request channel first, and
 * when that one goes its connections end (no failover); a new connection then finds the remaining responder.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class OneResponderPerServiceTest {
    private static final Duration T = Duration.ofSeconds(20);
    private final Path directory = TestDirectories.create();

    @AfterEach
    void tearDown() {
        TestDirectories.delete(directory);
    }

    private Aperture aperture() {
        return Aperture.create(directory, ChannelOptions.defaults().withWaiting(Waiting.BLOCKING).withAttachTimeout(T));
    }

    private static Disposable serve(Aperture aperture, String name) {
        return aperture.responder("svc", Codecs.utf8(), Codecs.utf8()).serve(new ServiceHandler<String, String>() {
            @Override
            public Mono<String> requestResponse(String request) {
                return Mono.just(name);
            }
        }).subscribe();
    }

    @Test
    void shouldServeEachConnectionByOneResponderAndNotFailOverToASecond() {
        Disposable first = serve(aperture(), "first");
        Disposable second = serve(aperture(), "second");
        try {
            ServiceConnection<String, String> connection = aperture().requester("svc", "caller", Codecs.utf8(), Codecs.utf8())
                .connect().block(T);
            Set<String> answeredBy = Flux.range(0, 50).concatMap(i -> connection.requestResponse("q" + i))
                .collect(java.util.stream.Collectors.toSet()).block(T);
            assertThat(answeredBy).as("responders that answered one connection").hasSize(1);
            boolean firstServes = answeredBy.contains("first");

            (firstServes ? first : second).dispose();

            Throwable closed = catchThrowable(() -> connection.onClose().block(T));
            Throwable after = catchThrowable(() -> connection.requestResponse("late").block(T));
            assertThat(after).as("a request after the serving responder left (onClose ended with %s)", closed).isNotNull();
            ServiceConnection<String, String> again = aperture().requester("svc", "caller-2", Codecs.utf8(), Codecs.utf8())
                .connect().block(T);
            assertThat(again.requestResponse("q").block(T)).isEqualTo(firstServes ? "second" : "first");
            again.dispose();
            again.onClose().onErrorResume(e -> Mono.empty()).block(T);
        } finally {
            List.of(first, second).forEach(Disposable::dispose);
        }
    }
}
