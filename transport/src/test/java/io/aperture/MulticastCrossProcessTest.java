package io.aperture;

import io.aperture.internal.section.ChannelFiles;
import io.aperture.internal.section.SectionLocks;
import io.aperture.internal.section.SubscriberDescriptor;
import io.aperture.internal.section.SubscriberLink;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * One publisher (this JVM) and several subscriber processes on one channel: each at its own pace and with its
 * own demand, joining late or after the end, and dropped when too slow under {@code DROP_SLOWEST}.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class MulticastCrossProcessTest {
    private static final Duration WAIT = Duration.ofSeconds(60);

    private final Path directory = TestDirectories.create();
    private final ChannelOptions options = ChannelOptions.defaults().withRingCapacity(1 << 16)
        .withAttachTimeout(Duration.ofSeconds(30));
    private final Aperture aperture = Aperture.create(directory, options);
    private final List<ChildJvm> children = new ArrayList<>();

    private ChildJvm child(String role, Object... args) {
        ChildJvm child = ChildJvm.start(role, args);
        children.add(child);
        return child;
    }

    @AfterEach
    void tearDown() {
        TestDirectories.endCrossProcessTest(directory, children, Duration.ofSeconds(20), true);
    }

    /**
     * Subscribers admitted and started: sections whose {@code consumed} left {@code NOT_STARTED}. Read from the
     * subscriber files, never from the ring: where the liveness lock is a POSIX lock (off Linux), closing a
     * descriptor of the ring in this JVM would drop the publisher's lock on it.
     */
    private int subscribers(String channel) {
        int started = 0;
        for (int index = 0; index < options.maxSubscribers(); index++) {
            Path path = ChannelFiles.subscriberPath(directory, channel, index);
            try (FileChannel file = FileChannel.open(path, StandardOpenOption.READ)) {
                ByteBuffer consumed = ByteBuffer.allocate(8).order(ByteOrder.nativeOrder());
                file.read(consumed, SubscriberDescriptor.CONSUMED_OFFSET);
                if (consumed.getLong(0) != SubscriberLink.NOT_STARTED) {
                    started++;
                }
            } catch (IOException e) {
                // absent or being replaced
            }
        }
        return started;
    }

    /** 0..count-1, subscribed only once {@code subscribers} are admitted, so that each gets all of it. */
    private Flux<Long> whenAdmitted(String channel, int subscribers, Flux<Long> source) {
        return source.delaySubscription(Mono.fromRunnable(() -> Await.until(() -> subscribers(channel) == subscribers,
            WAIT, () -> subscribers + " subscribers admitted on " + channel)).subscribeOn(reactor.core.scheduler.Schedulers.boundedElastic()));
    }

    @Test
    void shouldDeliverEveryMessageInOrderToThreeSubscribersAtDifferentSpeeds() throws Exception {
        long count = 200_000;
        AtomicLong produced = new AtomicLong();
        ChildJvm fast = child("receive-paced", directory, "speeds", count, 0, "LATEST");
        ChildJvm medium = child("receive-paced", directory, "speeds", count, 200, "LATEST");
        ChildJvm slow = child("receive-paced", directory, "speeds", count, 2_000, "LATEST");
        CompletableFuture<Void> publishing = aperture.publisher("speeds", Codecs.longs())
            .publish(whenAdmitted("speeds", 3, ChannelPeer.counting(count).doOnNext(v -> produced.incrementAndGet()))).toFuture();
        long sum = count * (count - 1) / 2;
        for (ChildJvm subscriber : List.of(fast, medium, slow)) {
            assertThat(subscriber.awaitLineStartingWith("first ", WAIT))
                .isEqualTo("first 0 received " + count + " sum " + sum + " ordered true");
        }
        assertThat(publishing).succeedsWithin(WAIT);
        assertThat(produced.get()).isEqualTo(count);
    }

    /**
     * A subscriber in the publisher's own JVM maps the ring through a descriptor of its own and closes it when it
     * ends. With POSIX record locks that close dropped the publisher's liveness lock on the ring (they belong to
     * the process, and any close releases them all), and the subscriber in another process took the publisher for
     * dead ("its lock on mixed.ring is free"); OFD locks ({@link SectionLocks}) belong to their own descriptor. The
     * publisher idles after the in-process subscriber has gone, so the other one probes meanwhile.
     */
    @Test
    void shouldKeepThePublisherAliveForOtherProcessesWhenAnInProcessSubscriberCloses() throws Exception {
        long count = 20_000;
        ChildJvm remote = child("receive-paced", directory, "mixed", count, 0, "LATEST");
        CompletableFuture<Long> local = new CompletableFuture<>();
        Flux<Long> source = ChannelPeer.counting(count / 2)
            .concatWith(Mono.fromFuture(local).then(Mono.delay(Duration.ofMillis(500))).thenMany(Flux.empty()))
            .concatWith(ChannelPeer.counting(count).skip(count / 2));
        CompletableFuture<Void> publishing = aperture.publisher("mixed", Codecs.longs())
            .publish(source.delaySubscription(Mono.fromRunnable(() -> {
                Await.until(() -> subscribers("mixed") == 1, WAIT, () -> "remote subscriber admitted");
                aperture.subscriber("mixed", Codecs.longs()).receive().take(100).count()
                    .subscribe(local::complete, local::completeExceptionally);
                // It joins at LATEST: admitted only after the first half was written, it would wait for values
                // that the source holds back until it has had them.
                Await.until(() -> subscribers("mixed") == 2, WAIT, () -> "in-process subscriber admitted");
            }).subscribeOn(reactor.core.scheduler.Schedulers.boundedElastic()))).toFuture();
        assertThat(local).succeedsWithin(WAIT).isEqualTo(100L);
        Path own = ChannelFiles.subscriberPath(directory, "mixed", 1);
        Await.until(() -> !java.nio.file.Files.exists(own), WAIT, () -> "in-process subscriber's section removed");
        assertThat(remote.awaitLineStartingWith("first ", WAIT))
            .isEqualTo("first 0 received " + count + " sum " + count * (count - 1) / 2 + " ordered true");
        assertThat(publishing).succeedsWithin(WAIT);
    }

    @Test
    void shouldRequestUpstreamOnlyWhatTheSlowestSubscriberAllows() throws Exception {
        AtomicLong requested = new AtomicLong();
        AtomicLong produced = new AtomicLong();
        ChildJvm holder = child("receive-hold", directory, "slowest", 10);
        CompletableFuture<Void> publishing = aperture.publisher("slowest", Codecs.longs())
            .publish(ChannelPeer.counting(Long.MAX_VALUE)
                .doOnRequest(n -> requested.updateAndGet(r -> r + n < 0 ? Long.MAX_VALUE : r + n))
                .doOnNext(v -> produced.incrementAndGet())).toFuture();
        holder.awaitLine(l -> l.equals("held 10"), WAIT);
        // Two subscribers that want 1,000 each join while the holder, which asked for 10, holds.
        ChildJvm first = child("receive-paced", directory, "slowest", 1_000, 0, "LATEST");
        ChildJvm second = child("receive-paced", directory, "slowest", 1_000, 0, "LATEST");
        Await.until(() -> subscribers("slowest") == 3 && requestedBy("slowest", 1) > 0 && requestedBy("slowest", 2) > 0,
            WAIT, () -> "three subscribers admitted, the newcomers advertising demand");
        // Each newcomer allows 10 + its window; the holder allows 10: the upstream saw no more.
        assertThat(requested.get()).isEqualTo(10);
        assertThat(produced.get()).isEqualTo(10);
        holder.close(); // killed: the publisher stops gating on it, the others get theirs
        assertThat(first.awaitLineStartingWith("first ", WAIT)).startsWith("first 10 received 1000 ").endsWith("ordered true");
        assertThat(second.awaitLineStartingWith("first ", WAIT)).startsWith("first 10 received 1000 ").endsWith("ordered true");
        // Both took 1,000 and cancelled: no subscriber remains, the upstream is cancelled, publish completes.
        assertThat(publishing).succeedsWithin(WAIT);
        assertThat(requested.get()).as("at most the newcomers' 1,000 and a window on top of the 10")
            .isBetween(1_010L, 10L + ChannelOptions.DEFAULT_DEMAND_WINDOW + 1_000L);
    }

    /** The {@code requested} word of subscriber section {@code index}, read from its file (0 when absent). */
    private long requestedBy(String channel, int index) {
        try (FileChannel file = FileChannel.open(ChannelFiles.subscriberPath(directory, channel, index),
            StandardOpenOption.READ)) {
            ByteBuffer word = ByteBuffer.allocate(8).order(ByteOrder.nativeOrder());
            file.read(word, SubscriberDescriptor.REQUESTED_OFFSET);
            return word.getLong(0);
        } catch (IOException e) {
            return 0;
        }
    }

    @Test
    void shouldStartALateJoinerAtTheCursorWithNoGap() throws Exception {
        // 3 ms of work every 1,000 elements: at least 9 s, long enough for a second JVM to start and join.
        ChildJvm early = child("receive-paced", directory, "late-join", 3_000_000, 3_000, "LATEST");
        CompletableFuture<Void> publishing = aperture.publisher("late-join", Codecs.longs())
            .publish(ChannelPeer.counting(Long.MAX_VALUE)).toFuture();
        Await.until(() -> subscribers("late-join") == 1, WAIT, () -> "first subscriber admitted");
        ChildJvm late = child("receive-paced", directory, "late-join", 50_000, 0, "LATEST");
        String line = late.awaitLineStartingWith("first ", WAIT);
        assertThat(line).contains(" received 50000 ").endsWith("ordered true");
        long first = Long.parseLong(line.split(" ")[1]);
        assertThat(first).as("joined at the cursor, after what was published before it").isPositive();
        assertThat(early.awaitLineStartingWith("first ", WAIT)).startsWith("first 0 received 3000000 ")
            .endsWith("ordered true");
        assertThat(publishing).succeedsWithin(WAIT);
    }

    @Test
    void shouldGiveTheTerminalSignalToASubscriberThatJoinsAfterTheEnd() throws Exception {
        // The ring stays 8 s after the end: a subscriber that starts then still gets the terminal signal.
        Aperture lingering = Aperture.create(directory, options.withLinger(Duration.ofSeconds(8)));
        ChildJvm first = child("receive-all", directory, "after-end");
        CompletableFuture<Void> publishing = lingering.publisher("after-end", Codecs.longs())
            .publish(ChannelPeer.counting(1_000)).toFuture();
        assertThat(first.awaitLineStartingWith("complete", WAIT)).isEqualTo("complete received 1000");
        assertThat(publishing).succeedsWithin(WAIT);
        ChildJvm late = child("receive-all", directory, "after-end");
        assertThat(late.awaitLineStartingWith("complete", WAIT)).isEqualTo("complete received 0");

        Aperture failing = Aperture.create(directory, options.withLinger(Duration.ofSeconds(8)));
        CompletableFuture<Void> failed = failing.publisher("after-error", Codecs.longs())
            .publish(Flux.<Long>error(new IllegalStateException("broken upstream"))).toFuture();
        ChildJvm beforeError = child("receive-all", directory, "after-error");
        assertThat(beforeError.awaitLineStartingWith("error", WAIT)).contains("broken upstream");
        assertThat(failed).failsWithin(WAIT);
        ChildJvm afterError = child("receive-all", directory, "after-error");
        assertThat(afterError.awaitLineStartingWith("error", WAIT)).contains("RemoteException")
            .contains("java.lang.IllegalStateException").contains("broken upstream");
        // The lingering conductors end with their linger; the teardown waits for them and their files.
    }

    @Test
    void shouldDropTheSlowestUnderDropSlowestAndKeepServingTheOthers() throws Exception {
        // 256 slots: a subscriber that has demand but works 20 ms per element fills the ring within its window
        // and keeps it full; dropped by time (the fast ones never keep it full for 500 ms).
        Aperture dropping = Aperture.create(directory, options.withRingCapacity(1 << 14)
            .withDroppingSlowConsumers(Long.MAX_VALUE, Duration.ofMillis(500)));
        ChildJvm holder = child("receive-slow", directory, "drop", 20);
        ChildJvm first = child("receive-paced", directory, "drop", 100_000, 0, "LATEST");
        ChildJvm second = child("receive-paced", directory, "drop", 100_000, 0, "LATEST");
        CompletableFuture<Void> publishing = dropping.publisher("drop", Codecs.longs())
            .publish(whenAdmitted("drop", 3, ChannelPeer.counting(Long.MAX_VALUE))).toFuture();
        assertThat(holder.awaitLineStartingWith("error", WAIT)).contains("SlowSubscriberException")
            .contains("dropped by the publisher as too slow").containsPattern("after [0-9]+ message\\(s\\)");
        assertThat(first.awaitLineStartingWith("first ", WAIT)).isEqualTo("first 0 received 100000 sum 4999950000 ordered true");
        assertThat(second.awaitLineStartingWith("first ", WAIT)).isEqualTo("first 0 received 100000 sum 4999950000 ordered true");
        assertThat(publishing).succeedsWithin(WAIT);
    }
}
