package io.aperture.tools;

import com.fasterxml.jackson.databind.JsonNode;
import io.aperture.Await;
import io.aperture.ChildJvm;
import io.aperture.TestDirectories;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** Killed publishers and subscribers: list and stat say who is dead; clean removes dead channels, never a live one. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class DeadOwnersTest {
    private static final Duration WAIT = Duration.ofSeconds(30);
    private final Path dir = TestDirectories.create();
    private final List<ChildJvm> children = new ArrayList<>();
    private final List<Long> stopped = new ArrayList<>();

    @AfterEach
    void end() {
        stopped.forEach(pid -> signal("CONT", pid));
        TestDirectories.endCrossProcessTest(dir, children, WAIT, false);
    }

    private ChildJvm start(Object... args) {
        ChildJvm child = ChildJvm.start(ToolPeer.class, args);
        children.add(child);
        return child;
    }

    @Test
    void aKilledPublishersChannelIsListedDeadAndCleanRemovesItButNotALiveOne() {
        ChildJvm dead = start("publish-endless", dir, "dead", 100);
        ChildJvm live = start("publish-endless", dir, "live", 100);
        Await.until(() -> Files.exists(dir.resolve("dead.ring")) && Files.exists(dir.resolve("live.ring")), WAIT,
            () -> "rings: " + dead.lines() + live.lines());

        JsonNode before = Cli.in(dir, "list", "--json").json();
        assertThat(Cli.channel(before, "dead").at("/publisher/alive").asBoolean()).isTrue();
        Cli.Run keep = Cli.in(dir, "clean");
        assertThat(keep.out()).contains("kept dead (publisher pid " + dead.pid() + " is alive)",
            "kept live (publisher pid " + live.pid() + " is alive)");
        assertThat(TestDirectories.files(dir)).containsExactly("dead.ring", "live.ring");

        dead.close(); // SIGKILL: the ring stays behind
        JsonNode after = Cli.in(dir, "list", "--json").json();
        JsonNode channel = Cli.channel(after, "dead");
        assertThat(channel.at("/publisher/pid").asLong()).isEqualTo(dead.pid());
        assertThat(channel.at("/publisher/alive").asBoolean()).isFalse();
        assertThat(channel.at("/publisher/liveness").asText()).startsWith("dead");
        assertThat(Cli.channel(after, "live").at("/publisher/alive").asBoolean()).isTrue();
        assertThat(Cli.in(dir, "list").out()).contains(dead.pid() + " dead", live.pid() + " alive");

        Cli.Run dry = Cli.in(dir, "clean", "--dry-run");
        assertThat(dry.exit()).isZero();
        assertThat(dry.out()).contains("would remove dead (every owner is dead): dead.ring", "kept live");
        assertThat(TestDirectories.files(dir)).containsExactly("dead.ring", "live.ring");
        JsonNode dryJson = Cli.in(dir, "clean", "--dry-run", "--json").json();
        assertThat(dryJson.get("dryRun").asBoolean()).isTrue();
        assertThat(TestDirectories.files(dir)).containsExactly("dead.ring", "live.ring");

        JsonNode cleaned = Cli.in(dir, "clean", "--json").json();
        assertThat(Cli.channel(cleaned, "dead").get("removed").asBoolean()).isTrue();
        assertThat(Cli.channel(cleaned, "live").get("removed").asBoolean()).isFalse();
        assertThat(TestDirectories.files(dir)).containsExactly("live.ring");
        assertThat(live.lines()).noneMatch(l -> l.startsWith("failed"));
    }

    @Test
    void aKilledSubscriberIsShownDeadAndItsLivePublishersChannelIsKept() throws Exception {
        ChildJvm publisher = start("publish-endless", dir, "feed", 100);
        Await.until(() -> Files.exists(dir.resolve("feed.ring")), WAIT, () -> "ring: " + publisher.lines());
        ChildJvm subscriber = start("receive", dir, "feed", 1000);
        Await.until(() -> {
            JsonNode s = Cli.in(dir, "stat", "feed", "--json", "--interval", "10ms").json();
            return s.get("subscribers").size() == 1 && s.at("/subscribers/0/admitted").asBoolean();
        }, WAIT, () -> "admission: " + subscriber.lines());

        // The publisher is stopped (SIGSTOP), not killed: alive, but it cannot remove the dead subscriber's section.
        signal("STOP", publisher.pid());
        stopped.add(publisher.pid());
        subscriber.close();
        JsonNode stat = Cli.in(dir, "stat", "feed", "--json", "--interval", "10ms").json();
        assertThat(stat.at("/publisher/alive").asBoolean()).isTrue();
        assertThat(stat.at("/subscribers/0/pid").asLong()).isEqualTo(subscriber.pid());
        assertThat(stat.at("/subscribers/0/alive").asBoolean()).isFalse();
        assertThat(Cli.in(dir, "stat", "feed", "--interval", "10ms").out()).contains(subscriber.pid() + "  dead");
        assertThat(Cli.in(dir, "clean").out()).contains("kept feed (publisher pid " + publisher.pid() + " is alive)");
        assertThat(TestDirectories.files(dir)).containsExactly("feed.ring", "feed.sub-0");

        publisher.close();
        assertThat(Cli.in(dir, "clean").out()).contains("removed feed (every owner is dead): feed.ring feed.sub-0");
        assertThat(TestDirectories.files(dir)).isEmpty();
    }

    private static void signal(String signal, long pid) {
        try {
            Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(pid)).inheritIO().start();
            assertThat(kill.waitFor(10, TimeUnit.SECONDS)).isTrue();
        } catch (IOException e) {
            throw new AssertionError(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }
}
