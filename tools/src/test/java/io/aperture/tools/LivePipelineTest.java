package io.aperture.tools;

import com.fasterxml.jackson.databind.JsonNode;
import io.aperture.Await;
import io.aperture.ChildJvm;
import io.aperture.TestDirectories;
import io.aperture.inspect.ChannelInspector;
import io.aperture.inspect.Tail;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.StringWriter;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** The tool on a live pipeline of two other processes: a publisher and a slow subscriber. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class LivePipelineTest {
    private static final Duration WAIT = Duration.ofSeconds(30);
    private final Path dir = TestDirectories.create();
    private final List<ChildJvm> children = new ArrayList<>();

    @AfterEach
    void end() {
        TestDirectories.endCrossProcessTest(dir, children, WAIT, false);
    }

    private ChildJvm start(Object... args) {
        ChildJvm child = ChildJvm.start(ToolPeer.class, args);
        children.add(child);
        return child;
    }

    @Test
    void listStatAndTailFollowALivePipeline() throws Exception {
        int count = 3000;
        ChildJvm publisher = start("publish", dir, "prices", count, 65536, 30);
        Path ring = dir.resolve("prices.ring");
        Await.until(() -> Files.exists(ring), WAIT, () -> "ring of " + publisher.lines());

        // tail attached before the subscriber: it sees every message, in order, and the end.
        StringWriter tailOut = new StringWriter();
        CompletableFuture<Cli.Run> tail = CompletableFuture.supplyAsync(() -> Cli.run(tailOut, "tail", "prices",
            "--dir", dir.toString(), "--json", "--timeout", "60s"));
        Await.until(() -> tailOut.toString().contains("\"event\":\"start\""), WAIT, () -> "tail start: " + tailOut);
        // 2 ms of work per message: slow. Its counters are stored once per batch, a quarter ring (256 slots) at most.
        ChildJvm subscriber = start("receive", dir, "prices", 2000);

        JsonNode first = awaitSubscriberDelivered(0);
        assertThat(first.at("/publisher/pid").asLong()).isEqualTo(publisher.pid());
        assertThat(first.at("/publisher/alive").asBoolean()).isTrue();
        JsonNode sub = first.at("/subscribers/0");
        assertThat(sub.get("pid").asLong()).isEqualTo(subscriber.pid());
        assertThat(sub.get("alive").asBoolean()).isTrue();
        assertThat(sub.get("admitted").asBoolean()).isTrue();
        assertThat(sub.get("requested").asLong()).isGreaterThanOrEqualTo(sub.get("delivered").asLong());
        JsonNode later = awaitSubscriberDelivered(first.at("/subscribers/0/delivered").asLong());
        assertThat(later.at("/subscribers/0/delivered").asLong())
            .isGreaterThan(first.at("/subscribers/0/delivered").asLong());
        assertThat(later.get("published").asLong()).isGreaterThanOrEqualTo(later.at("/subscribers/0/delivered").asLong());
        assertThat(later.has("publishedPerSecond")).isTrue();
        assertThat(later.at("/subscribers/0/lagMessages").asLong()).isGreaterThanOrEqualTo(0);

        JsonNode list = Cli.in(dir, "list", "--json").json();
        JsonNode channel = Cli.channel(list, "prices");
        assertThat(channel.get("codec").asText()).isEqualTo("long");
        assertThat(channel.get("capacity").asInt()).isEqualTo(65536);
        assertThat(channel.get("terminalState").asText()).isEqualTo("OPEN");
        assertThat(channel.at("/publisher/alive").asBoolean()).isTrue();
        // The tail is not a subscriber: the only subscriber section is the subscriber process's.
        assertThat(channel.get("subscribers")).hasSize(1);
        assertThat(Cli.in(dir, "list").out()).contains("prices", "long", "64 KiB / 64 B", publisher.pid() + " alive",
            "OPEN");
        String table = Cli.in(dir, "stat", "prices", "--interval", "100ms").out();
        assertThat(table).contains("channel prices", "publisher " + publisher.pid() + " alive", "REQUESTED",
            String.valueOf(subscriber.pid()));

        Cli.Run watch = Cli.in(dir, "stat", "prices", "--watch", "--count", "2", "--interval", "50ms");
        assertThat(watch.exit()).isZero();
        assertThat(watch.out().split("\033\\[H\033\\[2J", -1)).as("two frames, each redrawn in place").hasSize(3);
        List<JsonNode> frames = Cli.in(dir, "stat", "prices", "--watch", "--count", "2", "--interval", "50ms", "--json")
            .jsonLines();
        assertThat(frames).hasSize(2);
        assertThat(frames.get(1).get("published").asLong()).isGreaterThanOrEqualTo(frames.get(0).get("published").asLong());

        assertThat(subscriber.awaitExit(WAIT)).as("subscriber %s", subscriber.lines()).isZero();
        assertThat(subscriber.lines()).contains("received " + count + " ordered true", "complete");
        Cli.Run run = tail.get(60, TimeUnit.SECONDS);
        assertThat(run.exit()).as(run.err()).isZero();
        List<JsonNode> events = run.jsonLines();
        assertThat(events.get(0).get("fromSequence").asLong()).isZero();
        List<Long> values = new ArrayList<>();
        events.stream().filter(e -> e.get("event").asText().equals("message"))
            .forEach(e -> values.add(e.get("value").asLong()));
        List<Long> expected = new ArrayList<>();
        for (long i = 0; i < count; i++) {
            expected.add(i);
        }
        assertThat(values).isEqualTo(expected);
        assertThat(events).noneMatch(e -> e.get("event").asText().equals("missed"));
        assertThat(events).anyMatch(e -> e.get("event").asText().equals("end")
            && e.get("terminalState").asText().equals("COMPLETED"));
        JsonNode summary = events.get(events.size() - 1);
        assertThat(summary.get("messages").asLong()).isEqualTo(count);
        assertThat(summary.get("missed").asLong()).isZero();
    }

    private JsonNode awaitSubscriberDelivered(long above) {
        JsonNode[] last = {null};
        String[] failed = {""};
        Await.until(() -> {
            Cli.Run run = Cli.in(dir, "stat", "prices", "--json", "--interval", "50ms");
            if (run.exit() != 0) {
                failed[0] = run.toString();
                return false;
            }
            last[0] = run.json();
            JsonNode subs = last[0].get("subscribers");
            return subs.size() == 1 && subs.get(0).get("delivered").asLong() > above;
        }, WAIT, () -> "stat: " + last[0] + "; last failure " + failed[0] + "; files " + TestDirectories.files(dir));
        return last[0];
    }

    @Test
    void aTailThatDoesNotReadNeverHoldsThePublisherUpAndSaysWhatItMissed() throws Exception {
        int count = 20_000;
        ChildJvm publisher = start("publish", dir, "fast", count, 4096, 60); // 64 slots: lapped hundreds of times
        Path ring = dir.resolve("fast.ring");
        Await.until(() -> Files.exists(ring), WAIT, () -> "ring of " + publisher.lines());
        try (Tail tail = ChannelInspector.open(dir).tail("fast")) {
            ChildJvm subscriber = start("receive", dir, "fast", 0);
            // The tail reads nothing while the pipeline runs: the publisher never waits for it.
            assertThat(subscriber.awaitExit(WAIT)).as("subscriber %s", subscriber.lines()).isZero();
            assertThat(subscriber.lines()).contains("received " + count + " ordered true");
            publisher.awaitLineStartingWith("published " + count, WAIT);

            List<Tail.Event> events = new ArrayList<>();
            Await.until(() -> {
                tail.poll(events::add, 1000);
                return tail.ended();
            }, WAIT, () -> "tail events " + events);
            assertThat(events.get(0)).isInstanceOf(Tail.Missed.class);
            long missed = events.stream().filter(e -> e instanceof Tail.Missed).mapToLong(e -> ((Tail.Missed) e).messages())
                .sum();
            List<Tail.Message> messages = events.stream().filter(e -> e instanceof Tail.Message)
                .map(e -> (Tail.Message) e).toList();
            assertThat(missed).isPositive();
            assertThat(missed + messages.size()).isEqualTo(count);
            // Never a wrong value: every message shown is the value published at its position.
            assertThat(messages).allSatisfy(m -> assertThat(m.value()).isEqualTo(m.number()));
            assertThat(events.get(events.size() - 1)).isEqualTo(new Tail.End("COMPLETED", null));
        }
    }

    @Test
    void aTailFollowingAFastPipelineReportsWhatItSawAndMissed() throws Exception {
        int count = 50_000;
        ChildJvm publisher = start("publish", dir, "rush", count, 4096, 60); // 64 slots: the tail cannot keep up
        Await.until(() -> Files.exists(dir.resolve("rush.ring")), WAIT, () -> "ring of " + publisher.lines());
        StringWriter tailOut = new StringWriter();
        CompletableFuture<Cli.Run> tail = CompletableFuture.supplyAsync(() -> Cli.run(tailOut, "tail", "rush",
            "--dir", dir.toString(), "--json", "--timeout", "60s"));
        Await.until(() -> tailOut.toString().contains("\"event\":\"start\""), WAIT, () -> "tail start: " + tailOut);
        ChildJvm subscriber = start("receive", dir, "rush", 0);
        assertThat(subscriber.awaitExit(WAIT)).as("subscriber %s", subscriber.lines()).isZero();
        assertThat(subscriber.lines()).contains("received " + count + " ordered true");
        publisher.awaitLineStartingWith("published " + count, WAIT);

        List<JsonNode> events = tail.get(60, TimeUnit.SECONDS).jsonLines();
        JsonNode summary = events.get(events.size() - 1);
        assertThat(summary.get("stopped").asText()).isEqualTo("channel COMPLETED");
        long shown = summary.get("messages").asLong();
        // Shown + missed is the count published, give or take what the publisher's lazy published word lags its
        // cursor word when a resynchronisation reads them (docs/tools.md): another process cannot read that pair
        // atomically, and the count read may be the one of the previous lazy advance (a 64-slot ring: under 64).
        assertThat(shown + summary.get("missed").asLong()).as("shown + missed, %s", summary)
            .isLessThanOrEqualTo(count).isGreaterThan(count - 64);
        // Never a wrong value: what the tail shows is a strictly increasing run of the values published.
        long previous = -1;
        for (JsonNode e : events) {
            if (e.get("event").asText().equals("message")) {
                long value = e.get("value").asLong();
                assertThat(value).isGreaterThan(previous).isLessThan(count);
                previous = value;
            }
        }
    }

    @Test
    void tailShowsHexForACodecItDoesNotKnow() throws Exception {
        ChildJvm publisher = start("publish-custom", dir, "points", 3);
        Await.until(() -> Files.exists(dir.resolve("points.ring")), WAIT, () -> "ring of " + publisher.lines());
        StringWriter tailOut = new StringWriter();
        CompletableFuture<Cli.Run> tail = CompletableFuture.supplyAsync(() -> Cli.run(tailOut, "tail", "points",
            "--dir", dir.toString(), "--timeout", "60s"));
        Await.until(() -> tailOut.toString().contains(" from seq "), WAIT, () -> "tail start: " + tailOut);
        ChildJvm subscriber = start("receive-custom", dir, "points");
        assertThat(subscriber.awaitExit(WAIT)).as("subscriber %s", subscriber.lines()).isZero();
        Cli.Run run = tail.get(60, TimeUnit.SECONDS);
        assertThat(run.out()).contains("tail points (codec point-v1, not known here: hex) from seq 0",
            "#0 [8 B] " + hex(0, 0), "#1 [8 B] " + hex(1, -1), "#2 [8 B] " + hex(2, -2),
            "end COMPLETED", "tail saw 3 messages, missed 0");
    }

    /** The bytes of {@code ToolPeer.POINT}'s encoding of {x, y}: two ints in the ring's (native) order. */
    private static String hex(int x, int y) {
        return TailCommand.hex(ByteBuffer.allocate(8).order(ByteOrder.nativeOrder()).putInt(x).putInt(y).array());
    }
}
