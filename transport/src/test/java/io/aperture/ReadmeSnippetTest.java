package io.aperture;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The README's first example works as written, every time: its code is the code of {@link ReadmeSnippets}
 * (checked line for line), and that code runs as the two processes the README describes, several times in a
 * row ({@code -Daperture.readmeRuns=N} for more). Process A publishes a source that honours demand
 * ({@code Flux.range}): B's {@code take(100)} requests exactly 100, and its cancel ends A's publish. (A clock
 * source such as {@code Flux.interval} would fail A whenever B's cancel crossed later than the next tick: that
 * is the source ignoring backpressure, which no transport can mend; see docs/getting-started.md.)
 */
@Timeout(120)
class ReadmeSnippetTest {
    private static final Path ROOT = Path.of("").toAbsolutePath().getParent();
    private static final Duration WAIT = Duration.ofSeconds(30);
    private final List<ChildJvm> children = new ArrayList<>();

    @AfterEach
    void killChildren() {
        children.forEach(ChildJvm::close);
    }

    @Test
    void shouldHoldTheCodeOfTheReadmesFirstExampleLineForLine() throws IOException {
        String readme = Files.readString(ROOT.resolve("README.md"));
        Matcher block = Pattern.compile("```java\\n(.*?)```", Pattern.DOTALL).matcher(readme);
        assertThat(block.find()).as("README.md has a java block").isTrue();
        String source = Files.readString(ROOT.resolve("transport/src/test/java/io/aperture/ReadmeSnippets.java"));
        String code = between(source, "A") + "\n" + between(source, "B");
        assertThat(code).isEqualTo(block.group(1));
    }

    @Test
    void shouldRunTheReadmesFirstExampleAcrossTwoProcessesEveryTime() {
        int runs = Integer.getInteger("aperture.readmeRuns", 3);
        for (int run = 1; run <= runs; run++) {
            ChildJvm a = start("A");
            ChildJvm b = start("B");
            assertThat(b.awaitExit(WAIT)).as("run %d: B's exit; output %s; A's %s", run, b.lines(), a.lines()).isZero();
            List<String> values = b.lines().stream().filter(line -> line.startsWith("price ")).collect(Collectors.toList());
            List<String> expected = new ArrayList<>();
            for (int i = 1; i <= 100; i++) {
                expected.add("price " + i);
            }
            assertThat(values).as("run %d: B printed price 1 to price 100 in order", run).isEqualTo(expected);
            assertThat(b.lines()).contains("B done");
            assertThat(a.awaitExit(WAIT)).as("run %d: A's exit (B's cancel ends its publish); output %s", run, a.lines())
                .isZero();
            assertThat(a.lines()).as("run %d", run).contains("A done");
        }
    }

    private ChildJvm start(String process) {
        ChildJvm child = ChildJvm.start(ReadmeSnippets.class, process);
        children.add(child);
        return child;
    }

    /** The lines between {@code // README start X} and {@code // README end X}, less their indentation. */
    private static String between(String source, String process) {
        String start = "// README start " + process + "\n";
        int from = source.indexOf(start) + start.length();
        int to = source.lastIndexOf("\n", source.indexOf("// README end " + process));
        return source.substring(from, to + 1).lines().map(line -> line.replaceFirst("^ {8}", ""))
            .collect(Collectors.joining("\n", "", "\n"));
    }
}
