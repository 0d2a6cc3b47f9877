package io.aperture.benchmarks;

import io.aperture.Aperture;
import io.aperture.ChannelOptions;
import io.aperture.Codecs;
import io.aperture.Waiting;
import org.HdrHistogram.Histogram;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import reactor.core.publisher.Flux;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

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
    subcommands = {WakeupLatency.Subscriber.class, WakeupLatency.UdsSubscriber.class})
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

    @Option(names = "--idle-ms", description = "Milliseconds with no message after the measured ones, for the idle CPU (default: ${DEFAULT-VALUE}).")
    long idleMs = 1_000;

    @Option(names = "--quick", description = "1,000 measured messages, 3 runs, 500 ms idle.")
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
            idleMs = 500;
        }
        System.out.printf(Locale.ROOT, "wake-up latency: %d runs x (%d warm-up + %d measured) messages, one every %d µs, "
            + "%d CPUs, %s%n", runs, warmup, messages, gapUs, Runtime.getRuntime().availableProcessors(),
            System.getProperty("java.vm.version"));
        Map<String, List<double[]>> results = new java.util.LinkedHashMap<>();
        for (int run = 0; run < runs; run++) {
            for (Waiting waiting : strategies) { // interleaved, so a load change hits every strategy alike
                print(run, "`" + waiting + "`", runOnce(waiting), results);
            }
            print(run, "Unix socket, blocking read", measureUds(warmup, messages, gapUs, idleMs), results);
        }
        System.out.println();
        System.out.println("| subscriber `Waiting` | p50 µs | p99 µs | p99.9 µs | CPU % of a core, busy | CPU %, idle |");
        System.out.println("|---|---|---|---|---|---|");
        for (Map.Entry<String, List<double[]>> e : results.entrySet()) {
            System.out.printf(Locale.ROOT, "| %s | %s | %s | %s | %s | %s |%n", e.getKey(), summary(e.getValue(), 0),
                summary(e.getValue(), 1), summary(e.getValue(), 2), summary(e.getValue(), 4), summary(e.getValue(), 5));
        }
        System.out.println("(median of " + runs + " runs, min to max in brackets)");
        return 0;
    }

    private static void print(int run, String name, double[] figures, Map<String, List<double[]>> results) {
        results.computeIfAbsent(name, w -> new ArrayList<>()).add(figures);
        System.out.printf(Locale.ROOT, "  run %d %-28s p50 %8.1f µs  p99 %8.1f µs  p99.9 %8.1f µs  max %8.1f µs  "
            + "CPU %5.1f %% busy, %5.2f %% idle%n", run + 1, name, figures[0], figures[1], figures[2], figures[3],
            figures[4], figures[5]);
    }

    /**
     * One run of strategy {@code waiting}, for the bench runner: p50, p99, p99.9 and max in µs, then the
     * subscriber process's CPU in % of a core over the measured messages ("busy": one every {@code gapUs}) and over
     * the {@code idleMs} with none that follow them.
     */
    public static double[] measure(Waiting waiting, int warmup, int messages, long gapUs, long idleMs) throws Exception {
        WakeupLatency w = new WakeupLatency();
        w.warmup = warmup;
        w.messages = messages;
        w.gapUs = gapUs;
        w.idleMs = idleMs;
        return w.runOnce(waiting);
    }

    /**
     * The same figures for the kernel's own blocking hand-off: a child JVM blocked in {@code read} on a Unix domain
     * socket, woken by this JVM's write of its {@code System.nanoTime()} every {@code gapUs}. The peer a user
     * would otherwise pick for an idle, blocking subscriber.
     */
    public static double[] measureUds(int warmup, int messages, long gapUs, long idleMs) throws Exception {
        Path directory = Files.createTempDirectory(sectionParent(), "aperture-wakeup-uds-");
        Path socket = directory.resolve("wakeup.sock");
        int total = warmup + messages;
        try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            server.bind(UnixDomainSocketAddress.of(socket));
            Process child = startChild("uds-subscriber", "--socket", socket.toString(),
                "--warmup", Integer.toString(warmup), "--messages", Integer.toString(messages));
            try {
                CompletableFuture<String> result = readResult(child, "uds subscriber");
                try (SocketChannel connection = accept(server, child)) {
                    ByteBuffer word = ByteBuffer.allocateDirect(Long.BYTES);
                    for (int i = 0; i <= total && child.isAlive(); i++) {
                        // The last one after the idle time: it ends the child's idle CPU measurement.
                        LockSupport.parkNanos(i < total ? gapUs * 1_000 : idleMs * 1_000_000);
                        word.clear();
                        word.putLong(0, System.nanoTime());
                        while (word.hasRemaining()) {
                            connection.write(word);
                        }
                    }
                }
                return parse(result.get(timeoutMs(total, gapUs, idleMs), TimeUnit.MILLISECONDS));
            } finally {
                child.destroyForcibly();
            }
        } finally {
            Files.deleteIfExists(socket);
            Files.deleteIfExists(directory);
        }
    }

    /** How long a run may take: its messages at twice their spacing, the idle time, and a minute for the JVM. */
    private static long timeoutMs(int total, long gapUs, long idleMs) {
        return 60_000 + total * gapUs / 1_000 * 2 + idleMs;
    }

    /** The child's connection, or a failure when it exits or 60 s pass first (a blocking accept would wait forever). */
    private static SocketChannel accept(ServerSocketChannel server, Process child) throws IOException {
        server.configureBlocking(false);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (true) {
            SocketChannel connection = server.accept();
            if (connection != null) {
                connection.configureBlocking(true);
                return connection;
            }
            if (!child.isAlive() || System.nanoTime() - deadline > 0) {
                throw new IOException("uds subscriber did not connect (" + (child.isAlive() ? "60 s passed" : "it exited with "
                    + child.exitValue()) + ")");
            }
            LockSupport.parkNanos(1_000_000L); // polls for the connection: once, at the start of a run
        }
    }

    private static Process startChild(String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
            "-Xmx128m", "-XX:+UseSerialGC", "-cp", System.getProperty("java.class.path"), WakeupLatency.class.getName()));
        command.addAll(List.of(args));
        return new ProcessBuilder(command).redirectErrorStream(true).start();
    }

    /** The child's result line, or a failure with its output once it exits without one. */
    private static CompletableFuture<String> readResult(Process child, String name) {
        CompletableFuture<String> result = new CompletableFuture<>();
        Thread pump = new Thread(() -> {
            List<String> output = new ArrayList<>();
            try (BufferedReader reader = new BufferedReader(new InputStreamReader(child.getInputStream(),
                StandardCharsets.UTF_8))) {
                String line;
                while ((line = reader.readLine()) != null) {
                    if (line.startsWith(RESULT)) {
                        result.complete(line.substring(RESULT.length()).trim());
                    } else {
                        output.add(line);
                    }
                }
            } catch (IOException e) {
                output.add(e.toString());
            }
            result.completeExceptionally(new IllegalStateException(name + " ended without a result: "
                + String.join("\n", output)));
        }, "wakeup-pump");
        pump.setDaemon(true);
        pump.start();
        return result;
    }

    private static double[] parse(String result) {
        return Arrays.stream(result.split(" ")).mapToDouble(Double::parseDouble).toArray();
    }

    /**
     * Records latencies after the warm-up, the process CPU over the measured messages, and over the idle time before
     * the one extra message that ends it (not recorded); prints the result line.
     */
    private static final class Recorder {
        private final int warmup;
        private final int total;
        private final Histogram histogram = new Histogram(TimeUnit.SECONDS.toNanos(10), 3);
        private final com.sun.management.OperatingSystemMXBean os =
            (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        private long cpuStart;
        private long wallStart;
        private double busyCpu;
        private double idleCpu;
        private long count;
        private long last = Long.MIN_VALUE;

        Recorder(int warmup, int messages) {
            this.warmup = warmup;
            this.total = warmup + messages;
        }

        /** Messages to take: the warm-up, the measured ones, and the one after the idle time. */
        long expected() {
            return total + 1L;
        }

        /** The CPU share since the last mark, and a new mark. */
        private double cpuSinceMark() {
            long cpu = os.getProcessCpuTime();
            long wall = System.nanoTime();
            double share = 100.0 * (cpu - cpuStart) / (wall - wallStart);
            cpuStart = cpu;
            wallStart = wall;
            return share;
        }

        void record(long sent) {
            long latency = System.nanoTime() - sent;
            if (sent <= last) {
                throw new IllegalStateException("timestamps out of order: " + sent + " after " + last);
            }
            last = sent;
            count++;
            if (count == warmup + 1) {
                cpuSinceMark(); // the first measured message: the busy time starts
            }
            if (count > warmup && count <= total) {
                histogram.recordValue(Math.max(0, latency));
            }
            if (count == total) {
                busyCpu = cpuSinceMark(); // the idle time starts
            } else if (count == total + 1) {
                idleCpu = cpuSinceMark();
            }
        }

        void print() {
            System.out.printf(Locale.ROOT, RESULT + " %.2f %.2f %.2f %.2f %.2f %.3f%n",
                histogram.getValueAtPercentile(50) / 1e3, histogram.getValueAtPercentile(99) / 1e3,
                histogram.getValueAtPercentile(99.9) / 1e3, histogram.getMaxValue() / 1e3, busyCpu, idleCpu);
        }
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
            .publish(Flux.interval(Duration.ofNanos(gapUs * 1_000)).onBackpressureDrop().map(i -> System.nanoTime())
                .take(total) // then nothing for the idle time, and one last message that ends it
                .concatWith(reactor.core.publisher.Mono.delay(Duration.ofMillis(idleMs)).map(i -> System.nanoTime())))
            .toFuture();
        Process child = startChild("subscriber", "--directory", directory.toString(), "--waiting", waiting.name(),
            "--warmup", Integer.toString(warmup), "--messages", Integer.toString(messages));
        try {
            String result = readResult(child, "subscriber with " + waiting).get(timeoutMs(total, gapUs, idleMs),
                TimeUnit.MILLISECONDS);
            // The subscriber cancelled after its messages: the publish ends without error.
            published.get(30, TimeUnit.SECONDS);
            return parse(result);
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

    /** The message counts both child JVMs take (a picocli mixin). */
    static final class Counts {
        @Option(names = "--warmup", required = true)
        int warmup;

        @Option(names = "--messages", required = true)
        int messages;

        Recorder recorder() {
            return new Recorder(warmup, messages);
        }
    }

    /** The child JVM: receives with the strategy under test and prints one result line. */
    @Command(name = "subscriber", description = "Receives and records latency (started by wakeup-latency).")
    static final class Subscriber implements Callable<Integer> {
        @Option(names = "--directory", required = true)
        Path directory;

        @Option(names = "--waiting", required = true)
        Waiting waiting;

        @Mixin
        Counts counts;

        @Override
        public Integer call() {
            Aperture aperture = Aperture.create(directory,
                ChannelOptions.defaults().withAttachTimeout(Duration.ofSeconds(30)).withWaiting(waiting));
            Recorder recorder = counts.recorder();
            aperture.subscriber(CHANNEL, Codecs.longs()).receive()
                .take(recorder.expected())
                .doOnNext(recorder::record)
                .blockLast(Duration.ofMinutes(10));
            recorder.print();
            return 0;
        }
    }

    /** The child JVM of {@link #measureUds}: reads timestamps, blocking, from a Unix domain socket. */
    @Command(name = "uds-subscriber", description = "Blocking reads from a Unix domain socket (started by measureUds).")
    static final class UdsSubscriber implements Callable<Integer> {
        @Option(names = "--socket", required = true)
        Path socket;

        @Mixin
        Counts counts;

        @Override
        public Integer call() throws IOException {
            Recorder recorder = counts.recorder();
            try (SocketChannel channel = SocketChannel.open(UnixDomainSocketAddress.of(socket))) {
                ByteBuffer word = ByteBuffer.allocateDirect(Long.BYTES);
                for (long i = 0; i < recorder.expected(); i++) {
                    word.clear();
                    while (word.hasRemaining()) {
                        if (channel.read(word) < 0) {
                            throw new IOException("socket closed after " + i + " messages");
                        }
                    }
                    recorder.record(word.getLong(0));
                }
            }
            recorder.print();
            return 0;
        }
    }
}
