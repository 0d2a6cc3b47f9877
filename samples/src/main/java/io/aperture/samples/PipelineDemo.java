package io.aperture.samples;

import io.aperture.Aperture;
import io.aperture.ChannelOptions;
import io.aperture.Codecs;
import io.aperture.Waiting;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.StandardOpenOption;
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
import java.util.concurrent.locks.LockSupport;

/**
 * A cross-process pipeline from one command: this process starts a producer JVM and one or more consumer
 * JVMs ({@code --consumers}). The producer publishes a {@code Flux<Long>} of sequence numbers on a channel
 * once every consumer is admitted; each consumer receives it as a {@code Flux<Long>}, transforms each
 * element, checks order, counts, and prints its progress once a second. This process relays the outputs,
 * prints the final lines, and ends every child whatever happens (normal end, failure, timeout or Ctrl-C).
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

    @Option(names = "--consumers", description = "Consumer JVMs, each receiving every message (default: ${DEFAULT-VALUE}).")
    int consumers = 1;

    @Option(names = "--no-double-mapping", description = "Map the ring once (records never wrap) instead of twice.")
    boolean noDoubleMapping;

    @Option(names = "--timeout-seconds", description = "Kill both children after this long (default: ${DEFAULT-VALUE}).")
    long timeoutSeconds = 120;

    public static void main(String[] args) {
        System.exit(new CommandLine(new PipelineDemo()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        Path dir = directory != null ? directory : Files.createTempDirectory(SampleChildren.sharedMemoryOrTemp(), "aperture-demo-");
        System.out.printf(Locale.ROOT, "pipeline: %,d messages over channel '%s' in %s%n", messages, CHANNEL, dir);
        List<Process> children = new ArrayList<>();
        Thread killer = new Thread(() -> children.forEach(Process::destroyForcibly), "pipeline-kill-children");
        Runtime.getRuntime().addShutdownHook(killer);
        try {
            if (consumers < 1 || consumers > 64) {
                System.out.println("pipeline: --consumers " + consumers + " not in [1, 64]");
                return 2;
            }
            List<Process> consumerProcesses = new ArrayList<>();
            for (int i = 0; i < consumers; i++) {
                consumerProcesses.add(start(children, consumers == 1 ? "consumer" : "consumer-" + (i + 1), dir));
            }
            Process producer = start(children, "producer", dir);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(timeoutSeconds);
            List<Integer> consumerExits = new ArrayList<>();
            for (Process consumer : consumerProcesses) {
                consumerExits.add(awaitExit(consumer, deadline));
            }
            int producerExit = awaitExit(producer, deadline);
            if (consumerExits.stream().anyMatch(e -> e != 0) || producerExit != 0) {
                System.out.println("pipeline: FAILED (consumer exits " + consumerExits + ", producer exit " + producerExit + ")");
                return 1;
            }
            return 0;
        } finally {
            children.forEach(Process::destroyForcibly);
            Runtime.getRuntime().removeShutdownHook(killer);
            if (directory == null) {
                SampleChildren.removeDirectory(dir);
            }
        }
    }

    private Process start(List<Process> children, String role, Path dir) throws IOException {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
            "-Xmx256m", "-XX:+UseSerialGC", "-cp", System.getProperty("java.class.path"),
            PipelineDemo.class.getName(), role.startsWith("consumer") ? "consumer" : role, "--messages",
            Long.toString(messages), "--directory", dir.toString(), "--waiting", waiting.name()));
        if (role.equals("producer")) {
            command.addAll(List.of("--consumers", Integer.toString(consumers)));
        }
        if (noDoubleMapping) {
            command.add("--no-double-mapping");
        }
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
                String tagged = role.startsWith("consumer-") && line.startsWith("pipeline:")
                    ? "pipeline: [" + role + "]" + line.substring("pipeline:".length()) : line;
                System.out.println(tagged.startsWith("pipeline:") ? tagged : "[" + role + "] " + line);
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

        @Option(names = "--consumers")
        int consumers = 1;

        @Option(names = "--no-double-mapping")
        boolean noDoubleMapping;

        @Override
        public Integer call() {
            Aperture aperture = Aperture.create(directory, ChannelOptions.defaults().withWaiting(waiting)
                .withDoubleMapping(!noDoubleMapping));
            Flux<Long> source = Flux.generate(() -> 0L, (i, sink) -> {
                if (i < messages) {
                    sink.next(i);
                } else {
                    sink.complete();
                }
                return i + 1;
            });
            if (consumers > 1) {
                // Start only once every consumer is admitted, so that each receives the whole sequence.
                source = source.delaySubscription(Mono.fromRunnable(() -> awaitConsumers(directory, consumers))
                    .subscribeOn(Schedulers.boundedElastic()));
            }
            System.out.println("publishing on '" + CHANNEL + "', waiting for " + consumers + " consumer(s)");
            aperture.publisher(CHANNEL, Codecs.longs()).publish(source).block(Duration.ofMinutes(10));
            System.out.println("published " + messages + " messages");
            return 0;
        }
    }

    /**
     * Waits until {@code consumers} subscriber sections of the channel have started (their {@code consumed}
     * word, at offset 256, left its not-started value). It reads the subscriber files, never the ring: closing
     * a descriptor of the ring in the publisher's JVM would drop its liveness lock.
     */
    static void awaitConsumers(Path directory, int consumers) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (true) {
            int started = 0;
            for (int index = 0; index < consumers; index++) {
                try (FileChannel file = FileChannel.open(directory.resolve(CHANNEL + ".sub-" + index), StandardOpenOption.READ)) {
                    ByteBuffer word = ByteBuffer.allocate(8).order(ByteOrder.nativeOrder());
                    file.read(word, 256);
                    if (word.getLong(0) != Long.MIN_VALUE) {
                        started++;
                    }
                } catch (IOException e) {
                    // not there yet
                }
            }
            if (started == consumers) {
                return;
            }
            if (System.nanoTime() - deadline > 0) {
                throw new IllegalStateException(started + " of " + consumers + " consumers admitted after 60 s");
            }
            LockSupport.parkNanos(1_000_000L);
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

        @Option(names = "--no-double-mapping")
        boolean noDoubleMapping;

        @Override
        public Integer call() {
            Aperture aperture = Aperture.create(directory, ChannelOptions.defaults()
                .withAttachTimeout(Duration.ofSeconds(60)).withWaiting(waiting).withDoubleMapping(!noDoubleMapping));
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
