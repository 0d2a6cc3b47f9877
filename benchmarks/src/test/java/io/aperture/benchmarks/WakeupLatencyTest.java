package io.aperture.benchmarks;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import picocli.CommandLine;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** The wake-up benchmark runs end to end across two JVMs and leaves no child behind (a few messages, one run). */
class WakeupLatencyTest {
    @Test
    @Timeout(value = 2, unit = TimeUnit.MINUTES)
    void shouldReportEveryPercentileForTheStrategyItRan() {
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        PrintStream original = System.out;
        int exit;
        System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            exit = new CommandLine(new WakeupLatency()).execute("--messages", "200", "--warmup", "20", "--gap-us", "200",
                "--runs", "1", "--strategies", "BLOCKING,BACKOFF", "--idle-ms", "100");
        } finally {
            System.setOut(original);
        }
        String output = captured.toString(StandardCharsets.UTF_8);
        System.out.print(output);
        assertThat(exit).isZero();
        assertThat(output).containsPattern("\\| `BLOCKING` \\| [0-9.]+ \\(.*\\) \\| [0-9.]+ .*\\|")
            .contains("| `BACKOFF` |", "| Unix socket, blocking read |").doesNotContain("| `BUSY_SPIN` |");
        assertThat(ProcessHandle.current().children().filter(ProcessHandle::isAlive).count()).isZero();
    }
}
