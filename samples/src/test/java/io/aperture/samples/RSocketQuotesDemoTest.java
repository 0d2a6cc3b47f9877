package io.aperture.samples;

import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** Runs the RSocket quote demo as a user would, once over Aperture rings and once over TCP: the same application. */
class RSocketQuotesDemoTest {
    @ParameterizedTest
    @ValueSource(strings = {"aperture", "tcp"})
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void shouldRunTheSameApplicationOverEitherTransport(String transport) throws Exception {
        DemoRun run = DemoRun.run(RSocketQuotesDemo.class, 100, "--transport", transport, "--requests", "300", "--ticks", "2000",
            "--timeout-seconds", "90");
        List<String> lines = run.lines();
        assertThat(run.exit()).as("exit code; output %s", lines).isZero();
        assertThat(lines).as("output %s", lines)
            .anyMatch(l -> l.startsWith("rsocket-quotes: serving over " + transport + " at "))
            .contains("[client] done", "rsocket-quotes: trade reported: bought 100 ACME")
            .anyMatch(l -> l.startsWith("[client] connected over " + transport + " to "))
            .anyMatch(l -> l.matches("\\[client] 300 request-responses, one at a time: p50 [0-9.]+ µs, p90 [0-9.]+ µs, p99 [0-9.]+ µs,"
                + " p99.9 [0-9.]+ µs, 0 wrong"))
            .anyMatch(l -> l.matches("\\[client] request-stream of ACME: 2,000 ticks in [0-9.]+ s \\([0-9,]+ ticks/s\\), 0 wrong"))
            .contains("[client] request-channel: 5 symbols in, 5 answers out, 0 wrong")
            .anyMatch(l -> l.startsWith("[client] unknown symbol answered: ") && l.contains("unknown symbol 'NOSUCH'"))
            .anyMatch(l -> l.matches("rsocket-quotes: over " + transport + " served 302 quotes, 2,[0-9]{3} ticks, 5 channel answers"
                + " and 1 trade\\(s\\) in [0-9.]+ s; client exit \\[0\\]: OK"));
    }
}
