package io.aperture.micrometer;

import io.aperture.inspect.ChannelInspector;
import io.aperture.inspect.ChannelSnapshot;
import io.aperture.inspect.SubscriberSnapshot;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.MeterBinder;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.ToDoubleFunction;

/**
 * Micrometer meters for the channels of a section directory, read the way the {@code aperture} tool reads them: through
 * {@link ChannelInspector}, which maps each section read-only and validates what it reads, so the meters never write into
 * a channel and never hold its publisher up. Every channel of the directory is measured, whichever process publishes or
 * subscribes to it.
 *
 * <p>The meters are gauges, one row per channel (tag {@code channel}) or per subscriber (tags {@code channel} and
 * {@code subscriber}, its index). Channels come and go: {@link #refresh()} takes one snapshot of the directory and
 * updates every row (rows of channels that are gone are removed); call it before each scrape, or on a timer. A channel
 * whose sections cannot be read is left out of the rows until they can.
 *
 * <table>
 *   <caption>Meters</caption>
 *   <tr><th>name</th><th>per</th><th>value</th></tr>
 *   <tr><td>{@code aperture.channels}</td><td>directory</td><td>channels in it, read at each scrape</td></tr>
 *   <tr><td>{@code aperture.channel.published}</td><td>channel</td><td>messages published (up to the ring's end)</td></tr>
 *   <tr><td>{@code aperture.channel.subscribers}</td><td>channel</td><td>subscribers admitted and not yet gone</td></tr>
 *   <tr><td>{@code aperture.channel.subscribers.dropped}</td><td>channel</td><td>subscribers the publisher dropped as too slow</td></tr>
 *   <tr><td>{@code aperture.channel.publisher.alive}</td><td>channel</td><td>1 while its publisher's process lives, else 0</td></tr>
 *   <tr><td>{@code aperture.subscriber.delivered}</td><td>subscriber</td><td>messages it delivered downstream</td></tr>
 *   <tr><td>{@code aperture.subscriber.lag}</td><td>subscriber</td><td>messages published and not yet delivered to it</td></tr>
 *   <tr><td>{@code aperture.subscriber.lag.bytes}</td><td>subscriber</td><td>bytes of ring between its position and the end</td></tr>
 *   <tr><td>{@code aperture.subscriber.outstanding}</td><td>subscriber</td><td>demand requested and not yet served (unbounded: +Inf)</td></tr>
 *   <tr><td>{@code aperture.subscriber.alive}</td><td>subscriber</td><td>1 while its process lives, else 0: a peer death</td></tr>
 *   <tr><td>{@code aperture.subscriber.parked}</td><td>subscriber</td><td>1 while its drain thread sleeps on the ring</td></tr>
 * </table>
 */
public final class ApertureMetrics implements MeterBinder {
    private final ChannelInspector inspector;
    private final List<Row<ChannelSnapshot>> channelRows = new ArrayList<>();
    private final List<Row<Subscriber>> subscriberRows = new ArrayList<>();

    /** A subscriber section and the channel it belongs to. */
    private record Subscriber(String channel, SubscriberSnapshot snapshot) {
    }

    private record Row<S>(MultiGauge gauge, ToDoubleFunction<S> value) {
    }

    /**
     * Meters for the channels of {@code directory} (for example {@code aperture.directory()}).
     *
     * @param directory the section directory whose channels are measured; it is read only when the meters are bound
     *                  or refreshed
     */
    public ApertureMetrics(Path directory) {
        this.inspector = ChannelInspector.open(Objects.requireNonNull(directory, "directory"));
    }

    @Override
    public synchronized void bindTo(MeterRegistry registry) {
        channel(registry, "aperture.channel.published", "messages published", "messages", s -> s.publishedExact());
        channel(registry, "aperture.channel.subscribers", "subscribers admitted and not yet gone", "subscribers",
            s -> s.subscriberCount());
        channel(registry, "aperture.channel.subscribers.dropped", "subscribers dropped as too slow", "subscribers",
            s -> s.droppedSubscribers());
        channel(registry, "aperture.channel.publisher.alive", "1 while the publisher's process lives", null,
            s -> s.publisherAlive() ? 1 : 0);
        subscriber(registry, "aperture.subscriber.delivered", "messages delivered downstream", "messages",
            s -> s.delivered());
        subscriber(registry, "aperture.subscriber.lag", "messages published and not yet delivered", "messages",
            s -> s.lagMessages());
        subscriber(registry, "aperture.subscriber.lag.bytes", "bytes of ring between its position and the end", "bytes",
            s -> s.lagBytes());
        subscriber(registry, "aperture.subscriber.outstanding", "demand requested and not yet served", "messages",
            s -> s.outstanding() == Long.MAX_VALUE ? Double.POSITIVE_INFINITY : s.outstanding());
        subscriber(registry, "aperture.subscriber.alive", "1 while the subscriber's process lives", null,
            s -> s.alive() ? 1 : 0);
        subscriber(registry, "aperture.subscriber.parked", "1 while its drain thread sleeps on the ring", null,
            s -> s.parked() ? 1 : 0);
        Gauge.builder("aperture.channels", inspector, i -> i.channels().size())
            .description("channels in the section directory").register(registry);
        refresh();
    }

    private void channel(MeterRegistry registry, String name, String description, String unit,
                         ToDoubleFunction<ChannelSnapshot> value) {
        channelRows.add(new Row<>(MultiGauge.builder(name).description(description).baseUnit(unit).register(registry),
            value));
    }

    private void subscriber(MeterRegistry registry, String name, String description, String unit,
                            ToDoubleFunction<SubscriberSnapshot> value) {
        subscriberRows.add(new Row<>(MultiGauge.builder(name).description(description).baseUnit(unit).register(registry),
            s -> value.applyAsDouble(s.snapshot())));
    }

    /**
     * Takes one snapshot of the directory and updates every meter's rows to it: new channels and subscribers get rows,
     * those that are gone lose theirs. Reads each section once; writes nothing.
     */
    public synchronized void refresh() {
        List<ChannelSnapshot> channels = inspector.list().stream().filter(ChannelSnapshot::readable).toList();
        List<Subscriber> subscribers = new ArrayList<>();
        for (ChannelSnapshot channel : channels) {
            for (SubscriberSnapshot subscriber : channel.subscribers()) {
                if (subscriber.problem() == null && subscriber.currentSession()) {
                    subscribers.add(new Subscriber(channel.channel(), subscriber));
                }
            }
        }
        for (Row<ChannelSnapshot> row : channelRows) {
            row.gauge().register(channels.stream()
                .map(c -> MultiGauge.Row.of(Tags.of("channel", c.channel()), row.value().applyAsDouble(c)))
                .toList(), true);
        }
        for (Row<Subscriber> row : subscriberRows) {
            row.gauge().register(subscribers.stream()
                .map(s -> MultiGauge.Row.of(Tags.of("channel", s.channel(), "subscriber",
                    String.valueOf(s.snapshot().index())), row.value().applyAsDouble(s)))
                .toList(), true);
        }
    }
}
