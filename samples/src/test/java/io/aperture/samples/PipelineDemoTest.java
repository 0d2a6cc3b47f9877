package io.aperture.samples;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** Runs the demo as a user would (its own JVM, which starts two more) with a small message count. */
class PipelineDemoTest {
    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void shouldRunThePipelineAcrossTwoJvmsAndReportTheFinalLine() throws Exception {
        DemoRun run = DemoRun.run(PipelineDemo.class, 100, "--messages", "200000", "--timeout-seconds", "90");
        List<String> lines = run.lines();
        assertThat(run.exit()).as("exit code; output %s", lines).isZero();
        assertThat(lines).anyMatch(l -> l.matches("pipeline: 200,000 messages in .* s, .* M msg/s across two JVMs, checksum OK"));
        assertThat(lines).anyMatch(l -> l.equals("[producer] published 200000 messages"));
    }
}
