package io.aperture;

import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * The service the interaction tests serve, in this JVM or in an {@link InteractionPeer}. Requests say what to do;
 * what the handler sees that a test awaits (a cancel, a fire-and-forget) is reported to {@code events}, one line each.
 * <pre>
 *   request-response  "fail:M" fails with IllegalStateException(M); "never" never answers (reports "rr-cancelled X"
 *                     when cancelled, X the request); "empty" is empty; anything else is answered upper-cased
 *   request-stream    "count:N" 0..N-1; "fail-after:N" 0..N-1 then IllegalStateException("after N");
 *                     "endless:T" 0, 1, 2, ... reporting "stream-cancelled T produced P" when cancelled
 *   request-channel   each request with "!" appended; reports "channel-requests-cancelled" when it cancels them
 *   fire-and-forget   reports "fnf Q"
 * </pre>
 */
final class EchoService implements ServiceHandler<String, String> {
    private final Consumer<String> events;

    EchoService(Consumer<String> events) {
        this.events = events;
    }

    @Override
    public Mono<String> requestResponse(String request) {
        if (request.startsWith("fail:")) {
            return Mono.error(new IllegalStateException(request.substring(5)));
        }
        if (request.startsWith("never")) {
            return Mono.<String>never().doOnCancel(() -> events.accept("rr-cancelled " + request));
        }
        if (request.equals("empty")) {
            return Mono.empty();
        }
        return Mono.just(request.toUpperCase(java.util.Locale.ROOT));
    }

    @Override
    public Flux<String> requestStream(String request) {
        if (request.startsWith("count:")) {
            return Flux.range(0, Integer.parseInt(request.substring(6))).map(String::valueOf);
        }
        if (request.startsWith("fail-after:")) {
            int n = Integer.parseInt(request.substring(11));
            return Flux.range(0, n).map(String::valueOf).concatWith(Mono.error(new IllegalStateException("after " + n)));
        }
        if (request.startsWith("endless:")) {
            String tag = request.substring(8);
            AtomicLong produced = new AtomicLong();
            return Flux.<String, Long>generate(() -> 0L, (i, sink) -> {
                sink.next(String.valueOf(i));
                produced.incrementAndGet();
                return i + 1;
            }).doOnCancel(() -> events.accept("stream-cancelled " + tag + " produced " + produced.get()));
        }
        return Flux.error(new IllegalArgumentException("unknown stream request '" + request + "'"));
    }

    @Override
    public Flux<String> requestChannel(Flux<String> requests) {
        return requests.doOnCancel(() -> events.accept("channel-requests-cancelled")).map(s -> s + "!");
    }

    @Override
    public Mono<Void> fireAndForget(String request) {
        return Mono.fromRunnable(() -> events.accept("fnf " + request));
    }
}
