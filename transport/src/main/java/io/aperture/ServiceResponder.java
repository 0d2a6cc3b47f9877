package io.aperture;

import io.aperture.internal.composite.FrameCodec;
import io.aperture.internal.composite.ResponderSession;
import io.aperture.internal.section.ChannelFiles;
import reactor.core.publisher.Mono;

import java.util.Objects;

/**
 * The responding end of a service ({@link Aperture#responder}): serves every requester process that connects to
 * the service, each interaction with the {@link ServiceHandler}.
 *
 * <p>It receives the request channels of all requesters merged
 * ({@link ChannelSubscriber#receiveFromProducersTagged}: a requester is found within a liveness interval of its
 * start), and answers each connection on its own response channel {@code <service>.r-<requester>.<id>}. One
 * responder serves a service at a time.
 *
 * @param <Q> the type of requests
 * @param <R> the type of responses
 */
public final class ServiceResponder<Q, R> {
    private final Aperture aperture;
    private final String service;
    private final FrameCodec<Q> requestCodec;
    private final FrameCodec<R> responseCodec;
    private final ChannelOptions options;

    ServiceResponder(Aperture aperture, String service, Codec<Q> requestCodec, Codec<R> responseCodec, ChannelOptions options) {
        ChannelFiles.validateChannelName(service);
        this.aperture = aperture;
        this.service = service;
        this.requestCodec = new FrameCodec<>(Objects.requireNonNull(requestCodec, "requestCodec"));
        this.responseCodec = new FrameCodec<>(Objects.requireNonNull(responseCodec, "responseCodec"));
        this.options = Objects.requireNonNull(options, "options");
    }

    /**
     * Serves the service with {@code handler} while the returned Mono is subscribed. It never completes by itself;
     * disposing it closes every connection (requesters see the connection end; pending interactions fail there)
     * and cancels every interaction in flight here. It fails when the section directory cannot be listed.
     *
     * <p>A requester whose process dies, or that closes its connection, has its interactions cancelled here
     * within the liveness bound of its response channel; an error of {@code handler} in one interaction reaches
     * that interaction's requester as a {@link RemoteException} and affects no other.
     *
     * @param handler answers each interaction of every requester
     * @return a Mono that serves while subscribed and never completes by itself
     */
    public Mono<Void> serve(ServiceHandler<Q, R> handler) {
        Objects.requireNonNull(handler, "handler");
        return Mono.create(sink -> {
            ResponderSession<Q, R> session = new ResponderSession<>(aperture, service, requestCodec, responseCodec, options,
                handler, sink);
            sink.onDispose(session::dispose);
            session.start();
        });
    }

    /**
     * The service's name.
     *
     * @return the name of the service served
     */
    public String service() {
        return service;
    }

    @Override
    public String toString() {
        return "ServiceResponder{" + service + " in " + aperture.directory() + '}';
    }
}
