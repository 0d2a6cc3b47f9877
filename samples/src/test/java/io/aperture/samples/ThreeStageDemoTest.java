package io.aperture.samples;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** Runs the three-stage demo as a user would: three JVMs, every message through both hops, in order. */
class ThreeStageDemoTest {
    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void shouldCarryEveryMessageThroughBothHopsInOrder() throws Exception {
        DemoRun run = DemoRun.run(ThreeStageDemo.class, 100, "--messages", "200000", "--timeout-seconds", "90");
        List<String> lines = run.lines();
        assertThat(run.exit()).as("exit code; output %s", lines).isZero();
        assertThat(lines).anyMatch(l -> l.startsWith("three-stage: options: 200,000 messages"));
        assertThat(lines).contains("[source] source: published 200,000 messages",
            "[transform] transform: passed on 200,000 messages", "three-stage: done");
        assertThat(lines).anyMatch(l -> l.matches("\\[sink] sink: received 200,000 of 200,000 messages in order in .* s "
            + "\\(.* msg/s\\); source to sink across two hops p50 .* µs, p90 .* µs, p99 .* µs, p99\\.9 .* µs, max .* µs"));
    }
}
