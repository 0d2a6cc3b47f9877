package io.aperture.samples;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/** Runs the demo as a user would (its own JVM, which starts two more) with a small message count. */
class PipelineDemoTest {
    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void shouldRunThePipelineAcrossTwoJvmsAndReportTheFinalLine() throws Exception {
        Process demo = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
            "-Xmx128m", "-cp", System.getProperty("java.class.path"), PipelineDemo.class.getName(),
            "--messages", "200000", "--timeout-seconds", "90")
            .redirectErrorStream(true).start();
        try {
            List<String> lines;
            try (BufferedReader out = new BufferedReader(new InputStreamReader(demo.getInputStream(), StandardCharsets.UTF_8))) {
                lines = out.lines().collect(Collectors.toList());
            }
            assertThat(demo.waitFor(100, TimeUnit.SECONDS)).isTrue();
            assertThat(demo.exitValue()).as("exit code; output %s", lines).isZero();
            assertThat(lines).anyMatch(l -> l.matches("pipeline: 200,000 messages in .* s, .* M msg/s across two JVMs, checksum OK"));
            assertThat(lines).anyMatch(l -> l.equals("[producer] published 200000 messages"));
            assertThat(demo.descendants().filter(ProcessHandle::isAlive).count()).isZero();
        } finally {
            demo.descendants().forEach(ProcessHandle::destroyForcibly);
            demo.destroyForcibly();
        }
    }
}
