package io.aperture;

import io.aperture.internal.bridge.PublisherSession;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Mono;

import java.nio.file.Path;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

/**
 * The publishing end of a channel.
 *
 * @param <T> the type of values
 */
public final class ChannelPublisher<T> {
    private final Path directory;
    private final String channel;
    private final Codec<T> codec;
    private final ChannelOptions options;

    ChannelPublisher(Path directory, String channel, Codec<T> codec, ChannelOptions options) {
        this.directory = directory;
        this.channel = channel;
        this.codec = codec;
        this.options = options;
    }

    /**
     * Publishes {@code source} on the channel. On subscription the ring is created (failing at once if a
     * live publisher holds the channel, or the directory cannot be written); once a first subscriber is
     * admitted and its first demand has crossed, {@code source} is subscribed and asked only for what the
     * remote subscriber requested (so a source that emits on subscription, such as {@code Flux.interval},
     * never emits before there is demand for it).
     *
     * <p>The returned Mono completes when {@code source} completed and its completion was written to the
     * ring, or when the subscriber cancelled or died (the source is then cancelled); it fails with the
     * source's error (after writing it to the ring) or with a transport failure. Cancelling it cancels
     * the source and closes the channel: the subscriber then fails. The cancel returns once the ring file is
     * gone (it waits at most four liveness intervals, at least a second); a JVM that shuts down (SIGTERM,
     * {@code System.exit}) closes its channels the same way.
     *
     * @param source the values to publish; subscribed once, when the first subscriber's demand has crossed
     * @return a Mono that opens the channel when subscribed and ends with the stream, as described above
     */
    public Mono<Void> publish(Publisher<? extends T> source) {
        return publish(source, session -> { });
    }

    /**
     * Publishes {@code source} as {@link #publish} does, and says how each subscriber's part ended: the Mono emits a
     * {@link PublishReport} when {@code publish}'s Mono would complete, with one {@link SubscriberEnd} per subscriber
     * that was admitted (completed, cancelled, failed with its own exception's text, died, dropped, or attached when
     * the channel ended) or refused the channel before admission (its codec is not the channel's, with its reason).
     * It fails as {@code publish} fails.
     *
     * <pre>{@code
     * PublishReport report = aperture.publisher("prices", Codecs.longs())
     *     .publishReport(Flux.range(0, 100).map(Integer::longValue))
     *     .block();
     * for (SubscriberEnd end : report.subscribers()) {
     *     System.out.println("subscriber " + end.index() + " (pid " + end.pid() + "): " + end.kind() + " " + end.detail());
     * }
     * }</pre>
     *
     * @param source the values to publish, as for {@link #publish}
     * @return a Mono of the report, emitted when the stream ended
     */
    public Mono<PublishReport> publishReport(Publisher<? extends T> source) {
        Objects.requireNonNull(source, "source");
        return Mono.defer(() -> {
            AtomicReference<PublisherSession<T>> started = new AtomicReference<>();
            return publish(source, started::set).then(Mono.fromSupplier(() -> started.get().report()));
        });
    }

    private Mono<Void> publish(Publisher<? extends T> source, Consumer<PublisherSession<T>> onStart) {
        Objects.requireNonNull(source, "source");
        return Mono.create(sink -> {
            PublisherSession<T> session = new PublisherSession<>(directory, channel, codec, options, source, sink,
                false);
            onStart.accept(session);
            sink.onDispose(session::close);
            session.start();
        });
    }

    /**
     * The raw ring API's publisher: creates the ring now (failing at once as {@link #publish} would) and
     * returns a {@link RingPublisher} through which the calling thread writes messages in place, with no
     * Reactor in the data path. Writes wait for a first subscriber; close it to end the channel.
     *
     * @return the raw publisher, owning the ring until it is closed
     */
    public RingPublisher<T> open() {
        return new RingPublisher<>(this);
    }

    Path directory() {
        return directory;
    }

    Codec<T> codec() {
        return codec;
    }

    ChannelOptions options() {
        return options;
    }

    /**
     * The name of the channel this end publishes on.
     *
     * @return the channel's name
     */
    public String channel() {
        return channel;
    }

    @Override
    public String toString() {
        return "ChannelPublisher{" + channel + " in " + directory + ", codec " + codec.name() + '}';
    }
}
