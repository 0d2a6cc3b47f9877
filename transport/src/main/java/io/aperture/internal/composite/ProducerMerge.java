package io.aperture.internal.composite;

import io.aperture.ApertureException;
import io.aperture.ChannelOptions;
import io.aperture.internal.section.ChannelFiles;
import io.aperture.internal.section.SectionLocks;
import io.aperture.internal.section.SectionPlatform;
import reactor.core.publisher.Flux;
import reactor.core.publisher.FluxSink;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;
import reactor.util.Logger;
import reactor.util.Loggers;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiFunction;
import java.util.function.Function;

/**
 * The consuming end of a channel with many producers: one ordinary channel per producer,
 * {@code <channel>.p-<producer>}, each received with {@link io.aperture.ChannelSubscriber#receive()} and merged.
 *
 * <p>Per subscription, a task on {@link Schedulers#boundedElastic()} lists the directory once per liveness
 * interval for {@code <channel>.p-*.ring} and subscribes each new ring file (a new name, or a new file under
 * a known name: a restarted producer). It only lists and stats: where OFD locks are unavailable
 * ({@link SectionLocks}), opening and closing a ring would drop the POSIX lock of a producer in this JVM. The rings are merged with {@code flatMap} (unbounded concurrency,
 * prefetch = the demand window), so each producer's order is kept and each producer runs ahead of this
 * Flux's downstream by at most the prefetch plus its own demand window.
 *
 * <p>A producer whose channel fails (it died, closed without completing, its source failed, its ring is a
 * stale leftover that never admits, its data is corrupt or its codec differs) is dropped with a warning on
 * the {@code io.aperture.internal.composite.ProducerMerge} logger; the merged Flux goes on. It completes at the first scan that
 * finds no new ring while no producer is being received and at least {@code minProducers} producer names
 * <em>joined</em> (delivered a value or completed).
 */
public final class ProducerMerge<T, R> {
    private static final Logger LOG = Loggers.getLogger(ProducerMerge.class);

    private final Path directory;
    private final String channel;
    /** Receives one producer's channel, given its name ({@code <channel>.p-<producer>}). */
    private final Function<String, Flux<T>> receive;
    private final ChannelOptions options;
    private final int minProducers;
    private final BiFunction<String, T, R> tag;

    /**
     * @param receive receives one producer's channel by name: the channel API's {@code receive()}, so that this
     *                layer is built on that API and does not make its own subscribers
     */
    public ProducerMerge(Path directory, String channel, Function<String, Flux<T>> receive, ChannelOptions options,
                         int minProducers, BiFunction<String, T, R> tag) {
        if (minProducers < 1) {
            throw new IllegalArgumentException("min producers " + minProducers + " < 1");
        }
        this.directory = directory;
        this.channel = channel;
        this.receive = receive;
        this.options = options;
        this.minProducers = minProducers;
        this.tag = tag;
    }

    public Flux<R> flux() {
        return Flux.defer(() -> Flux.<Flux<R>>create(new Discovery()::start)
            .flatMap(inner -> inner, Integer.MAX_VALUE, options.demandWindow()));
    }

    /** One producer ring file as found by a scan; one inner subscription. */
    private static final class Producer {
        final String name;
        final Object fileKey;
        /** Set when the inner subscription ended (any signal); read by the scan thread. */
        volatile boolean ended;
        // inner subscription's thread only
        long received;
        boolean joined;

        Producer(String name, Object fileKey) {
            this.name = name;
            this.fileKey = fileKey;
        }
    }

    /** The state of one subscription of the merged Flux. */
    private final class Discovery implements Runnable {
        // scan thread only (runs of a periodic task never overlap)
        private final Map<String, Producer> producers = new HashMap<>();
        private FluxSink<Flux<R>> sink;
        private boolean done;
        /** Inner subscriptions not yet ended. */
        private final AtomicInteger active = new AtomicInteger();
        /** Names of the producers that delivered a value or completed (a restarted producer counts once). */
        private final Set<String> joined = ConcurrentHashMap.newKeySet();

        void start(FluxSink<Flux<R>> sink) {
            this.sink = sink;
            long intervalNs = options.livenessInterval().toNanos();
            sink.onDispose(Schedulers.boundedElastic().schedulePeriodically(this, 0, intervalNs, TimeUnit.NANOSECONDS));
        }

        @Override
        public void run() {
            if (done || sink.isCancelled()) {
                return;
            }
            try {
                int added = scan();
                // An inner joins before it ends (same thread, both volatile writes): read active first.
                if (added == 0 && active.get() == 0 && joined.size() >= minProducers) {
                    done = true;
                    sink.complete();
                }
            } catch (Throwable t) {
                done = true;
                sink.error(t);
            }
        }

        /** Subscribes every ring file not seen before; returns how many. */
        private int scan() throws IOException {
            Set<String> listed = new HashSet<>();
            int added = 0;
            try {
                for (Path path : SectionPlatform.current().names(directory)) {
                    String name = ChannelFiles.producerOfRing(channel, path.getFileName().toString());
                    if (name == null) {
                        continue; // another channel's section, or not one of this channel's producer rings
                    }
                    listed.add(name);
                    Object key = identity(path);
                    Producer known = producers.get(name);
                    if (key == null || known != null && key.equals(known.fileKey)) {
                        continue; // gone, or already subscribed (or ended: a stale or lingering ring)
                    }
                    Producer producer = new Producer(name, key);
                    producers.put(name, producer);
                    active.incrementAndGet();
                    added++;
                    LOG.debug("channel '{}': producer '{}' found ({})", channel, name, path.getFileName());
                    sink.next(inner(producer));
                }
            } catch (IOException e) {
                throw new ApertureException("channel '" + channel + "': cannot list producers in " + directory + ": " + e, e);
            }
            // A name whose file is gone and whose inner ended is forgotten, so that a file reusing the inode is new.
            producers.values().removeIf(p -> p.ended && !listed.contains(p.name));
            return added;
        }

        private Flux<R> inner(Producer producer) {
            String producerChannel = channel + ChannelFiles.PRODUCER_INFIX + producer.name;
            return receive.apply(producerChannel)
                .map(value -> {
                    producer.received++;
                    join(producer);
                    return tag.apply(producer.name, value);
                })
                .doOnComplete(() -> {
                    join(producer);
                    LOG.debug("channel '{}': producer '{}' completed after {} message(s)", channel, producer.name,
                        producer.received);
                })
                .onErrorResume(e -> {
                    LOG.warn("channel '{}': producer '{}' dropped after {} message(s): {}", channel, producer.name,
                        producer.received, e.toString());
                    return Mono.empty();
                })
                .doFinally(signal -> {
                    producer.ended = true;
                    active.decrementAndGet();
                });
        }

        private void join(Producer producer) {
            if (!producer.joined) {
                producer.joined = true;
                joined.add(producer.name);
            }
        }
    }

    /** The file's identity (inode where there is one), or null when it is gone. */
    private static Object identity(Path path) {
        try {
            BasicFileAttributes attributes = Files.readAttributes(path, BasicFileAttributes.class);
            return attributes.fileKey() != null ? attributes.fileKey() : attributes.creationTime();
        } catch (IOException e) {
            return null;
        }
    }
}
