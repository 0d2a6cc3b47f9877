package io.aperture.samples;

import io.aperture.Aperture;
import io.aperture.ChannelOptions;
import io.aperture.Codecs;
import io.aperture.Waiting;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import reactor.core.publisher.Flux;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A cross-process pipeline from one command: this process starts a producer JVM and a consumer JVM.
 * The producer publishes a {@code Flux<Long>} of sequence numbers on a channel; the consumer receives it
 * as a {@code Flux<Long>}, transforms each element, checks order, counts, and prints its progress once a
 * second. This process relays both outputs, prints the final line, and ends both children whatever
 * happens (normal end, failure, timeout or Ctrl-C).
 */
@Command(name = "pipeline", mixinStandardHelpOptions = true,
    description = "Runs a producer JVM and a consumer JVM connected by an Aperture channel.",
    subcommands = {PipelineDemo.Producer.class, PipelineDemo.Consumer.class})
public final class PipelineDemo implements Callable<Integer> {
    static final String CHANNEL = "pipeline";

    @Option(names = "--messages", description = "Messages to send (default: ${DEFAULT-VALUE}).")
    long messages = 50_000_000L;

    @Option(names = "--directory", description = "Section directory (default: a fresh one in the default place).")
    Path directory;

    @Option(names = "--waiting", description = "Wait strategy of both ends: ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}).")
    Waiting waiting = Waiting.BLOCKING;

    @Option(names = "--timeout-seconds", description = "Kill both children after this long (default: ${DEFAULT-VALUE}).")
    long timeoutSeconds = 120;

    public static void main(String[] args) {
        System.exit(new CommandLine(new PipelineDemo()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        Path dir = directory != null ? directory : Files.createTempDirectory(defaultParent(), "aperture-demo-");
        System.out.printf(Locale.ROOT, "pipeline: %,d messages over channel '%s' in %s%n", messages, CHANNEL, dir);
        List<Process> children = new ArrayList<>();
        Thread killer = new Thread(() -> children.forEach(Process::destroyForcibly), "pipeline-kill-children");
        Runtime.getRuntime().addShutdownHook(killer);
        try {
            Process consumer = start(children, "consumer", dir);
            Process producer = start(children, "producer", dir);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(timeoutSeconds);
            int consumerExit = awaitExit(consumer, deadline);
            int producerExit = awaitExit(producer, deadline);
            if (consumerExit != 0 || producerExit != 0) {
                System.out.println("pipeline: FAILED (consumer exit " + consumerExit + ", producer exit " + producerExit + ")");
                return 1;
            }
            return 0;
        } finally {
            children.forEach(Process::destroyForcibly);
            Runtime.getRuntime().removeShutdownHook(killer);
            if (directory == null) {
                try (var files = Files.list(dir)) {
                    files.forEach(p -> p.toFile().delete());
                }
                Files.deleteIfExists(dir);
            }
        }
    }

    private static Path defaultParent() {
        Path shm = Path.of("/dev/shm");
        return Files.isDirectory(shm) && Files.isWritable(shm) ? shm : Path.of(System.getProperty("java.io.tmpdir"));
    }

    private Process start(List<Process> children, String role, Path dir) throws IOException {
        List<String> command = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
            "-Xmx256m", "-XX:+UseSerialGC", "-cp", System.getProperty("java.class.path"),
            PipelineDemo.class.getName(), role, "--messages", Long.toString(messages), "--directory", dir.toString(),
            "--waiting", waiting.name());
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        children.add(process);
        Thread relay = new Thread(() -> relay(process, role), "pipeline-relay-" + role);
        relay.setDaemon(true);
        relay.start();
        return process;
    }

    private static void relay(Process process, String role) {
        try (BufferedReader reader = new BufferedReader(new InputStreamReader(process.getInputStream(),
            StandardCharsets.UTF_8))) {
            String line;
            while ((line = reader.readLine()) != null) {
                System.out.println(line.startsWith("pipeline:") ? line : "[" + role + "] " + line);
            }
        } catch (IOException e) {
            System.out.println("[" + role + "] output closed: " + e);
        }
    }

    private static int awaitExit(Process process, long deadlineNs) throws InterruptedException {
        long remaining = deadlineNs - System.nanoTime();
        if (remaining <= 0 || !process.waitFor(remaining, TimeUnit.NANOSECONDS)) {
            process.destroyForcibly();
            System.out.println("pipeline: timed out, child " + process.pid() + " killed");
            return -1;
        }
        return process.exitValue();
    }

    /** The producer JVM: publishes 0..messages-1 as a {@code Flux<Long>}. */
    @Command(name = "producer", description = "Publishes the sequence (started by the pipeline).")
    static final class Producer implements Callable<Integer> {
        @Option(names = "--messages", required = true)
        long messages;

        @Option(names = "--directory", required = true)
        Path directory;

        @Option(names = "--waiting")
        Waiting waiting = Waiting.BLOCKING;

        @Override
        public Integer call() {
            Aperture aperture = Aperture.create(directory, ChannelOptions.defaults().withWaiting(waiting));
            Flux<Long> source = Flux.generate(() -> 0L, (i, sink) -> {
                if (i < messages) {
                    sink.next(i);
                } else {
                    sink.complete();
                }
                return i + 1;
            });
            System.out.println("publishing on '" + CHANNEL + "', waiting for the consumer");
            aperture.publisher(CHANNEL, Codecs.longs()).publish(source).block(Duration.ofMinutes(10));
            System.out.println("published " + messages + " messages");
            return 0;
        }
    }

    /** The consumer JVM: receives, transforms, checks order, counts, and reports. */
    @Command(name = "consumer", description = "Receives and checks the sequence (started by the pipeline).")
    static final class Consumer implements Callable<Integer> {
        @Option(names = "--messages", required = true)
        long messages;

        @Option(names = "--directory", required = true)
        Path directory;

        @Option(names = "--waiting")
        Waiting waiting = Waiting.BLOCKING;

        @Override
        public Integer call() {
            Aperture aperture = Aperture.create(directory,
                ChannelOptions.defaults().withAttachTimeout(Duration.ofSeconds(60)).withWaiting(waiting));
            AtomicLong count = new AtomicLong();
            AtomicLong expected = new AtomicLong();
            long start = System.nanoTime();
            var progress = Flux.interval(Duration.ofSeconds(1)).subscribe(t -> {
                double seconds = (System.nanoTime() - start) / 1e9;
                System.out.printf(Locale.ROOT, "received %,d messages (%.2f M msg/s)%n", count.get(),
                    count.get() / seconds / 1e6);
            });
            long checksum;
            try {
                checksum = aperture.subscriber(CHANNEL, Codecs.longs()).receive()
                    .doOnNext(v -> {
                        if (v != expected.getAndIncrement()) {
                            throw new IllegalStateException("out of order: expected " + (expected.get() - 1) + " got " + v);
                        }
                    })
                    .map(v -> v * 2 + 1)                    // the transformation: odd numbers
                    .doOnNext(v -> count.incrementAndGet())
                    .reduce(0L, Long::sum)
                    .block(Duration.ofMinutes(10));
            } finally {
                progress.dispose();
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            long expectedChecksum = messages * messages; // sum of the first n odd numbers
            boolean ok = count.get() == messages && checksum == expectedChecksum;
            System.out.printf(Locale.ROOT, "pipeline: %,d messages in %.2f s, %.2f M msg/s across two JVMs, checksum %s%n",
                count.get(), seconds, count.get() / seconds / 1e6, ok ? "OK" : "WRONG (" + checksum + ")");
            return ok ? 0 : 2;
        }
    }
}
