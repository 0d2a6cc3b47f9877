package io.aperture;

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

    ChannelSubscriber(Path directory, String channel, Codec<T> codec, ChannelOptions options) {
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
     */
    public Flux<T> receive() {
        return new ReceiveFlux();
    }

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
