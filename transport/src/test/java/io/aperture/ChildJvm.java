package io.aperture;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * A second JVM running {@link ChannelPeer}, for cross-process tests. Its standard output is collected
 * line by line so a test can await a line (never sleep on it). {@link #close()} kills it, children too.
 */
public final class ChildJvm implements AutoCloseable {
    private final Process process;
    private final List<String> lines = new CopyOnWriteArrayList<>();
    private final Thread pump;

    private ChildJvm(Process process) {
        this.process = process;
        this.pump = new Thread(this::pump, "child-stdout-" + process.pid());
        this.pump.setDaemon(true);
        this.pump.start();
    }

    /** Starts {@code ChannelPeer <role> <args...>} on this JVM's class path. */
    static ChildJvm start(String role, Object... args) {
        Object[] all = new Object[args.length + 1];
        all[0] = role;
        System.arraycopy(args, 0, all, 1, args.length);
        return start(ChannelPeer.class, all);
    }

    /** Starts {@code mainClass <args...>} in a new JVM on this JVM's class path (modest heap, serial GC). */
    public static ChildJvm start(Class<?> mainClass, Object... args) {
        return startWithHeap("256m", mainClass, args);
    }

    /** As {@link #start(String, Object...)}, with a maximum heap of {@code heap} (a {@code -Xmx} value). */
    static ChildJvm startWithHeap(String heap, String role, Object... args) {
        Object[] all = new Object[args.length + 1];
        all[0] = role;
        System.arraycopy(args, 0, all, 1, args.length);
        return startWithHeap(heap, ChannelPeer.class, all);
    }

    /**
     * As {@link #start(String, Object...)}, with the peer's sections made of {@code sections} (an
     * {@link ChannelOptions.Sections} name, read by {@link ChannelPeer}).
     */
    static ChildJvm startWithSections(ChannelOptions.Sections sections, String role, Object... args) {
        Object[] all = new Object[args.length + 1];
        all[0] = role;
        System.arraycopy(args, 0, all, 1, args.length);
        return startWithHeap("256m", List.of("-D" + ChannelPeer.SECTIONS_PROPERTY + "=" + sections.name()),
            ChannelPeer.class, all);
    }

    private static ChildJvm startWithHeap(String heap, Class<?> mainClass, Object... args) {
        return startWithHeap(heap, List.of(), mainClass, args);
    }

    /** As {@link #start(Class, Object...)}, with JVM options (such as {@code -Dname=value}) before the class. */
    public static ChildJvm startWith(List<String> jvmOptions, Class<?> mainClass, Object... args) {
        return startWithHeap("256m", jvmOptions, mainClass, args);
    }

    private static ChildJvm startWithHeap(String heap, List<String> jvmOptions, Class<?> mainClass, Object... args) {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("-Xmx" + heap);
        command.add("-XX:+UseSerialGC");
        // A crash report goes to the temporary directory, never into the checkout the build runs in.
        command.add("-XX:ErrorFile=" + Path.of(System.getProperty("java.io.tmpdir"), "aperture-hs_err_pid%p.log"));
        command.addAll(jvmOptions);
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(mainClass.getName());
        for (Object arg : args) {
            command.add(String.valueOf(arg));
        }
        try {
            return new ChildJvm(new ProcessBuilder(command).redirectErrorStream(true).start());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + command, e);
        }
    }

    private void pump() {
        try (BufferedReader reader = new BufferedReader(new InputStreamReader(process.getInputStream(),
            StandardCharsets.UTF_8))) {
            String line;
            while ((line = reader.readLine()) != null) {
                lines.add(line);
            }
        } catch (IOException e) {
            lines.add("<stdout closed: " + e + ">");
        }
    }

    public long pid() {
        return process.pid();
    }

    public List<String> lines() {
        return List.copyOf(lines);
    }

    /** Waits until a line matches, the process exits, or the timeout passes; returns the line. */
    public String awaitLine(Predicate<String> match, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        int seen = 0;
        while (true) {
            List<String> now = lines;
            for (; seen < now.size(); seen++) {
                if (match.test(now.get(seen))) {
                    return now.get(seen);
                }
            }
            if (!process.isAlive()) {
                try {
                    pump.join(TimeUnit.SECONDS.toMillis(5));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                for (String line : lines) {
                    if (match.test(line)) {
                        return line;
                    }
                }
                throw new AssertionError("child exited with " + process.exitValue() + " before the line; output: " + lines);
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("no matching line from child within " + timeout + "; output: " + lines
                    + "\nits threads:\n" + threadDump());
            }
            try {
                process.waitFor(10, TimeUnit.MILLISECONDS); // returns early when the child exits
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted", e);
            }
        }
    }

    public String awaitLineStartingWith(String prefix, Duration timeout) {
        return awaitLine(l -> l.startsWith(prefix), timeout);
    }

    /** Waits for the exit and returns the exit code; fails (and kills) when the timeout passes. */
    public int awaitExit(Duration timeout) {
        try {
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                String threads = threadDump();
                close();
                throw new AssertionError("child did not exit within " + timeout + "; output: " + lines
                    + "\nits threads:\n" + threads);
            }
            pump.join(TimeUnit.SECONDS.toMillis(5));
            return process.exitValue();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }

    /**
     * A timed join: waits up to {@code duration} for the child to exit; true when it still runs at the end.
     * For tests whose subject is a stretch of wall-clock time (CPU used while idle), not a condition.
     */
    public boolean aliveAfter(Duration duration) {
        try {
            return !process.waitFor(duration.toNanos(), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }

    /** The child's threads, as {@code jcmd PID Thread.print} prints them (for the message of a test that timed out). */
    public String threadDump() {
        Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
        try {
            Process dump = new ProcessBuilder(jcmd.toString(), String.valueOf(process.pid()), "Thread.print")
                .redirectErrorStream(true).start();
            byte[] out = dump.getInputStream().readAllBytes(); // ends when jcmd exits
            if (!dump.waitFor(30, TimeUnit.SECONDS)) {
                dump.destroyForcibly();
            }
            return new String(out, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "<no thread dump: " + e + ">";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "<no thread dump: interrupted>";
        }
    }

    /** CPU time the child used so far, all its threads, user and system (clock-tick resolution on Linux). */
    public Duration cpuTime() {
        return process.info().totalCpuDuration()
            .orElseThrow(() -> new AssertionError("no CPU time for pid " + process.pid() + " on this platform"));
    }

    /** Whether the child runs now. */
    public boolean isAlive() {
        return process.isAlive();
    }

    /** Asks the child to stop, as {@code kill -TERM} does (its shutdown hooks run). */
    public void terminate() {
        process.destroy();
    }

    @Override
    public void close() {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
        try {
            process.waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
