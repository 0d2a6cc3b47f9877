package io.aperture.samples;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/** A sample run as a user would: its own JVM (which starts the others), its whole output, its exit code. */
record DemoRun(List<String> lines, int exit) {
    /** Runs {@code main args...}; asserts that it exited within {@code seconds} and left no child process running. */
    static DemoRun run(Class<?> main, long seconds, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
            "-Xmx128m", "-cp", System.getProperty("java.class.path"), main.getName()));
        command.addAll(List.of(args));
        Process demo = new ProcessBuilder(command).redirectErrorStream(true).start();
        try {
            List<String> lines;
            try (BufferedReader out = new BufferedReader(new InputStreamReader(demo.getInputStream(), StandardCharsets.UTF_8))) {
                lines = out.lines().collect(Collectors.toList()); // ends when the demo and its children closed their output
            }
            assertThat(demo.waitFor(seconds, TimeUnit.SECONDS)).as("exited; output %s", lines).isTrue();
            assertThat(demo.descendants().filter(ProcessHandle::isAlive).count()).as("children left running").isZero();
            lines.forEach(l -> System.out.println("  | " + l)); // the demo's output, in the build log
            return new DemoRun(lines, demo.exitValue());
        } finally {
            demo.descendants().forEach(ProcessHandle::destroyForcibly);
            demo.destroyForcibly();
        }
    }
}
