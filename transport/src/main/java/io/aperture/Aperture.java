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

    /**
     * Sections in the default directory ({@code /dev/shm/aperture-<uid>} on Linux), default options.
     *
     * @return an {@code Aperture} over the default directory, with {@link ChannelOptions#defaults()}
     */
    public static Aperture create() {
        return new Aperture(ChannelFiles.defaultDirectory(), ChannelOptions.defaults());
    }

    /**
     * Sections in {@code directory} (created with mode 0700 if missing), default options.
     *
     * @param directory the directory of the sections; a relative path is made absolute now
     * @return an {@code Aperture} over {@code directory}, with {@link ChannelOptions#defaults()}
     */
    public static Aperture create(Path directory) {
        return create(directory, ChannelOptions.defaults());
    }

    /**
     * Sections in {@code directory}, with {@code defaults} for channels opened without their own options.
     *
     * @param directory the directory of the sections; a relative path is made absolute now
     * @param defaults  the options of every channel, service and producer opened without options of its own
     * @return an {@code Aperture} over {@code directory}
     * @throws NullPointerException when {@code directory} or {@code defaults} is null
     */
    public static Aperture create(Path directory, ChannelOptions defaults) {
        return new Aperture(Objects.requireNonNull(directory, "directory").toAbsolutePath(),
            Objects.requireNonNull(defaults, "defaults"));
    }

    /**
     * The directory that holds this {@code Aperture}'s sections.
     *
     * @return the absolute path of the section directory
     */
    public Path directory() {
        return directory;
    }

    /**
     * The options of the channels opened without options of their own.
     *
     * @return the default channel options given to {@link #create(Path, ChannelOptions)}
     */
    public ChannelOptions defaults() {
        return defaults;
    }

    /**
     * The publishing end of {@code channel}, with the default options.
     *
     * @param <T>     the type of the values published
     * @param channel the channel's name, which its subscribers give too
     * @param codec   encodes the values into the ring; the subscribers must use a codec of the same name
     * @return the publisher; no file is opened until its {@code publish} is subscribed
     * @throws IllegalArgumentException when {@code channel} is not a valid channel name, or the codec's name is
     *                                  too long for the ring header
     */
    public <T> ChannelPublisher<T> publisher(String channel, Codec<T> codec) {
        return publisher(channel, codec, defaults);
    }

    /**
     * The publishing end of {@code channel}.
     *
     * @param <T>     the type of the values published
     * @param channel the channel's name, which its subscribers give too
     * @param codec   encodes the values into the ring; the subscribers must use a codec of the same name
     * @param options the channel's options (ring capacity, waiting, timeouts)
     * @return the publisher; no file is opened until its {@code publish} is subscribed
     * @throws IllegalArgumentException when {@code channel} is not a valid channel name, the ring options are
     *                                  invalid, or the codec's name is too long for the ring header
     */
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
     * @param <T>          the type of the values published
     * @param channel      the merged channel's name, which the consumer gives
     * @param producerName this producer's name, unique among the channel's producers
     * @param codec        encodes the values; the consumer must use a codec of the same name
     * @return the producer's publisher
     * @throws IllegalArgumentException when the producer name is not 1 to 64 characters of
     *                                  {@code [A-Za-z0-9_-]} (not starting with '-'), or the two names are too long
     */
    public <T> ChannelPublisher<T> producer(String channel, String producerName, Codec<T> codec) {
        return producer(channel, producerName, codec, defaults);
    }

    /**
     * The publishing end of producer {@code producerName} on {@code channel}, with {@code options}; see
     * {@link #producer(String, String, Codec)}.
     *
     * @param <T>          the type of the values published
     * @param channel      the merged channel's name, which the consumer gives
     * @param producerName this producer's name, unique among the channel's producers
     * @param codec        encodes the values; the consumer must use a codec of the same name
     * @param options      the options of the producer's own channel
     * @return the producer's publisher
     * @throws IllegalArgumentException when a name is invalid or the two names are too long together
     */
    public <T> ChannelPublisher<T> producer(String channel, String producerName, Codec<T> codec, ChannelOptions options) {
        return publisher(ChannelFiles.producerChannel(channel, producerName), codec, options);
    }

    /**
     * The subscribing end of {@code channel}, with the default options.
     *
     * @param <T>     the type of the values received
     * @param channel the channel's name, as its publisher gave it
     * @param codec   decodes the values; its name must be the publisher's codec's name
     * @return the subscriber; no file is opened until its {@code receive} Flux is subscribed or it drains
     * @throws IllegalArgumentException when {@code channel} is not a valid channel name
     */
    public <T> ChannelSubscriber<T> subscriber(String channel, Codec<T> codec) {
        return subscriber(channel, codec, defaults);
    }

    /**
     * The subscribing end of {@code channel}.
     *
     * @param <T>     the type of the values received
     * @param channel the channel's name, as its publisher gave it
     * @param codec   decodes the values; its name must be the publisher's codec's name
     * @param options the subscriber's options (attach timeout, waiting, demand window)
     * @return the subscriber; no file is opened until its {@code receive} Flux is subscribed or it drains
     * @throws IllegalArgumentException when {@code channel} is not a valid channel name
     */
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
     * @param <Q>           the type of the requests
     * @param <R>           the type of the responses
     * @param service       the service's name, which its requesters give
     * @param requestCodec  decodes the requests
     * @param responseCodec encodes the responses
     * @return the responder; nothing is opened until its {@code serve} is subscribed
     * @throws IllegalArgumentException when the service name is not a valid channel name, or a codec's name is
     *                                  too long to be wrapped in the interaction frames' codec name
     */
    public <Q, R> ServiceResponder<Q, R> responder(String service, Codec<Q> requestCodec, Codec<R> responseCodec) {
        return responder(service, requestCodec, responseCodec, defaults);
    }

    /**
     * The responding end of service {@code service}, its channels opened with {@code options}; see
     * {@link #responder(String, Codec, Codec)}.
     *
     * @param <Q>           the type of the requests
     * @param <R>           the type of the responses
     * @param service       the service's name, which its requesters give
     * @param requestCodec  decodes the requests
     * @param responseCodec encodes the responses
     * @param options       the options of the service's channels
     * @return the responder; nothing is opened until its {@code serve} is subscribed
     * @throws IllegalArgumentException when the service name or a codec's name is invalid
     */
    public <Q, R> ServiceResponder<Q, R> responder(String service, Codec<Q> requestCodec, Codec<R> responseCodec,
                                                   ChannelOptions options) {
        return new ServiceResponder<>(this, service, requestCodec, responseCodec, options);
    }

    /**
     * The requesting end of service {@code service}, as requester {@code requesterName} (unique among the
     * service's live requesters), with the default options: {@link ServiceRequester#connect()} waits up to the
     * attach timeout for the responder.
     *
     * @param <Q>           the type of the requests
     * @param <R>           the type of the responses
     * @param service       the service's name, as its responder gave it
     * @param requesterName this requester's name
     * @param requestCodec  encodes the requests; the responder decodes them with a codec of the same name
     * @param responseCodec decodes the responses
     * @return the requester; nothing is opened until it connects
     * @throws IllegalArgumentException when the requester name is not 1 to 64 characters of {@code [A-Za-z0-9_-]}
     *                                  (not starting with '-'), or the names are too long together
     */
    public <Q, R> ServiceRequester<Q, R> requester(String service, String requesterName, Codec<Q> requestCodec,
                                                   Codec<R> responseCodec) {
        return requester(service, requesterName, requestCodec, responseCodec, defaults);
    }

    /**
     * The requesting end of service {@code service}, its channels opened with {@code options}; see
     * {@link #requester(String, String, Codec, Codec)}.
     *
     * @param <Q>           the type of the requests
     * @param <R>           the type of the responses
     * @param service       the service's name, as its responder gave it
     * @param requesterName this requester's name, unique among the service's live requesters
     * @param requestCodec  encodes the requests
     * @param responseCodec decodes the responses
     * @param options       the options of the requester's channels
     * @return the requester; nothing is opened until it connects
     * @throws IllegalArgumentException when a name is invalid or the names are too long together
     */
    public <Q, R> ServiceRequester<Q, R> requester(String service, String requesterName, Codec<Q> requestCodec,
                                                   Codec<R> responseCodec, ChannelOptions options) {
        return new ServiceRequester<>(this, service, requesterName, requestCodec, responseCodec, options);
    }

    @Override
    public String toString() {
        return "Aperture{" + directory + '}';
    }
}
