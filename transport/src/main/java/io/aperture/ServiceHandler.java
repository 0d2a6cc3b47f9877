package io.aperture;

import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * What a responder does for each interaction a requester opens ({@link ServiceResponder#serve}). Each method is
 * called once per interaction, on the thread that reads that requester's requests: it must return at once (do
 * blocking work with {@code subscribeOn} or {@code publishOn}). A model the handler does not override fails its
 * interactions with {@link UnsupportedOperationException}, which the requester receives as a {@link RemoteException}.
 *
 * <p>Demand crosses: the returned {@code Flux} of {@link #requestStream} and {@link #requestChannel} is asked only
 * for what the requester's subscriber requested (§3.9: {@code request(n)} crosses as REQUEST_N), and it is
 * cancelled when the requester cancels, or when the requester's process dies or closes its connection.
 *
 * @param <Q> the type of requests
 * @param <R> the type of responses
 */
public interface ServiceHandler<Q, R> {
    /**
     * Request-response: the Mono's value (or its emptiness, or its error) answers {@code request}.
     *
     * @param request the decoded request
     * @return a Mono of the answer; by default one that fails with {@link UnsupportedOperationException}
     */
    default Mono<R> requestResponse(Q request) {
        return Mono.error(new UnsupportedOperationException("request-response is not served"));
    }

    /**
     * Request-stream: the values answering {@code request}, produced as the requester asks for them.
     *
     * @param request the decoded request
     * @return a Flux of the answers; by default one that fails with {@link UnsupportedOperationException}
     */
    default Flux<R> requestStream(Q request) {
        return Flux.error(new UnsupportedOperationException("request-stream is not served"));
    }

    /**
     * Request-channel: the requester's values arrive in {@code requests}, which crosses the handler's
     * {@code request(n)} to the requester's publisher; the returned values go back as the requester asks.
     * {@code requests} may be subscribed once. The interaction ends when the returned Flux ends (or is cancelled):
     * the requester's publisher is then cancelled if it still runs.
     *
     * @param requests the requester's values, decoded
     * @return a Flux of the answers; by default one that fails with {@link UnsupportedOperationException}
     */
    default Flux<R> requestChannel(Flux<Q> requests) {
        return Flux.error(new UnsupportedOperationException("request-channel is not served"));
    }

    /**
     * Fire-and-forget: nothing answers; an error of the returned Mono is logged by the responder.
     *
     * @param request the decoded request
     * @return a Mono that ends the interaction; by default one that fails with {@link UnsupportedOperationException}
     */
    default Mono<Void> fireAndForget(Q request) {
        return Mono.error(new UnsupportedOperationException("fire-and-forget is not served"));
    }
}
