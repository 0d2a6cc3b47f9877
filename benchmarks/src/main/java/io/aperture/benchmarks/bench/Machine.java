package io.aperture.benchmarks.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.concurrent.TimeUnit;

/**
 * What the figures were measured on.
 *
 * @param cores    available processors
 * @param cpu      model name from /proc/cpuinfo
 * @param jdk      vendor and runtime version
 * @param os       name, version, architecture
 * @param date     when the run started (UTC)
 * @param commit   the git commit of the worktree, if known
 * @param loadAtStart the 1, 5 and 15 minute load averages when the run started (other work on the machine)
 */
public record Machine(int cores, String cpu, String jdk, String os, String date, String commit, String loadAtStart) {

    static Machine describe() {
        return new Machine(Runtime.getRuntime().availableProcessors(), cpuModel(),
            System.getProperty("java.vm.vendor") + " " + System.getProperty("java.vm.name") + " "
                + System.getProperty("java.runtime.version"),
            System.getProperty("os.name") + " " + System.getProperty("os.version") + " " + System.getProperty("os.arch"),
            Instant.now().truncatedTo(ChronoUnit.SECONDS).toString(), gitCommit(), loadAverage());
    }

    String summary() {
        return cores + " cores, " + cpu + ", " + jdk;
    }

    /** The 1, 5 and 15 minute load averages from /proc/loadavg, or "unknown". */
    static String loadAverage() {
        try {
            String[] parts = Files.readString(Path.of("/proc/loadavg"), StandardCharsets.US_ASCII).trim().split(" ");
            return parts[0] + " " + parts[1] + " " + parts[2];
        } catch (IOException | RuntimeException e) {
            return "unknown";
        }
    }

    private static String cpuModel() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"), StandardCharsets.UTF_8)) {
                if (line.startsWith("model name")) {
                    return line.substring(line.indexOf(':') + 1).trim();
                }
            }
        } catch (IOException | RuntimeException e) {
            // not Linux
        }
        return "unknown (" + System.getProperty("os.arch") + ")";
    }

    private static String gitCommit() {
        try {
            Process git = new ProcessBuilder("git", "rev-parse", "--short", "HEAD").redirectErrorStream(true).start();
            String out = new String(git.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            if (git.waitFor(5, TimeUnit.SECONDS) && git.exitValue() == 0) {
                return out;
            }
            git.destroyForcibly();
        } catch (IOException e) {
            // no git
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return "unknown";
    }
}
