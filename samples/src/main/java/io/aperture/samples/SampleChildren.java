package io.aperture.samples;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * The child JVMs a sample starts: each on this JVM's class path, its output relayed line by line as
 * {@code [name] line}; all are killed on {@link #close()} and on Ctrl-C (a shutdown hook), whatever happened.
 */
final class SampleChildren implements AutoCloseable {
    private final List<Process> processes = new CopyOnWriteArrayList<>();
    private final Thread killer = new Thread(this::killAll, "sample-kill-children");

    SampleChildren() {
        Runtime.getRuntime().addShutdownHook(killer);
    }

    /** Starts {@code main} with {@code args} in a new JVM ({@code -Xmx128m}, serial GC), relaying its output as {@code [name] ...}. */
    Process start(String name, Class<?> main, List<String> args) throws IOException {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
            "-Xmx128m", "-XX:+UseSerialGC", "-cp", System.getProperty("java.class.path"), main.getName()));
        command.addAll(args);
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        processes.add(process);
        Thread relay = new Thread(() -> {
            try (BufferedReader reader = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line = reader.readLine(); line != null; line = reader.readLine()) {
                    System.out.println("[" + name + "] " + line);
                }
            } catch (IOException e) {
                System.out.println("[" + name + "] output closed: " + e);
            }
        }, "sample-relay-" + name);
        relay.setDaemon(true);
        relay.start();
        return process;
    }

    /**
     * Waits for every child to exit, until {@code deadlineNanos} ({@link System#nanoTime()}); returns their exit codes
     * in start order, -1 for one killed at the deadline.
     */
    List<Integer> awaitExits(long deadlineNanos) throws InterruptedException {
        List<Integer> exits = new ArrayList<>();
        for (Process child : processes) {
            long remaining = deadlineNanos - System.nanoTime();
            if (remaining <= 0 || !child.waitFor(remaining, TimeUnit.NANOSECONDS)) {
                child.destroyForcibly();
                System.out.println("timed out, child " + child.pid() + " killed");
                exits.add(-1);
            } else {
                exits.add(child.exitValue());
            }
        }
        return exits;
    }

    /** Runs {@code line} once a second on a daemon thread named {@code name}, until that thread is interrupted. */
    static Thread everySecond(String name, Runnable line) {
        Thread thread = new Thread(() -> {
            while (!Thread.currentThread().isInterrupted()) {
                java.util.concurrent.locks.LockSupport.parkNanos(TimeUnit.SECONDS.toNanos(1));
                line.run();
            }
        }, name);
        thread.setDaemon(true);
        thread.start();
        return thread;
    }

    /** Prints {@code what}, the count and its rate over the last second, once a second ({@link #everySecond}). */
    static Thread rates(String what, java.util.concurrent.atomic.AtomicLong count) {
        long[] last = {0, System.nanoTime()};
        return everySecond("rates", () -> {
            long now = System.nanoTime();
            long n = count.get();
            System.out.printf(java.util.Locale.ROOT, "%s %,d (%,.0f msg/s over the last second)%n", what, n,
                (n - last[0]) * 1e9 / (now - last[1]));
            last[0] = n;
            last[1] = now;
        });
    }

    /** /dev/shm when usable (Aperture's default place on Linux), else the JDK temp directory. */
    static Path sharedMemoryOrTemp() {
        Path shm = Path.of("/dev/shm");
        return java.nio.file.Files.isDirectory(shm) && java.nio.file.Files.isWritable(shm) ? shm
            : Path.of(System.getProperty("java.io.tmpdir"));
    }

    /** Removes a section directory the sample created, and the files its processes left in it. */
    static void removeDirectory(Path directory) throws IOException {
        try (var files = java.nio.file.Files.list(directory)) {
            files.forEach(p -> p.toFile().delete());
        }
        java.nio.file.Files.deleteIfExists(directory);
    }

    private void killAll() {
        processes.forEach(Process::destroyForcibly);
    }

    @Override
    public void close() {
        killAll();
        try {
            Runtime.getRuntime().removeShutdownHook(killer);
        } catch (IllegalStateException e) {
            // already shutting down: the hook runs anyway
        }
    }
}
