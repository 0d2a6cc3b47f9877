package io.aperture;

import io.aperture.internal.section.ChannelFiles;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import reactor.core.publisher.Flux;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code kill -9} of either end at random points, across real processes. The number of publisher
 * trials is {@code -Daperture.killTrials} (50 by default; {@code scripts/kill-trials.sh} runs 1,000).
 */
class KillTrialsTest {
    private static final int TRIALS = Integer.getInteger("aperture.killTrials", 50);
    private static final Duration DETECTION = Duration.ofSeconds(10);

    private final Path directory = TestDirectories.create();
    private final Aperture aperture = Aperture.create(directory,
        ChannelOptions.defaults().withAttachTimeout(Duration.ofSeconds(30)));
    private final List<ChildJvm> children = new ArrayList<>();

    @AfterEach
    void tearDown() {
        children.forEach(ChildJvm::close);
        try {
            Await.noApertureThreads(Duration.ofSeconds(10));
        } finally {
            TestDirectories.delete(directory);
        }
    }

    @Test
    @Timeout(value = 30, unit = TimeUnit.MINUTES)
    void shouldEndWithPublisherDiedAfterAnExactPrefixWhenThePublisherIsKilled() {
        SplittableRandom random = new SplittableRandom(Long.getLong("aperture.killSeed", 20261125L));
        long slowestDetectionMs = 0;
        long totalReceived = 0;
        for (int trial = 0; trial < TRIALS; trial++) {
            String channel = "kill-" + trial;
            // Kill right after attach, or after a random number of elements (up to a few ring laps).
            long killAfter = random.nextInt(4) == 0 ? 0 : random.nextLong(1, 200_000);
            ChildJvm publisher = ChildJvm.start("publish-endless", directory, channel);
            children.add(publisher);
            AtomicLong next = new AtomicLong();
            AtomicReference<String> gap = new AtomicReference<>();
            CountDownLatch reached = new CountDownLatch(1);
            CompletableFuture<Void> done = aperture.subscriber(channel, Codecs.longs()).receive()
                .doOnSubscribe(s -> {
                    if (killAfter == 0) {
                        reached.countDown();
                    }
                })
                .doOnNext(v -> {
                    long expected = next.getAndIncrement();
                    if (v != expected) {
                        gap.compareAndSet(null, "expected " + expected + " got " + v);
                    }
                    if (expected + 1 == killAfter) {
                        reached.countDown();
                    }
                })
                .then()
                .toFuture();
            Path sub = ChannelFiles.subscriberPath(directory, channel, 0);
            Await.until(() -> Files.exists(sub), Duration.ofSeconds(60), () -> "subscriber attached; child: " + publisher.lines());
            await(reached);
            publisher.close(); // SIGKILL
            long killedAt = System.nanoTime();

            assertThat(done).as("trial %d (kill after %d)", trial, killAfter).failsWithin(DETECTION)
                .withThrowableThat().havingRootCause().isInstanceOf(ApertureException.class)
                .withMessageContaining("pid " + publisher.pid()).withMessageContaining("died");
            slowestDetectionMs = Math.max(slowestDetectionMs, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killedAt));
            assertThat(gap.get()).as("trial %d: what arrived is an exact prefix", trial).isNull();
            assertThat(next.get()).as("trial %d", trial).isGreaterThanOrEqualTo(killAfter);
            totalReceived += next.get();
            Await.until(() -> !Files.exists(sub), Duration.ofSeconds(10), () -> "subscriber removed its section");
        }
        System.out.printf("kill trials: %d publishers killed, every subscriber ended with 'died' after an exact prefix "
            + "(%d elements in all); slowest detection %d ms%n", TRIALS, totalReceived, slowestDetectionMs);
    }

    @Test
    @Timeout(value = 5, unit = TimeUnit.MINUTES)
    void shouldCancelUpstreamAndCleanUpWhenTheSubscriberIsKilled() {
        for (int trial = 0; trial < 5; trial++) {
            String channel = "kill-sub-" + trial;
            CountDownLatch cancelled = new CountDownLatch(1);
            AtomicLong produced = new AtomicLong();
            CompletableFuture<Void> publishing = aperture.publisher(channel, Codecs.longs())
                .publish(Flux.<Long, Long>generate(() -> 0L, (i, sink) -> {
                    sink.next(i);
                    return i + 1;
                }).doOnNext(v -> produced.incrementAndGet()).doOnCancel(cancelled::countDown))
                .toFuture();
            ChildJvm subscriber = ChildJvm.start("receive-forever", directory, channel);
            children.add(subscriber);
            subscriber.awaitLineStartingWith("attached", Duration.ofSeconds(60));
            long threshold = 10_000L * (trial + 1);
            Await.until(() -> produced.get() >= threshold, Duration.ofSeconds(60), () -> "traffic flows");
            subscriber.close(); // SIGKILL

            await(cancelled);
            assertThat(publishing).as("trial %d", trial).succeedsWithin(DETECTION);
            assertThat(ChannelFiles.subscriberPath(directory, channel, 0)).as("dead subscriber's section removed")
                .doesNotExist();
            assertThat(ChannelFiles.ringPath(directory, channel)).doesNotExist();
        }
    }

    private static void await(CountDownLatch latch) {
        try {
            assertThat(latch.await(60, TimeUnit.SECONDS)).isTrue();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }
}
