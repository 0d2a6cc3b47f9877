package io.aperture;

import io.aperture.internal.section.ChannelFiles;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.reactivestreams.Subscription;
import reactor.core.publisher.BaseSubscriber;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Several producer processes on one logical channel, merged by one consumer (this JVM): each producer's
 * sequence in order and complete, and a producer killed mid-stream never stops the others.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ManyProducersCrossProcessTest {
    private static final Duration WAIT = Duration.ofSeconds(40);
    private static final long OFFSET = 1_000_000_000L;

    private final Path directory = TestDirectories.create();
    private final Aperture aperture = Aperture.create(directory,
        ChannelOptions.defaults().withAttachTimeout(Duration.ofSeconds(30)));
    private final List<ChildJvm> children = new ArrayList<>();

    private ChildJvm producer(String channel, String name, long count, long offset) {
        ChildJvm child = ChildJvm.start("produce-longs", directory, channel, name, count, offset);
        children.add(child);
        return child;
    }

    @AfterEach
    void tearDown() {
        // Not expected empty: a killed producer leaves its ring behind.
        TestDirectories.endCrossProcessTest(directory, children, Duration.ofSeconds(20), false);
    }

    /** Per producer, the next value expected; the first departure from it, as a message. */
    private static final class Sequences {
        final Map<String, AtomicLong> next = new ConcurrentHashMap<>();
        final AtomicReference<String> firstDisorder = new AtomicReference<>();
        final AtomicLong total = new AtomicLong();

        void accept(String producer, long value, long offset) {
            AtomicLong expected = next.computeIfAbsent(producer, p -> new AtomicLong());
            if (value != offset + expected.get()) {
                firstDisorder.compareAndSet(null, "producer " + producer + ": " + value + " where " + (offset
                    + expected.get()) + " was expected");
            }
            expected.incrementAndGet();
            total.incrementAndGet();
        }

        long count(String producer) {
            AtomicLong n = next.get(producer);
            return n == null ? 0 : n.get();
        }
    }

    @Test
    void shouldDeliverEachProducersSequenceInOrderWithNothingLost() {
        long count = 200_000;
        ChildJvm a = producer("merged", "a", count, 0);
        ChildJvm b = producer("merged", "b", count, OFFSET);
        Sequences sequences = new Sequences();
        Long received = aperture.subscriber("merged", Codecs.longs()).receiveFromProducers(2)
            .doOnNext(v -> sequences.accept(v >= OFFSET ? "b" : "a", v, v >= OFFSET ? OFFSET : 0))
            .count()
            .block(WAIT);
        assertThat(sequences.firstDisorder.get()).isNull();
        assertThat(sequences.count("a")).isEqualTo(count);
        assertThat(sequences.count("b")).isEqualTo(count);
        assertThat(received).isEqualTo(2 * count);
        assertThat(a.awaitLineStartingWith("produced ", WAIT)).isEqualTo("produced " + count);
        assertThat(b.awaitLineStartingWith("produced ", WAIT)).isEqualTo("produced " + count);
        assertThat(a.awaitExit(WAIT)).isZero();
        assertThat(b.awaitExit(WAIT)).isZero();
    }

    @Test
    void shouldKeepTheOtherProducerFlowingWhenOneIsKilledMidStream() throws Exception {
        long count = 200_000;
        ChildJvm victim = producer("killed", "victim", Long.MAX_VALUE, 0);
        ChildJvm survivor = producer("killed", "survivor", count, 0);
        Sequences sequences = new Sequences();
        CompletableFuture<Void> end = new CompletableFuture<>();
        BaseSubscriber<Produced<Long>> consumer = new BaseSubscriber<>() {
            @Override
            protected void hookOnSubscribe(Subscription subscription) {
                // no demand yet: the test asks for it in steps
            }

            @Override
            protected void hookOnNext(Produced<Long> produced) {
                sequences.accept(produced.producer(), produced.value(), 0);
            }

            @Override
            protected void hookOnComplete() {
                end.complete(null);
            }

            @Override
            protected void hookOnError(Throwable throwable) {
                end.completeExceptionally(throwable);
            }
        };
        aperture.subscriber("killed", Codecs.longs()).receiveFromProducersTagged(2).subscribe(consumer);
        // Both attached before any demand: one JVM that starts late cannot let the other run to its end.
        for (String name : List.of("victim", "survivor")) {
            Path section = ChannelFiles.subscriberPath(directory, "killed.p-" + name, 0);
            Await.until(() -> Files.exists(section), WAIT, () -> "consumer attached to " + name + ": " + section);
        }
        // Both mid-stream: each delivered at least 1,000, while the demand held back keeps the survivor far from its end.
        long requested = 0;
        while (sequences.count("victim") < 1_000 || sequences.count("survivor") < 1_000) {
            assertThat(requested).as("demand asked for before both producers delivered 1,000").isLessThan(count / 2);
            requested += 1_000;
            consumer.request(1_000);
            long expected = requested;
            Await.until(() -> sequences.total.get() == expected, WAIT,
                () -> expected + " delivered, " + sequences.total.get() + " so far");
        }
        long victimAtKill = sequences.count("victim");
        long survivorAtKill = sequences.count("survivor");
        victim.close(); // kill -9
        consumer.request(Long.MAX_VALUE);
        assertThat(end).succeedsWithin(WAIT);
        assertThat(sequences.firstDisorder.get()).isNull();
        assertThat(survivorAtKill).isLessThan(count);
        assertThat(sequences.count("survivor")).isEqualTo(count);
        // What the victim published before it died is delivered, in order, with no gap (checked by Sequences).
        assertThat(sequences.count("victim")).isGreaterThanOrEqualTo(victimAtKill);
        assertThat(survivor.awaitLineStartingWith("produced ", WAIT)).isEqualTo("produced " + count);
        assertThat(survivor.awaitExit(WAIT)).isZero();
    }

    @Test
    void shouldDropAStaleProducerRingAtOnce() {
        ChildJvm dead = producer("stale", "dead", Long.MAX_VALUE, 0);
        Path staleRing = directory.resolve("stale.p-dead.ring");
        Await.until(() -> Files.exists(staleRing), WAIT, () -> "ring " + staleRing);
        dead.close(); // killed before any subscriber came: its ring stays behind
        producer("stale", "live", 1_000, 0);
        Sequences sequences = new Sequences();
        Long received = Aperture.create(directory, ChannelOptions.defaults().withAttachTimeout(Duration.ofSeconds(1)))
            .subscriber("stale", Codecs.longs()).receiveFromProducersTagged(1)
            .doOnNext(p -> sequences.accept(p.producer(), p.value(), 0))
            .count()
            .block(WAIT);
        assertThat(received).isEqualTo(1_000);
        assertThat(sequences.count("live")).isEqualTo(1_000);
        assertThat(sequences.firstDisorder.get()).isNull();
        // Left (a file, or a sealed ring's dangling link) for the next producer of that name, or the CLI, to clean.
        assertThat(ChannelFiles.present(staleRing)).as("%s left behind", staleRing).isTrue();
    }

    @Test
    void shouldReceiveAProducerRestartedUnderTheSameName() {
        ChildJvm first = producer("restart", "r", Long.MAX_VALUE, 0);
        Sequences sequences = new Sequences(); // "r#1" values < OFFSET, "r#2" values from OFFSET
        AtomicReference<Throwable> error = new AtomicReference<>();
        reactor.core.Disposable subscription = aperture.subscriber("restart", Codecs.longs())
            .receiveFromProducersTagged(Integer.MAX_VALUE)
            .subscribe(p -> sequences.accept(p.value() >= OFFSET ? "r#2" : "r#1", p.value(), p.value() >= OFFSET ? OFFSET : 0),
                error::set);
        try {
            Await.until(() -> sequences.count("r#1") >= 1_000, WAIT, () -> "1,000 from the first incarnation");
            first.close(); // kill -9; its ring stays until the next producer of that name removes it
            producer("restart", "r", 1_000, OFFSET);
            Await.until(() -> sequences.count("r#2") == 1_000, WAIT,
                () -> "1,000 from the restarted producer, " + sequences.count("r#2") + " so far");
            assertThat(sequences.firstDisorder.get()).isNull();
            assertThat(error.get()).isNull();
        } finally {
            subscription.dispose();
        }
    }

    @Test
    void shouldRejectInvalidProducerNamesNamingThem() {
        assertThatThrownBy(() -> aperture.producer("orders", "a.b", Codecs.longs()))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'a.b'");
        assertThatThrownBy(() -> aperture.producer("orders", "-a", Codecs.longs()))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'-a'");
        assertThatThrownBy(() -> aperture.producer("o".repeat(90), "a".repeat(20), Codecs.longs()))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("113 characters > 100");
        assertThatThrownBy(() -> aperture.subscriber("orders", Codecs.longs()).receiveFromProducers(0))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("min producers 0 < 1");
        assertThat(aperture.producer("orders", "east-1_a", Codecs.longs()).channel()).isEqualTo("orders.p-east-1_a");
    }
}
