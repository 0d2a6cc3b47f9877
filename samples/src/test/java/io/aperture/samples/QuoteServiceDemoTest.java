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

/** Runs the quote service demo as a user would (its own JVM, which starts the clients) with small counts. */
class QuoteServiceDemoTest {
    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void shouldServeEveryClientProcessAndReportTheSummary() throws Exception {
        Process demo = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
            "-Xmx128m", "-cp", System.getProperty("java.class.path"), QuoteServiceDemo.class.getName(),
            "--clients", "3", "--requests", "200", "--ticks", "20", "--timeout-seconds", "90")
            .redirectErrorStream(true).start();
        try {
            List<String> lines;
            try (BufferedReader out = new BufferedReader(new InputStreamReader(demo.getInputStream(), StandardCharsets.UTF_8))) {
                lines = out.lines().collect(Collectors.toList());
            }
            assertThat(demo.waitFor(100, TimeUnit.SECONDS)).isTrue();
            assertThat(demo.exitValue()).as("exit code; output %s", lines).isZero();
            assertThat(lines).as("output %s", lines)
                .anyMatch(l -> l.matches("quotes: served 603 quotes, 60 ticks in 3 stream\\(s\\) and 3 trade\\(s\\) to 3 client JVM\\(s\\) in .* s; client exits \\[0, 0, 0\\]: OK"));
            for (int i = 1; i <= 3; i++) {
                String client = "[client-" + i + "] ";
                assertThat(lines).contains(client + "done");
                assertThat(lines).anyMatch(l -> l.startsWith(client + "200 quotes (") && l.endsWith(", 0 wrong"));
                assertThat(lines).anyMatch(l -> l.startsWith(client + "unknown symbol answered: ") && l.contains("unknown symbol 'NOSUCH'"));
            }
            assertThat(demo.descendants().filter(ProcessHandle::isAlive).count()).isZero();
        } finally {
            demo.descendants().forEach(ProcessHandle::destroyForcibly);
            demo.destroyForcibly();
        }
    }
}
