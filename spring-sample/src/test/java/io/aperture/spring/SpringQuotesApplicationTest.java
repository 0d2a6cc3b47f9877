package io.aperture.spring;

import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Runs the Spring Boot application as a user would (its own JVM, which starts two client JVMs of the same
 * application), once per value of the one setting {@code quotes.transport}, with Netty's leak detector tracking
 * every buffer.
 */
class SpringQuotesApplicationTest {
    @ParameterizedTest
    @ValueSource(strings = {"aperture", "tcp"})
    @Timeout(value = 150, unit = TimeUnit.SECONDS)
    void shouldServeTheMessageMappingControllerOverEitherTransport(String transport) throws Exception {
        Process app = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx256m",
            "-Dio.netty.leakDetection.level=paranoid", "-cp", System.getProperty("java.class.path"), SpringQuotesApplication.class.getName(),
            "--quotes.transport=" + transport, "--quotes.clients=2", "--quotes.requests=200", "--quotes.ticks=1000",
            "--quotes.timeout-seconds=100")
            .redirectErrorStream(true).start();
        try {
            List<String> lines;
            try (BufferedReader out = new BufferedReader(new InputStreamReader(app.getInputStream(), StandardCharsets.UTF_8))) {
                lines = out.lines().collect(Collectors.toList());
            }
            lines.forEach(l -> System.out.println("  | " + l));
            assertThat(app.waitFor(120, TimeUnit.SECONDS)).isTrue();
            assertThat(app.exitValue()).as("exit code; output %s", lines).isZero();
            assertThat(lines).as("output %s", lines)
                .anyMatch(l -> l.startsWith("spring-quotes: @MessageMapping controller served over " + transport + " at "))
                .anyMatch(l -> l.matches("spring-quotes: over " + transport + " served 404 quotes, 2,[0-9]{3} ticks and 2 trade\\(s\\)"
                    + " to 2 client JVM\\(s\\) in [0-9.]+ s; client exits \\[0, 0\\]: OK"));
            for (int i = 1; i <= 2; i++) {
                String client = "[client-" + i + "] ";
                assertThat(lines).contains(client + "done")
                    .anyMatch(l -> l.matches("\\Q" + client + "\\Econnected over " + transport
                        + "; 200 quotes \\(request-response, one at a time\\): p50 [0-9.]+ µs, p90 [0-9.]+ µs, p99 [0-9.]+ µs, 0 wrong"))
                    .anyMatch(l -> l.matches("\\Q" + client + "\\E1,000 ticks of ACME \\(request-stream\\) in [0-9.]+ s, 0 wrong"))
                    .anyMatch(l -> l.startsWith(client + "unknown symbol answered: ") && l.contains("unknown symbol 'NOSUCH'"));
            }
            assertThat(lines).as("Netty's leak detector (paranoid: every buffer tracked)").noneMatch(l -> l.contains("LEAK:"));
            assertThat(lines).as("no error logged").noneMatch(l -> l.contains(" ERROR "));
            assertThat(app.descendants().filter(ProcessHandle::isAlive).count()).isZero();
        } finally {
            app.descendants().forEach(ProcessHandle::destroyForcibly);
            app.destroyForcibly();
        }
    }
}
