package io.aperture.stress;

import org.junit.jupiter.api.Test;
import org.openjdk.jcstress.annotations.Expect;
import org.openjdk.jcstress.infra.Status;
import org.openjdk.jcstress.infra.collectors.DiskReadCollector;
import org.openjdk.jcstress.infra.collectors.InProcessCollector;
import org.openjdk.jcstress.infra.collectors.TestResult;
import org.openjdk.jcstress.infra.grading.GradingResult;
import org.openjdk.jcstress.infra.grading.TestGrading;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/**
 * Runs the jcstress tests of this module in a short mode and fails on any forbidden outcome or test error.
 * jcstress runs in a child JVM ({@code org.openjdk.jcstress.Main} on this JVM's class path), which forks one
 * JVM per test and configuration; the child's output goes to {@code target/jcstress/jcstress.log}, its HTML
 * report to {@code target/jcstress/report/}. The results are read back from the child's result file, printed
 * per test, and graded; the exit code is checked too (jcstress 0.16 exits with 1 when a test failed or erred,
 * but with 0 when it found no test or no JVM configuration). {@code scripts/jcstress.sh} runs the full default mode.
 *
 * <p>System properties: {@code aperture.jcstress.mode} (default {@code quick}: 200 ms iterations),
 * {@code aperture.jcstress.iters} (iterations per fork, default 3), {@code aperture.jcstress.timeoutSeconds}
 * (default 300; the child and its forks are killed then).
 */
class JcstressTest {
    /** Every test of the module; each must have run. */
    private static final List<String> TESTS = Stream.of(ParkWakeSingleWaiterStress.class,
        ParkWakeCountedStress.class, ParkWakeSettledStress.class, ParkWakeCountedSettledStress.class,
        StoreBufferingControlStress.class, CursorPublishStress.class, RingRecordPublishStress.class, RingLapStress.class,
        RingBatchLapStress.class,
        RingHeaderMagicStress.class, SubscriberMagicStress.class, OwnWordTurnsStress.class,
        SubscriberEndStress.class).map(Class::getName).collect(Collectors.toList());
    private static final String CONTROL = StoreBufferingControlStress.class.getName();

    private static final String MODE = System.getProperty("aperture.jcstress.mode", "quick");
    private static final String ITERATIONS = System.getProperty("aperture.jcstress.iters", "3");
    private static final Duration TIMEOUT = Duration.ofSeconds(Long.getLong("aperture.jcstress.timeoutSeconds", 300));

    @Test
    void shouldSeeNoForbiddenOutcomeInAnyOrderingTest() throws Exception {
        Path directory = Path.of("target", "jcstress").toAbsolutePath();
        deleteRecursively(directory);
        Files.createDirectories(directory);
        Path log = directory.resolve("jcstress.log");

        List<String> command = List.of(
            Path.of(System.getProperty("java.home"), "bin", "java").toString(),
            "-cp", System.getProperty("java.class.path"),
            "org.openjdk.jcstress.Main",
            "-m", MODE,
            "-iters", ITERATIONS,
            "-c", "2",                  // two CPUs: every test has two actors
            "-f", "1",                  // one fork per test and configuration
            "-sc", "false",             // both actors compiled alike; split compilation is for the full run
            "-jvmArgs", "-XX:+TieredCompilation", // one configuration, the default one (biased locking on and off on JDK 17)
            "-t", "^io\\.aperture\\.",
            "-r", directory.resolve("report").toString());
        long startNs = System.nanoTime();
        Process process = new ProcessBuilder(command).directory(directory.toFile()).redirectErrorStream(true)
            .redirectOutput(log.toFile()).start();
        int exit;
        try {
            if (!process.waitFor(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                fail("jcstress did not finish within " + TIMEOUT + "; killed it. Log " + log + ":\n" + tail(log, 40));
            }
            exit = process.exitValue();
        } finally {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
        }
        Duration took = Duration.ofNanos(System.nanoTime() - startNs);

        List<TestResult> results = readResults(directory);
        Map<String, List<TestResult>> byTest = results.stream()
            .collect(Collectors.groupingBy(TestResult::getName, TreeMap::new, Collectors.toList()));
        StringBuilder report = new StringBuilder();
        report.append(String.format("jcstress -m %s -iters %s: %d runs of %d tests in %d s, exit code %d; log %s%n",
            MODE, ITERATIONS, results.size(), byTest.size(), took.toSeconds(), exit, log));
        List<String> problems = new ArrayList<>();
        long controlInteresting = -1;
        for (Map.Entry<String, List<TestResult>> test : byTest.entrySet()) {
            Map<String, GradingResult> merged = new TreeMap<>();
            long samples = 0;
            for (TestResult result : test.getValue()) {
                samples += result.getTotalCount();
                if (result.status() != Status.NORMAL) {
                    problems.add(test.getKey() + " " + result.getConfig().jvmArgs + ": " + result.status() + " "
                        + result.getMessages() + " " + result.getVmErr());
                }
                TestGrading grading = result.grading();
                if (!grading.isPassed) {
                    problems.add(test.getKey() + " " + result.getConfig().jvmArgs + ": " + grading.failureMessages);
                }
                for (GradingResult outcome : grading.gradingResults.values()) {
                    merged.merge(outcome.id, outcome, (a, b) ->
                        new GradingResult(a.id, a.expect, a.count + b.count, a.description));
                }
            }
            report.append(String.format("  %s: %,d samples in %d runs%n", test.getKey(), samples, test.getValue().size()));
            for (GradingResult outcome : merged.values()) {
                report.append(String.format("    %-8s %,13d  %-22s %s%n", outcome.id, outcome.count, outcome.expect,
                    outcome.description));
                if (test.getKey().equals(CONTROL) && outcome.expect == Expect.ACCEPTABLE_INTERESTING) {
                    controlInteresting = outcome.count;
                }
            }
        }
        if (controlInteresting == 0) {
            report.append("  WARNING: the control saw no store buffering in this run, so a missing fence could have "
                + "gone unseen too\n");
        }
        System.out.print(report);

        assertThat(byTest.keySet()).as("tests run (log %s)%n%s", log, tail(log, 40)).containsAll(TESTS);
        assertThat(problems).as("forbidden outcomes and errors (log %s)", log).isEmpty();
        assertThat(exit).as("jcstress exit code (log %s)%n%s", log, tail(log, 40)).isZero();
    }

    private static List<TestResult> readResults(Path directory) throws Exception {
        List<Path> files;
        try (Stream<Path> list = Files.list(directory)) {
            files = list.filter(p -> p.getFileName().toString().matches("jcstress-results-.*\\.bin\\.gz"))
                .collect(Collectors.toList());
        }
        if (files.isEmpty()) {
            return List.of(); // jcstress did not get as far as running tests: the log says why
        }
        assertThat(files).as("result files in %s", directory).hasSize(1);
        InProcessCollector collector = new InProcessCollector();
        DiskReadCollector reader = new DiskReadCollector(files.get(0).toString(), collector);
        try {
            reader.dump();
        } finally {
            reader.close();
        }
        return new ArrayList<>(collector.getTestResults());
    }

    private static String tail(Path log, int lines) {
        try {
            List<String> all = Files.readAllLines(log, StandardCharsets.UTF_8);
            return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException e) {
            return "<cannot read " + log + ": " + e + ">";
        }
    }

    private static void deleteRecursively(Path directory) throws IOException {
        if (!Files.exists(directory)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(directory)) {
            for (Path path : walk.sorted(Comparator.reverseOrder()).collect(Collectors.toList())) {
                Files.delete(path);
            }
        }
    }
}
