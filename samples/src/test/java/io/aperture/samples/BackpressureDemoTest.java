package io.aperture.samples;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/** Runs the backpressure demo as a user would: the producer produces only what the slow consumer asked for. */
class BackpressureDemoTest {
    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void shouldHoldTheFastProducerToTheSlowConsumersDemand() throws Exception {
        DemoRun run = DemoRun.run(BackpressureDemo.class, 100, "--messages", "2000", "--work-micros", "1000",
            "--timeout-seconds", "90");
        List<String> lines = run.lines();
        assertThat(run.exit()).as("exit code; output %s", lines).isZero();
        assertThat(lines).anyMatch(l -> l.startsWith("backpressure: options: 2,000 messages, 1,000 µs of work per message"));
        assertThat(lines).anyMatch(l -> l.matches("\\[consumer] received [0-9,]+ \\([0-9,]+ msg/s over the last second\\)"));
        assertThat(lines).anyMatch(l -> l.matches("\\[consumer] consumer: received 2,000 messages in .* p50 .* ms, p90 .* ms, p99 .* ms, max .* ms"));
        String produced = lines.stream().filter(l -> l.startsWith("[producer] producer: produced ")).findFirst()
            .orElseThrow(() -> new AssertionError("no producer summary in " + lines));
        Matcher m = Pattern.compile("produced ([0-9,]+) messages").matcher(produced);
        assertThat(m.find()).isTrue();
        long count = Long.parseLong(m.group(1).replace(",", ""));
        assertThat(count).as("what the fast producer produced: never beyond the consumer's demand").isEqualTo(2_000L);
        assertThat(lines).contains("backpressure: done");
    }
}
