package io.aperture;

import org.reactivestreams.Publisher;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * A requester's connection to a service's responder ({@link ServiceRequester#connect()}): the four interaction
 * models. Each subscription of a returned Mono or Flux is one interaction with its own correlation id; nothing is
 * sent before it is subscribed and has demand. Signals come from the connection's response thread
 * ({@code aperture-sub-<service>.r-...}); move slow work off it with {@code publishOn}.
 *
 * <p>Errors: {@link RemoteException} when the responder's handler failed; {@link ApertureException} when the
 * connection ended (the responder process died, closed, or broke the protocol; the message names the cause and
 * the interaction), and for every interaction started after that.
 *
 * @param <Q> the type of requests
 * @param <R> the type of responses
 */
public interface ServiceConnection<Q, R> extends Disposable {
    /**
     * One request, one answer: the Mono completes empty when the handler's Mono was empty.
     *
     * @param request the request, encoded with the requester's request codec
     * @return a Mono of the answer; each subscription sends the request again
     */
    Mono<R> requestResponse(Q request);

    /**
     * One request, a stream of answers: the responder's handler produces only what this Flux's subscriber requests.
     *
     * @param request the request, encoded with the requester's request codec
     * @return a Flux of the answers; each subscription sends the request again
     */
    Flux<R> requestStream(Q request);

    /**
     * A stream of requests, a stream of answers, demand honoured both ways: {@code requests} is subscribed when the
     * returned Flux is first requested and is asked only for what the responder's handler requests; cancelling the
     * returned Flux cancels both.
     *
     * @param requests the requests, sent as the responder's handler asks for them
     * @return a Flux of the answers
     */
    Flux<R> requestChannel(Publisher<Q> requests);

    /**
     * One request, no answer: the Mono completes once the request is written to the ring.
     *
     * @param request the request, encoded with the requester's request codec
     * @return a Mono that completes once the request is in the ring
     */
    Mono<Void> fireAndForget(Q request);

    /**
     * The name this requester connected under (its request channel is {@code <service>.p-<name>}).
     *
     * @return the requester's name
     */
    String requester();

    /**
     * The service's name.
     *
     * @return the name of the service connected to
     */
    String service();

    /**
     * Completes when the connection was disposed or the responder closed it normally, once this end's request
     * channel is closed and its ring removed (a process that exits right after a {@link #dispose()} waits for it
     * to leave no file behind); fails with the cause when the connection ended otherwise (the responder died, or a
     * protocol error).
     *
     * @return a Mono that ends with the connection
     */
    Mono<Void> onClose();

    /**
     * Ends the connection: every pending interaction fails with {@link ApertureException}; the response channel is
     * cancelled and the request channel completes after the frames already queued ({@link #onClose()}).
     */
    @Override
    void dispose();
}
