package io.aperture;

import io.aperture.internal.composite.FrameCodec;
import io.aperture.internal.composite.FrameDescriptor;
import io.aperture.internal.composite.RequesterSession;
import io.aperture.internal.section.ChannelFiles;
import reactor.core.publisher.Mono;

import java.util.Objects;

/**
 * The requesting end of a service ({@link Aperture#requester}): connects to the service's responder, in this or
 * another process, and opens interactions over the connection ({@link ServiceConnection}).
 *
 * <p>A connection is two channels: the requester publishes its frames as producer {@code <requester>} of the
 * channel {@code <service>} (ring {@code <service>.p-<requester>.ring}), which the responder merges with every
 * other requester's; the responder publishes its frames to this connection on {@code <service>.r-<requester>.<id>}
 * (the id is random per connection), which only this requester subscribes. Each end writes only its own rings.
 *
 * @param <Q> the type of requests
 * @param <R> the type of responses
 */
public final class ServiceRequester<Q, R> {
    /** Characters the connection id adds to the response channel's name: {@code .r-}, {@code .} and 16 hex digits. */

    private final Aperture aperture;
    private final String service;
    private final String requester;
    private final FrameCodec<Q> requestCodec;
    private final FrameCodec<R> responseCodec;
    private final ChannelOptions options;

    ServiceRequester(Aperture aperture, String service, String requester, Codec<Q> requestCodec, Codec<R> responseCodec,
                     ChannelOptions options) {
        this.aperture = aperture;
        this.service = service;
        this.requester = requester;
        this.requestCodec = new FrameCodec<>(Objects.requireNonNull(requestCodec, "requestCodec"));
        this.responseCodec = new FrameCodec<>(Objects.requireNonNull(responseCodec, "responseCodec"));
        this.options = Objects.requireNonNull(options, "options");
        ChannelFiles.validateChannelName(service);
        ChannelFiles.producerChannel(service, requester); // validates the requester's name and the combined length
        String longest = FrameDescriptor.responseChannel(service, requester, -1L);
        if (longest.length() > 100) {
            throw new IllegalArgumentException("service '" + service + "' and requester '" + requester
                + "' are too long together: the response channel '" + longest + "' has " + longest.length()
                + " characters, at most 100");
        }
        ChannelFiles.validateChannelName(longest);
    }


    /**
     * Connects: publishes this requester's request channel, then waits up to the attach timeout
     * ({@link ChannelOptions#withAttachTimeout}) for the responder to answer on the response channel. The Mono
     * emits the connection once the responder accepted it, or fails with an {@link ApertureException} naming the
     * service, the requester and the cause (no responder within the timeout; a live requester of the same name).
     * Each subscription is a new connection; cancelling the Mono before it emits abandons that connection.
     *
     * @return a Mono of a new connection for each subscription
     */
    public Mono<ServiceConnection<Q, R>> connect() {
        return Mono.create(sink -> new RequesterSession<>(aperture, service, requester, requestCodec, responseCodec,
            options, sink).start());
    }

    /**
     * The service's name.
     *
     * @return the name of the service this requester connects to
     */
    public String service() {
        return service;
    }

    /**
     * This requester's name.
     *
     * @return the requester's name, as the responder sees it
     */
    public String requester() {
        return requester;
    }

    @Override
    public String toString() {
        return "ServiceRequester{" + service + " as " + requester + " in " + aperture.directory() + '}';
    }
}
