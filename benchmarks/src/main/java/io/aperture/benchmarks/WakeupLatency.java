package io.aperture.benchmarks;

import io.aperture.Aperture;
import io.aperture.ChannelOptions;
import io.aperture.Codecs;
import io.aperture.Waiting;
import org.HdrHistogram.Histogram;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import reactor.core.publisher.Flux;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Wake-up latency and CPU cost of each subscriber wait strategy, across two JVMs. This JVM publishes one
 * {@code Long} (its {@code System.nanoTime()}, CLOCK_MONOTONIC, the same clock in every process) every
 * {@code --gap-us}; a child JVM receives it with the strategy under test and records
 * {@code nanoTime() - value}: the time from just before the publish to {@code onNext} in the other
 * process, with the subscriber idle in between. The child also reports its process CPU time over the
 * measured messages. Each strategy runs {@code --runs} times; the figures are the median, min and max of
 * the runs. A benchmark, not a test: it reports, it asserts nothing about time.
 *
 * <pre>
 *   mvn -B -q -pl benchmarks -am -DskipTests package
 *   java -cp benchmarks/target/benchmarks.jar io.aperture.benchmarks.WakeupLatency [--quick]
 * </pre>
 */
@Command(name = "wakeup-latency", mixinStandardHelpOptions = true,
    description = "Wake-up latency (p50/p99/p99.9) and subscriber CPU for each wait strategy, across two JVMs.",
    subcommands = WakeupLatency.Subscriber.class)
public final class WakeupLatency implements Callable<Integer> {
    private static final String CHANNEL = "wakeup";
    private static final String RESULT = "wakeup-result:";

    @Option(names = "--messages", description = "Measured messages per run (default: ${DEFAULT-VALUE}).")
    int messages = 5_000;

    @Option(names = "--warmup", description = "Messages per run before measuring (default: ${DEFAULT-VALUE}).")
    int warmup = 2_000;

    @Option(names = "--gap-us", description = "Microseconds between messages (default: ${DEFAULT-VALUE}).")
    long gapUs = 1_000;

    @Option(names = "--runs", description = "Runs per strategy (default: ${DEFAULT-VALUE}).")
    int runs = 5;

    @Option(names = "--quick", description = "1,000 measured messages, 3 runs.")
    boolean quick;

    @Option(names = "--strategies", split = ",", description = "Strategies to run (default: all).")
    List<Waiting> strategies = List.of(Waiting.values());

    public static void main(String[] args) {
        System.exit(new CommandLine(new WakeupLatency()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        if (quick) {
            messages = 1_000;
            warmup = 1_000;
            runs = 3;
        }
        System.out.printf(Locale.ROOT, "wake-up latency: %d runs x (%d warm-up + %d measured) messages, one every %d µs, "
            + "%d CPUs, %s%n", runs, warmup, messages, gapUs, Runtime.getRuntime().availableProcessors(),
            System.getProperty("java.vm.version"));
        Map<Waiting, List<double[]>> results = new EnumMap<>(Waiting.class);
        for (int run = 0; run < runs; run++) {
            for (Waiting waiting : strategies) { // interleaved, so a load change hits every strategy alike
                double[] figures = runOnce(waiting);
                results.computeIfAbsent(waiting, w -> new ArrayList<>()).add(figures);
                System.out.printf(Locale.ROOT, "  run %d %-9s p50 %8.1f µs  p99 %8.1f µs  p99.9 %8.1f µs  max %8.1f µs  "
                    + "CPU %5.1f %%%n", run + 1, waiting, figures[0], figures[1], figures[2], figures[3], figures[4]);
            }
        }
        System.out.println();
        System.out.println("| subscriber `Waiting` | p50 µs | p99 µs | p99.9 µs | subscriber CPU % of a core |");
        System.out.println("|---|---|---|---|---|");
        for (Map.Entry<Waiting, List<double[]>> e : results.entrySet()) {
            System.out.printf(Locale.ROOT, "| `%s` | %s | %s | %s | %s |%n", e.getKey(), summary(e.getValue(), 0),
                summary(e.getValue(), 1), summary(e.getValue(), 2), summary(e.getValue(), 4));
        }
        System.out.println("(median of " + runs + " runs, min to max in brackets)");
        return 0;
    }

    /** "median (min–max)" of column {@code column} over the runs. */
    private static String summary(List<double[]> runs, int column) {
        double[] values = runs.stream().mapToDouble(r -> r[column]).sorted().toArray();
        double median = values.length % 2 == 1 ? values[values.length / 2]
            : (values[values.length / 2 - 1] + values[values.length / 2]) / 2;
        return String.format(Locale.ROOT, "%.1f (%.1f–%.1f)", median, values[0], values[values.length - 1]);
    }

    /** One run: publishes here, a child JVM subscribes with {@code waiting}; returns p50, p99, p99.9, max µs and CPU %. */
    private double[] runOnce(Waiting waiting) throws Exception {
        Path directory = Files.createTempDirectory(sectionParent(), "aperture-wakeup-");
        // The publisher waits only for demand here; it blocks so that it takes no CPU from the subscriber.
        Aperture aperture = Aperture.create(directory, ChannelOptions.defaults().withWaiting(Waiting.BLOCKING));
        int total = warmup + messages;
        CompletableFuture<Void> published = aperture.publisher(CHANNEL, Codecs.longs())
            .publish(Flux.interval(Duration.ofNanos(gapUs * 1_000)).onBackpressureDrop().map(i -> System.nanoTime()))
            .toFuture();
        Process child = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
            "-Xmx128m", "-XX:+UseSerialGC", "-cp", System.getProperty("java.class.path"), WakeupLatency.class.getName(),
            "subscriber", "--directory", directory.toString(), "--waiting", waiting.name(),
            "--warmup", Integer.toString(warmup), "--messages", Integer.toString(messages))
            .redirectErrorStream(true).start();
        try {
            String result = null;
            List<String> output = new ArrayList<>();
            try (BufferedReader reader = new BufferedReader(new InputStreamReader(child.getInputStream(),
                StandardCharsets.UTF_8))) {
                String line;
                while ((line = reader.readLine()) != null) {
                    if (line.startsWith(RESULT)) {
                        result = line.substring(RESULT.length()).trim();
                    } else {
                        output.add(line);
                    }
                }
            }
            long timeoutMs = 60_000 + total * gapUs / 1_000 * 2;
            if (!child.waitFor(timeoutMs, TimeUnit.MILLISECONDS) || child.exitValue() != 0 || result == null) {
                throw new IllegalStateException("subscriber with " + waiting + " failed (exit "
                    + (child.isAlive() ? "none, killed" : child.exitValue()) + "): " + String.join("\n", output));
            }
            // The subscriber cancelled after its messages: the publish ends without error.
            published.get(30, TimeUnit.SECONDS);
            return Arrays.stream(result.split(" ")).mapToDouble(Double::parseDouble).toArray();
        } finally {
            child.destroyForcibly();
            published.cancel(true);
            try (var files = Files.list(directory)) {
                files.forEach(p -> p.toFile().delete());
            }
            Files.deleteIfExists(directory);
        }
    }

    private static Path sectionParent() {
        Path shm = Path.of("/dev/shm");
        return Files.isDirectory(shm) && Files.isWritable(shm) ? shm : Path.of(System.getProperty("java.io.tmpdir"));
    }

    /** The child JVM: receives with the strategy under test and prints one result line. */
    @Command(name = "subscriber", description = "Receives and records latency (started by wakeup-latency).")
    static final class Subscriber implements Callable<Integer> {
        @Option(names = "--directory", required = true)
        Path directory;

        @Option(names = "--waiting", required = true)
        Waiting waiting;

        @Option(names = "--warmup", required = true)
        int warmup;

        @Option(names = "--messages", required = true)
        int messages;

        @Override
        public Integer call() {
            Aperture aperture = Aperture.create(directory,
                ChannelOptions.defaults().withAttachTimeout(Duration.ofSeconds(30)).withWaiting(waiting));
            Histogram histogram = new Histogram(TimeUnit.SECONDS.toNanos(10), 3);
            com.sun.management.OperatingSystemMXBean os =
                (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
            long[] cpuStart = new long[2];
            long[] count = {0};
            long[] last = {Long.MIN_VALUE};
            aperture.subscriber(CHANNEL, Codecs.longs()).receive()
                .take(warmup + (long) messages)
                .doOnNext(sent -> {
                    long latency = System.nanoTime() - sent;
                    if (sent <= last[0]) {
                        throw new IllegalStateException("timestamps out of order: " + sent + " after " + last[0]);
                    }
                    last[0] = sent;
                    if (count[0]++ == warmup) {
                        cpuStart[0] = os.getProcessCpuTime();
                        cpuStart[1] = System.nanoTime();
                    }
                    if (count[0] > warmup) {
                        histogram.recordValue(Math.max(0, latency));
                    }
                })
                .blockLast(Duration.ofMinutes(10));
            double cpuPercent = 100.0 * (os.getProcessCpuTime() - cpuStart[0]) / (System.nanoTime() - cpuStart[1]);
            System.out.printf(Locale.ROOT, RESULT + " %.2f %.2f %.2f %.2f %.2f%n",
                histogram.getValueAtPercentile(50) / 1e3, histogram.getValueAtPercentile(99) / 1e3,
                histogram.getValueAtPercentile(99.9) / 1e3, histogram.getMaxValue() / 1e3, cpuPercent);
            return 0;
        }
    }
}
