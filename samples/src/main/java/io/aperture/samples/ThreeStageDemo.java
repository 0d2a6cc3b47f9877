package io.aperture.samples;

import io.aperture.Aperture;
import io.aperture.ChannelOptions;
import io.aperture.Codec;
import org.HdrHistogram.Histogram;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import reactor.core.publisher.Flux;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * A pipeline of three processes: a {@code source} JVM publishes stamped sequence numbers on channel {@code raw}; a
 * {@code transform} JVM receives them as a {@code Flux}, doubles each value and publishes the result on channel
 * {@code doubled}; a {@code sink} JVM receives those, checks each is the next one, and measures the time from the
 * source to itself across both hops. Demand crosses both hops back to the source. Each stage prints its rate over the
 * last second; the sink ends with the latency percentiles.
 */
@Command(name = "three-stage", mixinStandardHelpOptions = true,
    description = "Source, transform and sink JVMs connected by two Aperture channels.",
    subcommands = {ThreeStageDemo.Source.class, ThreeStageDemo.Transform.class, ThreeStageDemo.Sink.class})
public final class ThreeStageDemo implements Callable<Integer> {
    @Option(names = "--messages", description = "Messages through the pipeline (default: ${DEFAULT-VALUE}).")
    long messages = 1_000_000;

    @Option(names = "--timeout-seconds", description = "Kill the stages after this long (default: ${DEFAULT-VALUE}).")
    long timeoutSeconds = 120;

    public static void main(String[] args) {
        System.exit(new CommandLine(new ThreeStageDemo()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        Path dir = Files.createTempDirectory(SampleChildren.sharedMemoryOrTemp(), "aperture-three-stage-");
        ChannelOptions options = options();
        System.out.printf(Locale.ROOT, "three-stage: options: %,d messages; source -> 'raw' -> transform (x2) -> "
                + "'doubled' -> sink; rings of %,d bytes, demand window %,d, waiting %s; in %s%n", messages,
            options.ringCapacity(), options.demandWindow(), options.waiting(), dir);
        try (SampleChildren stages = new SampleChildren()) {
            stages.start("sink", ThreeStageDemo.class, List.of("sink", dir.toString(), String.valueOf(messages)));
            stages.start("transform", ThreeStageDemo.class, List.of("transform", dir.toString()));
            stages.start("source", ThreeStageDemo.class, List.of("source", dir.toString(), String.valueOf(messages)));
            List<Integer> exits = stages.awaitExits(System.nanoTime() + TimeUnit.SECONDS.toNanos(timeoutSeconds));
            boolean ok = exits.stream().allMatch(code -> code == 0);
            System.out.println("three-stage: " + (ok ? "done" : "failed, exit codes " + exits));
            return ok ? 0 : 1;
        } finally {
            SampleChildren.removeDirectory(dir);
        }
    }

    static ChannelOptions options() {
        return ChannelOptions.defaults().withAttachTimeout(Duration.ofSeconds(30));
    }

    /** A value and the source's {@code System.nanoTime()} when it was made (CLOCK_MONOTONIC, one per machine). */
    record Stamped(long value, long stampNanos) {
    }

    /** 16 bytes: the value, then the stamp. */
    static final Codec<Stamped> STAMPED = new Codec<>() {
        @Override
        public String name() {
            return "sample:stamped";
        }

        @Override
        public void encode(Stamped s, ByteBuffer window) {
            window.putLong(s.value()).putLong(s.stampNanos());
        }

        @Override
        public Stamped decode(ByteBuffer window) {
            if (window.remaining() != 16) {
                throw new IllegalArgumentException("sample:stamped needs 16 bytes, got " + window.remaining());
            }
            return new Stamped(window.getLong(), window.getLong());
        }
    };

    @Command(name = "source", description = "Publishes MESSAGES stamped sequence numbers on 'raw'.")
    static final class Source implements Callable<Integer> {
        @CommandLine.Parameters(index = "0") Path dir;
        @CommandLine.Parameters(index = "1") long messages;

        @Override
        public Integer call() {
            AtomicLong produced = new AtomicLong();
            Thread live = SampleChildren.rates("source: produced", produced);
            Flux<Stamped> source = Flux.<Stamped, Long>generate(() -> 0L, (i, sink) -> {
                if (i < messages) {
                    sink.next(new Stamped(i, System.nanoTime()));
                    produced.incrementAndGet();
                } else {
                    sink.complete();
                }
                return i + 1;
            });
            Aperture.create(dir, options()).publisher("raw", STAMPED).publish(source).block(Duration.ofMinutes(10));
            live.interrupt();
            System.out.printf(Locale.ROOT, "source: published %,d messages%n", produced.get());
            return 0;
        }
    }

    @Command(name = "transform", description = "Receives 'raw', doubles each value, publishes on 'doubled'.")
    static final class Transform implements Callable<Integer> {
        @CommandLine.Parameters(index = "0") Path dir;

        @Override
        public Integer call() {
            Aperture aperture = Aperture.create(dir, options());
            AtomicLong passed = new AtomicLong();
            Thread live = SampleChildren.rates("transform: passed on", passed);
            Flux<Stamped> doubled = aperture.subscriber("raw", STAMPED).receive()
                .map(s -> new Stamped(2 * s.value(), s.stampNanos()))
                .doOnNext(s -> passed.incrementAndGet());
            aperture.publisher("doubled", STAMPED).publish(doubled).block(Duration.ofMinutes(10));
            live.interrupt();
            System.out.printf(Locale.ROOT, "transform: passed on %,d messages%n", passed.get());
            return 0;
        }
    }

    @Command(name = "sink", description = "Receives MESSAGES from 'doubled', checks their order, measures their latency.")
    static final class Sink implements Callable<Integer> {
        @CommandLine.Parameters(index = "0") Path dir;
        @CommandLine.Parameters(index = "1") long messages;

        @Override
        public Integer call() {
            Histogram latency = new Histogram(TimeUnit.MINUTES.toNanos(10), 3);
            AtomicLong received = new AtomicLong();
            long[] next = {0};
            Thread live = SampleChildren.rates("sink: received", received);
            long start = System.nanoTime();
            Aperture.create(dir, options()).subscriber("doubled", STAMPED).receive()
                .doOnNext(s -> {
                    if (s.value() != 2 * next[0]) {
                        throw new IllegalStateException("expected " + 2 * next[0] + ", got " + s.value());
                    }
                    next[0]++;
                    latency.recordValue(Math.max(0, System.nanoTime() - s.stampNanos()));
                    received.incrementAndGet();
                })
                .blockLast(Duration.ofMinutes(10));
            live.interrupt();
            double seconds = (System.nanoTime() - start) / 1e9;
            System.out.printf(Locale.ROOT, "sink: received %,d of %,d messages in order in %.2f s (%,.0f msg/s); source to "
                    + "sink across two hops p50 %.1f µs, p90 %.1f µs, p99 %.1f µs, p99.9 %.1f µs, max %.1f µs%n",
                received.get(), messages, seconds, received.get() / seconds, latency.getValueAtPercentile(50) / 1e3,
                latency.getValueAtPercentile(90) / 1e3, latency.getValueAtPercentile(99) / 1e3,
                latency.getValueAtPercentile(99.9) / 1e3, latency.getMaxValue() / 1e3);
            return received.get() == messages ? 0 : 1;
        }
    }
}
