package io.aperture;

import io.aperture.internal.section.ChannelFiles;
import io.aperture.internal.section.RingHeader;

import java.nio.file.Path;
import java.util.Objects;

/**
 * Entry point: Reactive Streams across OS processes on one machine, through shared memory.
 *
 * <pre>{@code
 * Aperture aperture = Aperture.create();
 * // process A
 * Mono<Void> done = aperture.publisher("prices", Codecs.utf8())
 *         .publish(Flux.range(1, Integer.MAX_VALUE).map(i -> "price " + i));
 * // process B
 * Flux<String> prices = aperture.subscriber("prices", Codecs.utf8()).receive();
 * }</pre>
 *
 * <p>Both ends name the same directory and channel. The publisher writes {@code <channel>.ring}; each
 * subscriber writes its own {@code <channel>.sub-<i>}; each maps the other's file read-only.
 * An {@code Aperture} holds no resources: channels are opened when their Mono or Flux is subscribed.
 */
public final class Aperture {
    private final Path directory;
    private final ChannelOptions defaults;

    private Aperture(Path directory, ChannelOptions defaults) {
        this.directory = directory;
        this.defaults = defaults;
    }

    /** Sections in the default directory ({@code /dev/shm/aperture-<uid>} on Linux), default options. */
    public static Aperture create() {
        return new Aperture(ChannelFiles.defaultDirectory(), ChannelOptions.defaults());
    }

    /** Sections in {@code directory} (created with mode 0700 if missing), default options. */
    public static Aperture create(Path directory) {
        return create(directory, ChannelOptions.defaults());
    }

    /** Sections in {@code directory}, with {@code defaults} for channels opened without their own options. */
    public static Aperture create(Path directory, ChannelOptions defaults) {
        return new Aperture(Objects.requireNonNull(directory, "directory").toAbsolutePath(),
            Objects.requireNonNull(defaults, "defaults"));
    }

    public Path directory() {
        return directory;
    }

    public ChannelOptions defaults() {
        return defaults;
    }

    /** The publishing end of {@code channel}, with the default options. */
    public <T> ChannelPublisher<T> publisher(String channel, Codec<T> codec) {
        return publisher(channel, codec, defaults);
    }

    /** The publishing end of {@code channel}. */
    public <T> ChannelPublisher<T> publisher(String channel, Codec<T> codec, ChannelOptions options) {
        ChannelFiles.validateChannelName(channel);
        options.validateRing();
        RingHeader.codecNameBytes(Objects.requireNonNull(codec, "codec"));
        return new ChannelPublisher<>(directory, channel, codec, Objects.requireNonNull(options, "options"));
    }

    /**
     * The publishing end of producer {@code producerName} on {@code channel}, one of many producer processes
     * whose values a consumer merges with {@link ChannelSubscriber#receiveFromProducers(int)}. It publishes on
     * its own ordinary channel, {@code <channel>.p-<producerName>}, with the default options: each producer
     * writes only its own ring, so one that dies cannot stall the others.
     *
     * @throws IllegalArgumentException when the producer name is not 1 to 64 characters of
     *                                  {@code [A-Za-z0-9_-]} (not starting with '-'), or the two names are too long
     */
    public <T> ChannelPublisher<T> producer(String channel, String producerName, Codec<T> codec) {
        return producer(channel, producerName, codec, defaults);
    }

    /** The publishing end of producer {@code producerName} on {@code channel}, with {@code options}. */
    public <T> ChannelPublisher<T> producer(String channel, String producerName, Codec<T> codec, ChannelOptions options) {
        return publisher(ChannelFiles.producerChannel(channel, producerName), codec, options);
    }

    /** The subscribing end of {@code channel}, with the default options. */
    public <T> ChannelSubscriber<T> subscriber(String channel, Codec<T> codec) {
        return subscriber(channel, codec, defaults);
    }

    /** The subscribing end of {@code channel}. */
    public <T> ChannelSubscriber<T> subscriber(String channel, Codec<T> codec, ChannelOptions options) {
        ChannelFiles.validateChannelName(channel);
        return new ChannelSubscriber<>(directory, channel, Objects.requireNonNull(codec, "codec"),
            Objects.requireNonNull(options, "options"));
    }

    /**
     * The responding end of service {@code service}, with the default options: serves request-response,
     * request-stream, request-channel and fire-and-forget interactions from any number of requester processes
     * ({@link ServiceResponder#serve}). Requests are decoded with {@code requestCodec}, responses encoded with
     * {@code responseCodec}; the requesters use the same two.
     *
     * @throws IllegalArgumentException when the service name is not a valid channel name, or a codec's name is
     *                                  too long to be wrapped in the interaction frames' codec name
     */
    public <Q, R> ServiceResponder<Q, R> responder(String service, Codec<Q> requestCodec, Codec<R> responseCodec) {
        return responder(service, requestCodec, responseCodec, defaults);
    }

    /** The responding end of service {@code service}, its channels opened with {@code options}. */
    public <Q, R> ServiceResponder<Q, R> responder(String service, Codec<Q> requestCodec, Codec<R> responseCodec,
                                                   ChannelOptions options) {
        return new ServiceResponder<>(this, service, requestCodec, responseCodec, options);
    }

    /**
     * The requesting end of service {@code service}, as requester {@code requesterName} (unique among the
     * service's live requesters), with the default options: {@link ServiceRequester#connect()} waits up to the
     * attach timeout for the responder.
     *
     * @throws IllegalArgumentException when the requester name is not 1 to 64 characters of {@code [A-Za-z0-9_-]}
     *                                  (not starting with '-'), or the names are too long together
     */
    public <Q, R> ServiceRequester<Q, R> requester(String service, String requesterName, Codec<Q> requestCodec,
                                                   Codec<R> responseCodec) {
        return requester(service, requesterName, requestCodec, responseCodec, defaults);
    }

    /** The requesting end of service {@code service}, its channels opened with {@code options}. */
    public <Q, R> ServiceRequester<Q, R> requester(String service, String requesterName, Codec<Q> requestCodec,
                                                   Codec<R> responseCodec, ChannelOptions options) {
        return new ServiceRequester<>(this, service, requesterName, requestCodec, responseCodec, options);
    }

    @Override
    public String toString() {
        return "Aperture{" + directory + '}';
    }
}
