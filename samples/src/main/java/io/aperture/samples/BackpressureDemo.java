package io.aperture.samples;

import io.aperture.Aperture;
import io.aperture.ChannelOptions;
import io.aperture.Codecs;
import org.HdrHistogram.Histogram;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import reactor.core.publisher.Flux;

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
 * Backpressure across processes, shown live: a producer JVM whose source could emit millions of messages a second,
 * and a consumer JVM that works {@code --work-micros} on each. The consumer's demand crosses to the producer, which
 * produces only what was asked for: each prints, once a second, its rate over that second and what was requested;
 * at the end the consumer prints the latency percentiles (production to consumption) and the producer how far ahead
 * of the consumer it ever was, which the demand window bounds.
 */
@Command(name = "backpressure", mixinStandardHelpOptions = true,
    description = "A fast producer JVM and a slow consumer JVM: the consumer's demand holds the producer back.",
    subcommands = {BackpressureDemo.Producer.class, BackpressureDemo.Consumer.class})
public final class BackpressureDemo implements Callable<Integer> {
    static final String CHANNEL = "backpressure";

    @Option(names = "--messages", description = "Messages the consumer takes (default: ${DEFAULT-VALUE}).")
    long messages = 5_000;

    @Option(names = "--work-micros", description = "The consumer's work per message, in µs (default: ${DEFAULT-VALUE}).")
    long workMicros = 1_000;

    @Option(names = "--demand-window", description = "Messages of demand that cross at a time (default: ${DEFAULT-VALUE}).")
    int demandWindow = ChannelOptions.DEFAULT_DEMAND_WINDOW;

    @Option(names = "--timeout-seconds", description = "Kill both children after this long (default: ${DEFAULT-VALUE}).")
    long timeoutSeconds = 120;

    public static void main(String[] args) {
        System.exit(new CommandLine(new BackpressureDemo()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        Path dir = Files.createTempDirectory(SampleChildren.sharedMemoryOrTemp(), "aperture-backpressure-");
        System.out.printf(Locale.ROOT, "backpressure: options: %,d messages, %,d µs of work per message, demand window %,d,"
            + " ring of %,d bytes, channel '%s' in %s%n", messages, workMicros, demandWindow,
            ChannelOptions.DEFAULT_RING_CAPACITY, CHANNEL, dir);
        try (SampleChildren children = new SampleChildren()) {
            children.start("producer", BackpressureDemo.class, List.of("producer", dir.toString(), String.valueOf(demandWindow)));
            children.start("consumer", BackpressureDemo.class, List.of("consumer", dir.toString(), String.valueOf(messages),
                String.valueOf(workMicros), String.valueOf(demandWindow)));
            List<Integer> exits = children.awaitExits(System.nanoTime() + TimeUnit.SECONDS.toNanos(timeoutSeconds));
            boolean ok = exits.stream().allMatch(code -> code == 0);
            System.out.println("backpressure: " + (ok ? "done" : "failed, exit codes " + exits));
            return ok ? 0 : 1;
        } finally {
            SampleChildren.removeDirectory(dir);
        }
    }

    @Command(name = "producer", description = "Publishes System.nanoTime() stamps as fast as it is asked to.")
    static final class Producer implements Callable<Integer> {
        @CommandLine.Parameters(index = "0") Path dir;
        @CommandLine.Parameters(index = "1") int demandWindow;

        @Override
        public Integer call() {
            Aperture aperture = Aperture.create(dir, ChannelOptions.defaults().withDemandWindow(demandWindow));
            AtomicLong requested = new AtomicLong();
            AtomicLong produced = new AtomicLong();
            long[] last = {0, System.nanoTime()};
            Thread live = SampleChildren.everySecond("producer-rates", () -> {
                long now = System.nanoTime();
                long count = produced.get();
                System.out.printf(Locale.ROOT, "produced %,d (%,.0f msg/s over the last second), requested upstream %,d%n",
                    count, (count - last[0]) * 1e9 / (now - last[1]), requested.get());
                last[0] = count;
                last[1] = now;
            });
            Flux<Long> stamps = Flux.<Long>generate(sink -> {
                produced.incrementAndGet();
                sink.next(System.nanoTime()); // CLOCK_MONOTONIC: the consumer's clock on the same machine
            }).doOnRequest(n -> requested.updateAndGet(r -> r + n < 0 ? Long.MAX_VALUE : r + n));
            aperture.publisher(CHANNEL, Codecs.longs()).publish(stamps).block(Duration.ofMinutes(10));
            live.interrupt();
            System.out.printf(Locale.ROOT, "producer: produced %,d messages, only what the consumer's demand asked for "
                + "(requested upstream: %,d)%n", produced.get(), requested.get());
            return 0;
        }
    }

    @Command(name = "consumer", description = "Takes MESSAGES stamps, working WORK µs on each.")
    static final class Consumer implements Callable<Integer> {
        @CommandLine.Parameters(index = "0") Path dir;
        @CommandLine.Parameters(index = "1") long messages;
        @CommandLine.Parameters(index = "2") long workMicros;
        @CommandLine.Parameters(index = "3") int demandWindow;

        @Override
        public Integer call() {
            Aperture aperture = Aperture.create(dir, ChannelOptions.defaults().withDemandWindow(demandWindow)
                .withAttachTimeout(Duration.ofSeconds(30)));
            Histogram latency = new Histogram(TimeUnit.MINUTES.toNanos(10), 3);
            AtomicLong received = new AtomicLong();
            Thread live = SampleChildren.rates("received", received);
            long start = System.nanoTime();
            aperture.subscriber(CHANNEL, Codecs.longs()).receive()
                .take(messages)
                .doOnNext(stamp -> {
                    synchronized (latency) {
                        latency.recordValue(Math.max(0, System.nanoTime() - stamp));
                    }
                    received.incrementAndGet();
                    LockSupport.parkNanos(workMicros * 1_000); // the consumer's work (parked: no CPU burnt for show)
                })
                .blockLast(Duration.ofMinutes(10));
            live.interrupt();
            double seconds = (System.nanoTime() - start) / 1e9;
            synchronized (latency) {
                System.out.printf(Locale.ROOT, "consumer: received %,d messages in %.1f s (%,.0f msg/s); production to "
                        + "consumption p50 %.1f ms, p90 %.1f ms, p99 %.1f ms, max %.1f ms%n", received.get(), seconds,
                    received.get() / seconds, latency.getValueAtPercentile(50) / 1e6, latency.getValueAtPercentile(90) / 1e6,
                    latency.getValueAtPercentile(99) / 1e6, latency.getMaxValue() / 1e6);
            }
            return 0;
        }
    }
}
