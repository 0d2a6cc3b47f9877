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
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code kill -9} of either end at random points, across real processes. The number of publisher kills is
 * {@code -Daperture.killTrials} (50 by default), of subscriber kills {@code -Daperture.killSubscriberTrials}
 * (5 by default); {@code scripts/kill-trials.sh} runs 1,000 of each. Each test prints its detection times (from
 * the {@code SIGKILL} to the surviving side's end): the median, the worst, and how many took over 100 ms, the
 * liveness bound the transport aims at. The assertion's bound is looser ({@link #DETECTION}): a loaded build
 * machine must not fail a build for a slow trial; the figure is the script's to report.
 */
class KillTrialsTest {
    private static final int TRIALS = Integer.getInteger("aperture.killTrials", 50);
    private static final int SUBSCRIBER_TRIALS = Integer.getInteger("aperture.killSubscriberTrials", 5);
    private static final long TARGET_MS = 100;
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
        long[] detectionMicros = new long[TRIALS];
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
            detectionMicros[trial] = TimeUnit.NANOSECONDS.toMicros(System.nanoTime() - killedAt);
            assertThat(gap.get()).as("trial %d: what arrived is an exact prefix", trial).isNull();
            assertThat(next.get()).as("trial %d", trial).isGreaterThanOrEqualTo(killAfter);
            totalReceived += next.get();
            Await.until(() -> !Files.exists(sub), Duration.ofSeconds(10), () -> "subscriber removed its section");
        }
        System.out.printf("kill trials: %d publishers killed, every subscriber ended with 'died' after an exact prefix "
            + "(%d elements in all); %s%n", TRIALS, totalReceived, detections(detectionMicros));
    }

    @Test
    @Timeout(value = 30, unit = TimeUnit.MINUTES)
    void shouldCancelUpstreamAndCleanUpWhenTheSubscriberIsKilled() {
        SplittableRandom random = new SplittableRandom(Long.getLong("aperture.killSeed", 20261125L) + 1);
        long[] detectionMicros = new long[SUBSCRIBER_TRIALS];
        for (int trial = 0; trial < SUBSCRIBER_TRIALS; trial++) {
            String channel = "kill-sub-" + trial;
            CountDownLatch subscribed = new CountDownLatch(1);
            CountDownLatch cancelled = new CountDownLatch(1);
            AtomicLong produced = new AtomicLong();
            CompletableFuture<Void> publishing = aperture.publisher(channel, Codecs.longs())
                .publish(Flux.<Long, Long>generate(() -> 0L, (i, sink) -> {
                    sink.next(i);
                    return i + 1;
                }).doOnSubscribe(s -> subscribed.countDown())
                    .doOnNext(v -> produced.incrementAndGet()).doOnCancel(cancelled::countDown))
                .toFuture();
            ChildJvm subscriber = ChildJvm.start("receive-forever", directory, channel);
            children.add(subscriber);
            // Kill as soon as the source is subscribed (the subscriber admitted, its first demand arrived: the
            // earliest moment the publisher owes a cancel), or after a random number of elements (a few ring laps).
            long threshold = random.nextInt(4) == 0 ? 0 : random.nextLong(1, 200_000);
            await(subscribed);
            Await.until(() -> produced.get() >= threshold, Duration.ofSeconds(60), () -> "traffic flows");
            subscriber.close(); // SIGKILL
            long killedAt = System.nanoTime();

            await(cancelled);
            detectionMicros[trial] = TimeUnit.NANOSECONDS.toMicros(System.nanoTime() - killedAt);
            assertThat(publishing).as("trial %d", trial).succeedsWithin(DETECTION);
            assertThat(ChannelFiles.subscriberPath(directory, channel, 0)).as("dead subscriber's section removed")
                .doesNotExist();
            assertThat(ChannelFiles.ringPath(directory, channel)).doesNotExist();
        }
        System.out.printf("kill trials: %d subscribers killed, every publisher cancelled its upstream and removed its "
            + "files; %s%n", SUBSCRIBER_TRIALS, detections(detectionMicros));
    }

    /** The median and worst of {@code micros}, and how many are above {@link #TARGET_MS}. */
    private static String detections(long[] micros) {
        long[] sorted = micros.clone();
        Arrays.sort(sorted);
        long over = Arrays.stream(sorted).filter(m -> m > TARGET_MS * 1000).count();
        return String.format(Locale.ROOT, "detection median %.1f ms, worst %.1f ms, %d of %d over %d ms",
            sorted[sorted.length / 2] / 1e3, sorted[sorted.length - 1] / 1e3, over, sorted.length, TARGET_MS);
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
