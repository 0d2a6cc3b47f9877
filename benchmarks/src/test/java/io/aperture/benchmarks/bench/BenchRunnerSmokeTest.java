package io.aperture.benchmarks.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** Runs the bench runner end to end in its tiny mode: every transport, every scenario, one run each. */
class BenchRunnerSmokeTest {

    @Test
    @Timeout(value = 180, unit = TimeUnit.SECONDS) // about 70 s on 2 cores, with the interaction scenarios
    void smokeRunMeasuresEveryTransportAndLeavesNoChildBehind(@TempDir Path dir) throws Exception {
        Set<Long> before = new HashSet<>();
        ProcessHandle.current().descendants().forEach(p -> before.add(p.pid()));

        int exit = BenchRunner.execute("--smoke", "--out", dir.toString(), "--docs", dir.resolve("docs").toString());

        assertThat(exit).isZero();
        JsonNode results = new ObjectMapper().readTree(dir.resolve("results.json").toFile());
        Set<String> measured = new HashSet<>();
        for (JsonNode f : results.get("figures")) {
            measured.add(f.get("scenario").asText() + "/" + f.get("transport").asText());
            if (f.get("metric").asText().startsWith("cpu-")) {
                assertThat(f.get("median").asDouble()).as(f.toString()).isNotNegative(); // an idle process may round to 0
            } else {
                assertThat(f.get("median").asDouble()).as(f.toString()).isPositive();
            }
        }
        assertThat(measured).contains(
            "throughput-8B-unbounded/aperture", "throughput-8B-unbounded/reactor",
            "throughput-8B-unbounded/aeron", "throughput-8B-unbounded/uds",
            "throughput-8B-unbounded/rsocket", "throughput-8B-unbounded/ring", "throughput-8B-window256/ring",
            "throughput-8B-window256/aperture", "throughput-8B-window256/uds", "throughput-8B-window256/rsocket",
            "pingpong-8B/aperture", "pingpong-8B/ring", "pingpong-8B/aeron", "pingpong-8B/uds", "pingpong-8B/rsocket",
            "bandwidth-1MiB/aperture", "bandwidth-1MiB/uds",
            "wakeup-BLOCKING/aperture", "wakeup-BLOCKING/uds", "wakeup-BACKOFF/aperture", "wakeup-YIELDING/aperture",
            "wakeup-BUSY_SPIN/aperture",
            "rr-8B/interactions", "rr-8B/rsocket-aperture", "rr-8B/rsocket", "rr-8B/rsocket-local", "rr-8B/aeron",
            "rstream-8B/interactions", "rstream-8B/rsocket-aperture", "rstream-8B/rsocket", "rstream-8B/rsocket-local",
            "rstream-8B/aeron");
        Set<String> rrMetrics = new HashSet<>();
        for (JsonNode f : results.get("figures")) {
            if (f.get("scenario").asText().equals("rr-8B") && f.get("transport").asText().equals("rsocket-aperture")) {
                rrMetrics.add(f.get("metric").asText());
            }
        }
        assertThat(rrMetrics).containsExactlyInAnyOrder("p50", "p90", "p99", "p99.9");
        Set<String> interactionRatios = new HashSet<>();
        for (JsonNode r : results.get("ratios")) {
            if (r.get("scenario").asText().startsWith("r")) {
                interactionRatios.add(r.get("scenario").asText() + " " + r.get("metric").asText() + " " + r.get("own").asText()
                    + "/" + r.get("peer").asText());
            }
        }
        assertThat(interactionRatios).contains("rr-8B p50 interactions/aeron", "rr-8B p50 rsocket-aperture/rsocket",
            "rstream-8B throughput interactions/rsocket", "rstream-8B throughput rsocket-aperture/rsocket",
            "rr-8B p50 rsocket-aperture/rsocket-local", "rstream-8B throughput rsocket-aperture/rsocket-local");
        assertThat(results.get("ratios").size()).isPositive();
        String doc = Files.readString(dir.resolve("docs").resolve("performance.md"));
        assertThat(doc).contains("smoke run", "RSocket over TCP", "images/perf-throughput.png",
            "images/perf-latency.png", "Wake-up latency and CPU per wait strategy", "| wakeup-BLOCKING | cpu-idle |",
            "## Interactions: request-response round trip and request-stream throughput",
            "| rr-8B | p99.9 | RSocket over Aperture (2 JVMs) |", "| rstream-8B | throughput | Aperture interactions (2 JVMs) |",
            "| rstream-8B | throughput | RSocket over its in-JVM transport (1 JVM) |");
        assertThat(dir.resolve("docs").resolve("images").resolve("perf-throughput.png")).isNotEmptyFile();
        assertThat(dir.resolve("docs").resolve("images").resolve("perf-latency.png")).isNotEmptyFile();

        // every child JVM is gone (they are killed and waited for before the runner returns)
        assertThat(ProcessHandle.current().descendants().filter(p -> !before.contains(p.pid())).filter(ProcessHandle::isAlive))
            .isEmpty();
    }
}
