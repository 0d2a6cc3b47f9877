package io.aperture.tools;

import io.aperture.Await;
import io.aperture.ChildJvm;
import io.aperture.TestDirectories;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The real launcher, {@code tools/aperture}, and the shaded jar it runs, in child processes: every shell snippet of
 * docs/tools.md runs as written (with {@code APERTURE_DIR} naming this test's directory) against a live pipeline of
 * two other processes, and {@code --help} works for every command. Runs in the package phase, after the shade.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class LauncherTest {
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final Path MODULE = Path.of("").toAbsolutePath();
    private static final Path ROOT = MODULE.getParent();
    private final Path dir = TestDirectories.create();
    private final List<ChildJvm> children = new ArrayList<>();

    @AfterEach
    void end() {
        TestDirectories.endCrossProcessTest(dir, children, WAIT, false);
    }

    record Result(int exit, String output) {
    }

    private Result sh(String script) throws IOException, InterruptedException {
        ProcessBuilder builder = new ProcessBuilder("sh", "-c", "set -e\n" + script).directory(ROOT.toFile())
            .redirectErrorStream(true);
        builder.environment().put("APERTURE_DIR", dir.toString());
        builder.environment().put("JAVA", Path.of(System.getProperty("java.home"), "bin", "java").toString());
        Process process = builder.start();
        byte[] out = process.getInputStream().readAllBytes(); // ends when the process and its children close it
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("script did not end: " + script);
        }
        return new Result(process.exitValue(), new String(out, StandardCharsets.UTF_8));
    }

    @Test
    void theDocsShellSnippetsRunAsWrittenThroughTheLauncher() throws Exception {
        assertThat(MODULE.resolve("target/aperture-tools.jar")).exists();
        ChildJvm publisher = ChildJvm.start(ToolPeer.class, "publish-endless", dir, "prices", 100);
        children.add(publisher);
        Await.until(() -> Files.exists(dir.resolve("prices.ring")), WAIT, () -> "ring: " + publisher.lines());
        ChildJvm subscriber = ChildJvm.start(ToolPeer.class, "receive", dir, "prices", 1000);
        children.add(subscriber);
        Await.until(() -> Files.exists(dir.resolve("prices.sub-0")), WAIT, () -> "subscriber: " + subscriber.lines());

        String docs = Files.readString(ROOT.resolve("docs/tools.md"));
        Matcher block = Pattern.compile("```sh\\n(.*?)```", Pattern.DOTALL).matcher(docs);
        int blocks = 0;
        while (block.find()) {
            blocks++;
            Result result = sh(block.group(1));
            assertThat(result.exit()).as("snippet %s printed %s", block.group(1), result.output()).isZero();
            assertThat(result.output()).as(block.group(1)).isNotBlank().doesNotContain("\tat ", "Exception in");
            if (block.group(1).contains("tail prices")) {
                assertThat(result.output()).contains("tail saw 5 messages");
            }
            if (block.group(1).contains("list")) {
                assertThat(result.output()).contains("prices", publisher.pid() + " alive");
            }
        }
        assertThat(blocks).as("shell snippets in docs/tools.md").isPositive();
    }

    @Test
    void everyCommandHasHelpThroughTheLauncher() throws Exception {
        Result top = sh("tools/aperture --help");
        assertThat(top.exit()).isZero();
        assertThat(top.output()).contains("list", "stat", "tail", "clean", "errors");
        for (String command : List.of("list", "stat", "tail", "clean", "errors")) {
            Result help = sh("tools/aperture " + command + " --help");
            assertThat(help.exit()).as(command).isZero();
            assertThat(help.output()).as(command).contains("Usage: aperture " + command, "--dir", "--json");
        }
        Result extra = sh("APERTURE_CLASSPATH=" + MODULE.resolve("target/test-classes") + " tools/aperture --version");
        assertThat(extra.exit()).as(extra.output()).isZero();
        assertThat(extra.output()).startsWith("aperture 0.1.0-SNAPSHOT");
        Result unknown = sh("tools/aperture stat --dir " + dir + " nosuch || echo \"exit $?\"");
        assertThat(unknown.output()).contains("aperture stat: no channel 'nosuch'", "exit 1");
    }
}
