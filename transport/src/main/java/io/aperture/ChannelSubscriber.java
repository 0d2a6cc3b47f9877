package io.aperture;

import io.aperture.internal.bridge.SubscriberSession;
import io.aperture.internal.composite.ProducerMerge;
import reactor.core.CoreSubscriber;
import reactor.core.publisher.Flux;

import java.nio.file.Path;

/**
 * The subscribing end of a channel.
 *
 * @param <T> the type of values
 */
public final class ChannelSubscriber<T> {
    private final Path directory;
    private final String channel;
    private final Codec<T> codec;
    private final ChannelOptions options;

    /**
     * The subscribing end of {@code channel} in {@code directory};
     * {@link Aperture#subscriber(String, Codec, ChannelOptions)} checks the channel's name and makes one. Opens
     * nothing until {@link #receive()} is subscribed or {@link #drain} is called.
     *
     * @param directory the section directory
     * @param channel   the channel's name
     * @param codec     decodes the values; its name must be the publisher's codec's name
     * @param options   the subscriber's options
     */
    public ChannelSubscriber(Path directory, String channel, Codec<T> codec, ChannelOptions options) {
        this.directory = directory;
        this.channel = channel;
        this.codec = codec;
        this.options = options;
    }

    /**
     * The channel's values. Each subscription attaches anew: it waits up to the attach timeout for the
     * publisher, then receives what is published from then on. Signals come from one thread per
     * subscription ({@code aperture-sub-<channel>}). The remote upstream produces no more than this
     * Flux's downstream requested; {@code cancel()} cancels it in the publisher process.
     *
     * <p>Errors: {@link RemoteException} when the publisher's source failed, {@link ApertureException}
     * when the publisher died or closed the channel without completing, or the channel did not appear in
     * time, {@link IncompatibleChannelException} for another codec or layout, and
     * {@link CorruptSectionException} when the ring holds invalid data.
     *
     * @return a cold Flux of the channel's values: each subscription is a new subscriber of the channel
     */
    public Flux<T> receive() {
        return new ReceiveFlux();
    }

    /** One producer's channel of this channel, as {@link #receive()} receives it, with this subscriber's codec and options. */
    private Flux<T> receiveProducer(String producerChannel) {
        return new ChannelSubscriber<>(directory, producerChannel, codec, options).receive();
    }

    /**
     * The raw ring API's subscriber: starts a drain that hands each value to {@code handler} on one thread
     * ({@code aperture-sub-<channel>}), with no Reactor operator in the path. Its demand is unbounded;
     * otherwise it attaches, is admitted and fails exactly as {@link #receive()} does. {@link RingDrain#close()}
     * cancels it.
     *
     * @param handler receives each value, then the completion or the error, on the drain thread
     * @return the running drain, to await or close
     */
    public RingDrain drain(MessageHandler<? super T> handler) {
        java.util.Objects.requireNonNull(handler, "handler");
        return new RingDrain(directory, channel, codec, options, handler);
    }

    /**
     * The values of every producer of this channel ({@link Aperture#producer(String, String, Codec)}), merged:
     * each producer's values in its order, producers interleaved as they come. Producers that start later are
     * found within a liveness interval (one directory listing per interval, on
     * {@link reactor.core.scheduler.Schedulers#boundedElastic()}); each is received as its own channel, with
     * its own drain thread, attached at {@link ChannelOptions.JoinAt} like any subscriber.
     *
     * <p>Demand: each producer gets a prefetch of {@link ChannelOptions#demandWindow()} from the merge,
     * replenished as the downstream consumes its values, so no producer runs further ahead than that.
     *
     * <p>A producer whose channel fails (its process died, it closed without completing, its source failed,
     * its ring is a leftover that never admits within the attach timeout, or it sent invalid data) is dropped
     * and logged as a warning on the {@code io.aperture.internal.composite.ProducerMerge} logger: this Flux does not fail for it.
     * It completes once at least {@code minProducers} producers (by name) joined (delivered a value or completed), none
     * is still being received, and a directory listing after that found no new one; it fails only when the
     * directory cannot be listed. Signals come from the producers' drain threads, serially (§1.3).
     *
     * @param minProducers how many producers must join before this Flux may complete, at least 1
     *                     ({@code Integer.MAX_VALUE}: never complete)
     *
     * @return the merged values of the producers
     */
    public Flux<T> receiveFromProducers(int minProducers) {
        return new ProducerMerge<T, T>(directory, channel, this::receiveProducer, options, minProducers,
            (producer, value) -> value).flux();
    }

    /**
     * As {@link #receiveFromProducers(int)}, each value with the name of the producer that published it.
     *
     * @param minProducers how many producers must join before this Flux may complete, at least 1
     * @return the merged values, each with its producer's name
     */
    public Flux<Produced<T>> receiveFromProducersTagged(int minProducers) {
        return new ProducerMerge<T, Produced<T>>(directory, channel, this::receiveProducer, options, minProducers,
            Produced::new).flux();
    }

    /**
     * The name of the channel this end subscribes to.
     *
     * @return the channel's name
     */
    public String channel() {
        return channel;
    }

    @Override
    public String toString() {
        return "ChannelSubscriber{" + channel + " in " + directory + ", codec " + codec.name() + '}';
    }

    private final class ReceiveFlux extends Flux<T> {
        @Override
        public void subscribe(CoreSubscriber<? super T> actual) {
            new SubscriberSession<>(directory, channel, codec, options, actual).start();
        }
    }
}
