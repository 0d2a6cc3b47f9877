package io.aperture;

import io.aperture.internal.ring.RecordCheck;
import io.aperture.internal.section.ChannelFiles;
import io.aperture.internal.section.MappedSection;
import io.aperture.internal.section.RingDescriptor;
import io.aperture.internal.section.RingHeader;
import io.aperture.internal.section.SectionPlatform;
import io.aperture.internal.section.ShmSequence;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import reactor.core.publisher.Flux;
import reactor.test.StepVerifier;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Both ends in different OS processes: this JVM and a second one started with {@link ChildJvm}. Every
 * test has a timeout and kills its children in teardown; conditions are awaited, never slept on.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class CrossProcessChannelTest {
    private static final Duration WAIT = Duration.ofSeconds(60);

    private final Path directory = TestDirectories.create();
    private final Aperture aperture = Aperture.create(directory,
        ChannelOptions.defaults().withAttachTimeout(Duration.ofSeconds(30)));
    private final List<ChildJvm> children = new ArrayList<>();

    private ChildJvm child(String role, Object... args) {
        ChildJvm child = ChildJvm.start(role, args);
        children.add(child);
        return child;
    }

    @AfterEach
    void tearDown() {
        TestDirectories.endCrossProcessTest(directory, children, Duration.ofSeconds(10), true);
    }

    @Test
    void shouldDeliverTenMillionLongsInOrderWhenSubscriberStartsFirst() {
        long count = 10_000_000L;
        AtomicLong expected = new AtomicLong();
        CompletableFuture<Long> sum = aperture.subscriber("ten-million", Codecs.longs()).receive()
            .doOnNext(v -> {
                long e = expected.getAndIncrement();
                if (v != e) {
                    throw new AssertionError("expected " + e + " got " + v);
                }
            })
            .reduce(0L, Long::sum)
            .toFuture();
        ChildJvm publisher = child("publish-longs", directory, "ten-million", count);

        assertThat(sum).succeedsWithin(Duration.ofSeconds(100)).isEqualTo(count * (count - 1) / 2);
        assertThat(expected.get()).isEqualTo(count);
        assertThat(publisher.awaitExit(WAIT)).isZero();
        assertThat(publisher.lines()).contains("produced " + count);
    }

    @Test
    void shouldProduceUpstreamOnlyWhatTheRemoteSubscriberRequested() {
        ChildJvm publisher = child("publish-longs", directory, "demand", 1_000_000);
        Path ring = ChannelFiles.ringPath(directory, "demand");

        StepVerifier.create(aperture.subscriber("demand", Codecs.longs()).receive(), 0)
            .thenRequest(10)
            .expectNext(0L, 1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L, 9L)
            .then(() -> holdWhilePublisherConductorRuns(ring))
            .then(() -> assertThat(publishedNow(ring)).isEqualTo(10))
            .thenCancel()
            .verify(WAIT);

        assertThat(publisher.awaitExit(WAIT)).isZero();
        // The documented window adds nothing on the publisher side: upstream demand is exactly remote demand.
        assertThat(publisher.lines()).contains("requested-total 10", "produced 10");
    }

    /** Waits until the publisher's heartbeat advanced twice: its conductor has read our demand several times. */
    private static void holdWhilePublisherConductorRuns(Path ring) {
        long first = readRingLong(ring, RingDescriptor.HEARTBEAT_OFFSET);
        Await.until(() -> readRingLong(ring, RingDescriptor.HEARTBEAT_OFFSET) != first, WAIT, () -> "heartbeat moves");
        long second = readRingLong(ring, RingDescriptor.HEARTBEAT_OFFSET);
        Await.until(() -> readRingLong(ring, RingDescriptor.HEARTBEAT_OFFSET) != second, WAIT, () -> "heartbeat moves");
    }

    /**
     * Messages published, as a tool derives them from the ring: the lazy {@code published} word at the lazy
     * {@code cursor}, plus the DATA records committed after it.
     */
    private static long publishedNow(Path ring) {
        try (MappedSection section = SectionPlatform.current().open(ring, -1, false)) {
            ByteBuffer b = section.buffer();
            RingHeader header = RingHeader.read(ring.getFileName().toString(), b, b.capacity());
            long published = (long) ShmSequence.LONG.getAcquire(b, RingDescriptor.PUBLISHED_OFFSET);
            long cursor = RingHeader.cursor(b);
            RecordCheck check = new RecordCheck(ring.getFileName().toString(), header.capacity, header.slotLength,
                header.maxMessageLength, (header.flags & RingDescriptor.FLAG_DOUBLE_MAPPED) != 0);
            return check.walk(b, cursor, published, Long.MAX_VALUE)[1];
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static long readRingLong(Path ring, int offset) {
        try (MappedSection section = SectionPlatform.current().open(ring, -1, false)) {
            ByteBuffer b = section.buffer();
            return (long) ShmSequence.LONG.getAcquire(b, offset);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    void shouldCancelUpstreamInPublisherProcessWhenRemoteSubscriberCancels() {
        CountDownLatch upstreamCancelled = new CountDownLatch(1);
        AtomicLong produced = new AtomicLong();
        CompletableFuture<Void> publishing = aperture.publisher("cancel", Codecs.longs())
            .publish(Flux.<Long, Long>generate(() -> 0L, (i, sink) -> {
                sink.next(i);
                return i + 1;
            }).doOnNext(v -> produced.incrementAndGet()).doOnCancel(upstreamCancelled::countDown))
            .toFuture();
        ChildJvm subscriber = child("receive-take", directory, "cancel", 100);

        assertThat(subscriber.awaitExit(WAIT)).isZero();
        assertThat(subscriber.lines()).contains("received 100 sum 4950");
        assertThat(awaitLatch(upstreamCancelled)).as("upstream saw cancel").isTrue();
        assertThat(publishing).succeedsWithin(WAIT);
        // take(100) requests 100 from the remote Flux: the upstream never ran ahead of it.
        assertThat(produced.get()).isEqualTo(100);
    }

    @Test
    void shouldSignalRemoteErrorAfterEveryEarlierElement() {
        ChildJvm publisher = child("publish-fail", directory, "error", 1000, "boom-42");
        StepVerifier.create(aperture.subscriber("error", Codecs.longs()).receive())
            .expectNextSequence(Flux.range(0, 1000).map(Integer::longValue).toIterable())
            .expectErrorSatisfies(e -> {
                assertThat(e).isInstanceOf(RemoteException.class);
                RemoteException remote = (RemoteException) e;
                assertThat(remote.remoteClassName()).isEqualTo("java.lang.IllegalStateException");
                assertThat(remote.remoteMessage()).isEqualTo("boom-42");
                assertThat(remote).hasMessageContaining("java.lang.IllegalStateException: boom-42");
            })
            .verify(WAIT);
        assertThat(publisher.awaitExit(WAIT)).isZero();
        assertThat(publisher.lines()).contains("publish failed as told: boom-42");
    }

    @Test
    void shouldCompleteAfterEveryElementWhenPublisherStartsFirst() {
        ChildJvm publisher = child("publish-longs", directory, "complete", 5000);
        publisher.awaitLineStartingWith("publishing", WAIT);
        StepVerifier.create(aperture.subscriber("complete", Codecs.longs()).receive())
            .expectNextSequence(Flux.range(0, 5000).map(Integer::longValue).toIterable())
            .verifyComplete();
        assertThat(publisher.awaitExit(WAIT)).isZero();
        assertThat(publisher.lines()).contains("produced 5000");
    }

    @Test
    void shouldErrorWithAnExactPrefixWhenPublisherProcessIsKilled() {
        ChildJvm publisher = child("publish-endless", directory, "killed");
        List<Long> received = new ArrayList<>();
        CountDownLatch thousand = new CountDownLatch(1000);
        CompletableFuture<Void> done = aperture.subscriber("killed", Codecs.longs()).receive()
            .doOnNext(v -> {
                received.add(v);
                thousand.countDown();
            })
            .then()
            .toFuture();
        assertThat(awaitLatch(thousand)).isTrue();
        publisher.close(); // SIGKILL

        assertThat(done).failsWithin(WAIT).withThrowableThat()
            .havingRootCause().isInstanceOf(ApertureException.class)
            .withMessageContaining("pid " + publisher.pid()).withMessageContaining("died");
        for (int i = 0; i < received.size(); i++) {
            assertThat(received.get(i)).isEqualTo((long) i);
        }
        // The killed publisher cannot remove its ring's name; the next publisher of the name does (a stale file, or
        // the dangling link of a sealed ring).
        Path ring = ChannelFiles.ringPath(directory, "killed");
        assertThat(ChannelFiles.present(ring)).as("%s left behind", ring).isTrue();
        CompletableFuture<Void> next = aperture.publisher("killed", Codecs.longs()).publish(Flux.empty()).toFuture();
        StepVerifier.create(aperture.subscriber("killed", Codecs.longs()).receive()).verifyComplete();
        assertThat(next).succeedsWithin(WAIT);
    }

    @Test
    void shouldMapThePeersSectionReadOnlyInBothProcesses() throws java.io.IOException {
        Path selfMaps = Path.of("/proc/self/maps");
        org.junit.jupiter.api.Assumptions.assumeTrue(java.nio.file.Files.isReadable(selfMaps), "needs /proc (Linux)");
        reactor.core.Disposable publishing = aperture.publisher("rooms", Codecs.longs()).publish(Flux.never()).subscribe();
        ChildJvm subscriber = child("receive-take", directory, "rooms", 10);
        Path sub = ChannelFiles.subscriberPath(directory, "rooms", 0);
        Await.until(() -> java.nio.file.Files.exists(sub), WAIT, () -> "subscriber section created");
        Path ring = ChannelFiles.ringPath(directory, "rooms");
        Path childMaps = Path.of("/proc", Long.toString(subscriber.pid()), "maps");
        Await.until(() -> !mappingModes(childMaps, sub).isEmpty(), WAIT, () -> "child mapped its section");

        assertThat(mappingModes(childMaps, ring)).as("ring in the subscriber process").containsOnly("r--s");
        assertThat(mappingModes(childMaps, sub)).as("own section in the subscriber process").containsOnly("rw-s");
        Await.until(() -> !mappingModes(selfMaps, sub).isEmpty(), WAIT, () -> "publisher mapped the subscriber section");
        assertThat(mappingModes(selfMaps, sub)).as("subscriber section in the publisher process").containsOnly("r--s");
        assertThat(mappingModes(selfMaps, ring)).as("ring in the publisher process").contains("rw-s");

        publishing.dispose(); // the subscriber then fails (channel closed) and removes its section
        assertThat(subscriber.awaitExit(WAIT)).isEqualTo(1);
        assertThat(subscriber.lines()).anyMatch(l -> l.contains("ended the channel (CLOSED) without completing"));
    }

    /**
     * Permission fields of the mappings of {@code file} (matched by inode, the link followed: a file was mapped under a
     * temporary name, a sealed section shows as {@code /memfd:aperture:...}).
     */
    private static List<String> mappingModes(Path maps, Path file) {
        try {
            String inode = String.valueOf(java.nio.file.Files.getAttribute(file, "unix:ino"));
            return java.nio.file.Files.readAllLines(maps).stream()
                .map(l -> l.split("\\s+"))
                .filter(f -> f.length >= 6 && f[4].equals(inode)
                    && (f[5].contains("aperture-test-") || f[5].startsWith("/memfd:aperture:")))
                .map(f -> f[1])
                .distinct()
                .toList();
        } catch (java.io.IOException e) {
            return List.of(); // the process or the file is gone
        }
    }

    private static boolean awaitLatch(CountDownLatch latch) {
        try {
            return latch.await(WAIT.toSeconds(), TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
