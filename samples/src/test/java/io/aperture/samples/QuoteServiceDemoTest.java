package io.aperture.samples;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** Runs the quote service demo as a user would (its own JVM, which starts the clients) with small counts. */
class QuoteServiceDemoTest {
    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void shouldServeEveryClientProcessAndReportTheSummary() throws Exception {
        DemoRun run = DemoRun.run(QuoteServiceDemo.class, 100, "--clients", "3", "--requests", "200", "--ticks", "20", "--timeout-seconds", "90");
        List<String> lines = run.lines();
        assertThat(run.exit()).as("exit code; output %s", lines).isZero();
        assertThat(lines).as("output %s", lines)
            .anyMatch(l -> l.matches("quotes: served 606 quotes, 60 ticks in 3 stream\\(s\\) and 3 trade\\(s\\) to 3 client JVM\\(s\\) in .* s; client exits \\[0, 0, 0\\]: OK"));
        for (int i = 1; i <= 3; i++) {
            String client = "[client-" + i + "] ";
            assertThat(lines).contains(client + "done");
            assertThat(lines).anyMatch(l -> l.startsWith(client + "200 quotes (") && l.endsWith(", 0 wrong"));
            assertThat(lines).anyMatch(l -> l.startsWith(client + "unknown symbol answered: ") && l.contains("unknown symbol 'NOSUCH'"));
        }
    }
}
