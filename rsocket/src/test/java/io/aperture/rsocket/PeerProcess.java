package io.aperture.rsocket;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * A child JVM on this JVM's class path whose output lines arrive in a queue, so a test blocks on the next line
 * (never sleeps and never polls). {@link #close()} kills it and its children and waits for the exit.
 */
final class PeerProcess implements AutoCloseable {
    /** Put in the queue when the child's output ends. */
    private static final String END = new String("<end of output>");

    private final Process process;
    private final BlockingQueue<String> pending = new LinkedBlockingQueue<>();
    private final List<String> all = new CopyOnWriteArrayList<>();

    private PeerProcess(Process process) {
        this.process = process;
        Thread pump = new Thread(this::pump, "peer-output-" + process.pid());
        pump.setDaemon(true);
        pump.start();
    }

    /** Starts {@code main} with {@code args} in a JVM of its own (128 MB heap, serial GC). */
    static PeerProcess start(Class<?> main, Object... args) {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
            "-Xmx128m", "-XX:+UseSerialGC", "-cp", System.getProperty("java.class.path"), main.getName()));
        for (Object arg : args) {
            command.add(String.valueOf(arg));
        }
        try {
            return new PeerProcess(new ProcessBuilder(command).redirectErrorStream(true).start());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + command, e);
        }
    }

    private void pump() {
        try (BufferedReader reader = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line = reader.readLine(); line != null; line = reader.readLine()) {
                all.add(line);
                pending.add(line);
            }
        } catch (IOException e) {
            all.add("<output failed: " + e + ">");
        } finally {
            pending.add(END);
        }
    }

    /** The next line (in order, skipping others) that matches; fails when the output ends or the time is up. */
    String awaitLine(Predicate<String> match, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            String line = pending.poll(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
            if (line == null) {
                throw new AssertionError("no matching line within " + timeout + "; output: " + all);
            }
            if (line == END) { // identity: the marker, not a child's line of the same text
                pending.add(END);
                throw new AssertionError("the child's output ended (alive: " + process.isAlive() + ") before a matching line;"
                    + " output: " + all);
            }
            if (match.test(line)) {
                return line;
            }
        }
    }

    String awaitLine(String exact, Duration timeout) throws InterruptedException {
        return awaitLine(exact::equals, timeout);
    }

    /** Every line so far. */
    List<String> output() {
        return List.copyOf(all);
    }

    /** Kills the process (as a crash would: no shutdown hooks) and waits for it to be gone. */
    void kill() throws InterruptedException {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            throw new AssertionError("pid " + process.pid() + " still runs 30 s after the kill");
        }
    }

    @Override
    public void close() {
        try {
            kill();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
