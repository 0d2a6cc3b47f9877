package io.aperture.tools;

import com.fasterxml.jackson.databind.JsonNode;
import io.aperture.Await;
import io.aperture.ChildJvm;
import io.aperture.TestDirectories;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** A channel whose publisher's source failed: errors, list and tail show the error record's class and message. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ErrorsTest {
    private static final Duration WAIT = Duration.ofSeconds(30);
    private final Path dir = TestDirectories.create();
    private final List<ChildJvm> children = new ArrayList<>();

    @AfterEach
    void end() {
        TestDirectories.endCrossProcessTest(dir, children, WAIT, false);
    }

    @Test
    void errorsShowsTheErrorRecordOfAChannelThatEndedWithAnError() {
        ChildJvm publisher = ChildJvm.start(ToolPeer.class, "publish-fail", dir, "orders", 10, "disk on fire");
        children.add(publisher);
        ChildJvm ok = ChildJvm.start(ToolPeer.class, "publish-endless", dir, "quotes", 100);
        children.add(ok);
        Await.until(() -> Files.exists(dir.resolve("orders.ring")) && Files.exists(dir.resolve("quotes.ring")), WAIT,
            () -> "rings: " + publisher.lines() + ok.lines());
        assertThat(Cli.in(dir, "errors").out()).contains("no channel in " + dir + " ended with an error");

        ChildJvm subscriber = ChildJvm.start(ToolPeer.class, "receive", dir, "orders", 0);
        children.add(subscriber);
        assertThat(subscriber.awaitExit(WAIT)).isZero();
        assertThat(subscriber.lines()).contains("received 10 ordered true");
        publisher.awaitLineStartingWith("publish failed as told: disk on fire", WAIT);

        Cli.Run errors = Cli.in(dir, "errors");
        assertThat(errors.exit()).isZero();
        assertThat(errors.out()).contains("orders", "ERRORED", "java.lang.IllegalStateException: disk on fire")
            .doesNotContain("quotes");
        JsonNode json = Cli.in(dir, "errors", "--json").json();
        assertThat(json.get("channels")).hasSize(1);
        JsonNode orders = json.get("channels").get(0);
        assertThat(orders.get("channel").asText()).isEqualTo("orders");
        assertThat(orders.get("terminalState").asText()).isEqualTo("ERRORED");
        assertThat(orders.at("/error/className").asText()).isEqualTo("java.lang.IllegalStateException");
        assertThat(orders.at("/error/message").asText()).isEqualTo("disk on fire");

        JsonNode list = Cli.in(dir, "list", "--json").json();
        assertThat(Cli.channel(list, "orders").get("terminalState").asText()).isEqualTo("ERRORED");
        assertThat(Cli.channel(list, "orders").get("published").asLong()).isEqualTo(10);
        assertThat(Cli.channel(list, "quotes").get("terminalState").asText()).isEqualTo("OPEN");
        // A tail of a channel that has ended reports its end at once.
        Cli.Run tail = Cli.in(dir, "tail", "orders");
        assertThat(tail.exit()).isZero();
        assertThat(tail.out()).contains("end ERRORED java.lang.IllegalStateException: disk on fire");
    }
}
