package io.aperture.rsocket;

import io.rsocket.Payload;
import io.rsocket.RSocket;
import io.rsocket.util.DefaultPayload;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * The responder both ends of the cross-process tests serve, each under its own name: request-response answers
 * {@code <name>:<DATA upper-cased>} (and {@code produced} with how many stream elements it produced so far),
 * request-stream {@code tick-0, tick-1, ...} produced only as requested, request-channel each request as
 * {@code <name>:ch:<data>}, fire-and-forget hands the data to {@code fired}.
 */
final class PeerResponder implements RSocket {
    private final String name;
    private final Consumer<String> fired;
    private final AtomicLong produced = new AtomicLong();

    PeerResponder(String name, Consumer<String> fired) {
        this.name = name;
        this.fired = fired;
    }

    long produced() {
        return produced.get();
    }

    @Override
    public Mono<Payload> requestResponse(Payload payload) {
        String data = take(payload);
        String answer = data.equals("produced") ? Long.toString(produced.get()) : name + ":" + data.toUpperCase(Locale.ROOT);
        return Mono.just(DefaultPayload.create(answer));
    }

    @Override
    public Flux<Payload> requestStream(Payload payload) {
        String prefix = take(payload);
        return Flux.<Payload, Long>generate(() -> 0L, (i, sink) -> {
            produced.incrementAndGet(); // counted before it leaves, so an answer received means it is counted
            sink.next(DefaultPayload.create(prefix + "-" + i));
            return i + 1;
        });
    }

    @Override
    public Flux<Payload> requestChannel(Publisher<Payload> payloads) {
        return Flux.from(payloads).map(p -> DefaultPayload.create(name + ":ch:" + take(p)));
    }

    @Override
    public Mono<Void> fireAndForget(Payload payload) {
        String data = take(payload);
        return Mono.fromRunnable(() -> fired.accept(data));
    }

    /** The payload's data as text; releases the payload. */
    static String take(Payload payload) {
        try {
            return payload.getDataUtf8();
        } finally {
            payload.release();
        }
    }
}
