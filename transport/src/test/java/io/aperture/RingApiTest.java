package io.aperture;

import io.aperture.internal.section.ChannelFiles;
import io.aperture.internal.section.MappedSection;
import io.aperture.internal.section.SectionPlatform;
import io.aperture.internal.section.SubscriberDescriptor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import reactor.test.StepVerifier;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The raw ring API: {@link RingPublisher} (publish, batched write and flush) and {@link RingDrain}, in one
 * JVM and across two (a second JVM through {@link ChildJvm}). Conditions are awaited, never slept on.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class RingApiTest {
    private static final Duration WAIT = Duration.ofSeconds(60);

    private final Path directory = TestDirectories.create();
    private final Aperture aperture = Aperture.create(directory,
        ChannelOptions.defaults().withAttachTimeout(Duration.ofSeconds(30)));
    private final List<ChildJvm> children = new ArrayList<>();
    private final List<AutoCloseable> closeables = new ArrayList<>();

    @AfterEach
    void tearDown() throws Exception {
        for (AutoCloseable c : closeables) {
            c.close();
        }
        TestDirectories.endCrossProcessTest(directory, children, Duration.ofSeconds(10), true);
    }

    private <C extends AutoCloseable> C closing(C closeable) {
        closeables.add(closeable);
        return closeable;
    }

    /** Counts and sums what a drain receives, failing on the first value that is not the previous + 1. */
    private static final class Ordered implements MessageHandler<Long> {
        final AtomicLong count = new AtomicLong();
        final AtomicLong sum = new AtomicLong();

        @Override
        public void onMessage(Long value) {
            long expected = count.get();
            if (value != expected) {
                throw new IllegalStateException("expected " + expected + " got " + value);
            }
            sum.addAndGet(value);
            count.incrementAndGet();
        }
    }

    @Test
    void shouldDeliverPublishedAndBatchedMessagesInOrderThenComplete() throws Exception {
        Ordered received = new Ordered();
        RingDrain drain = closing(aperture.subscriber("mixed", Codecs.longs()).drain(received));
        long n = 200_000;
        try (RingPublisher<Long> ring = aperture.publisher("mixed", Codecs.longs()).open()) {
            assertThat(ring.awaitSubscriber(WAIT)).isTrue();
            for (long i = 0; i < n; i++) {
                // a third published one by one, the rest in batches of up to 100
                boolean written = i % 3 == 0 ? ring.publish(i) : ring.write(i);
                assertThat(written).isTrue();
                if (i % 100 == 99) {
                    ring.flush();
                }
            }
            ring.complete();
            assertThat(ring.awaitTermination(WAIT)).isTrue();
        }
        assertThat(drain.await(WAIT)).isTrue();
        assertThat(drain.failure()).isNull();
        assertThat(drain.isCompleted()).isTrue();
        assertThat(received.count.get()).isEqualTo(n);
        assertThat(received.sum.get()).isEqualTo(n * (n - 1) / 2);
    }

    @Test
    void shouldKeepWrittenMessagesInvisibleUntilFlush() {
        RingPublisher<Long> ring = closing(aperture.publisher("flush", Codecs.longs()).open());
        StepVerifier.create(aperture.subscriber("flush", Codecs.longs()).receive())
            .then(() -> {
                await(ring);
                for (long i = 0; i < 5; i++) {
                    assertThat(ring.write(i)).isTrue();
                }
            })
            .expectNoEvent(Duration.ofMillis(300)) // written, not published: nothing may arrive
            .then(ring::flush)
            .expectNext(0L, 1L, 2L, 3L, 4L)
            .then(() -> assertThat(ring.write(5L)).isTrue())
            .then(() -> assertThat(ring.publish(6L)).isTrue()) // publishes the batch before it too
            .expectNext(5L, 6L)
            .then(() -> assertThat(ring.write(7L)).isTrue())
            .then(ring::complete) // publishes the batch, then the completion
            .expectNext(7L)
            .expectComplete()
            .verify(WAIT);
    }

    @Test
    void shouldPublishABatchLargerThanTheRingWithoutFlush() throws Exception {
        // 64 slots: a batch of 10,000 fills the ring many times over; each wait for space publishes what was written.
        ChannelOptions small = aperture.defaults().withRingCapacity(4096).withMaxMessageLength(512);
        Ordered received = new Ordered();
        RingDrain drain = closing(aperture.subscriber("fills", Codecs.longs(), small).drain(received));
        long n = 10_000;
        try (RingPublisher<Long> ring = aperture.publisher("fills", Codecs.longs(), small).open()) {
            for (long i = 0; i < n; i++) {
                assertThat(ring.write(i)).isTrue();
            }
            ring.complete();
            assertThat(ring.awaitTermination(WAIT)).isTrue();
        }
        assertThat(drain.await(WAIT)).isTrue();
        assertThat(drain.failure()).isNull();
        assertThat(received.count.get()).isEqualTo(n);
    }

    @Test
    void shouldReportDemandOfTheSlowestSubscriber() {
        RingPublisher<Long> ring = closing(aperture.publisher("demand", Codecs.longs()).open());
        StepVerifier.create(aperture.subscriber("demand", Codecs.longs()).receive(), 0)
            .thenRequest(10)
            .then(() -> {
                await(ring);
                Await.until(() -> ring.demand() == 10, WAIT, () -> "demand " + ring.demand() + ", expected 10");
                for (long i = 0; i < 4; i++) {
                    ring.publish(i);
                }
                assertThat(ring.demand()).isEqualTo(6);
            })
            .expectNext(0L, 1L, 2L, 3L)
            .thenCancel()
            .verify(WAIT);
    }

    @Test
    void shouldFailTheChannelWithMessageTooLarge() throws Exception {
        ChannelOptions small = aperture.defaults().withRingCapacity(4096).withMaxMessageLength(256);
        AtomicReference<Throwable> error = new AtomicReference<>();
        RingDrain drain = closing(aperture.subscriber("large", Codecs.bytes(), small).drain(new MessageHandler<>() {
            @Override
            public void onMessage(byte[] value) {
            }

            @Override
            public void onError(Throwable e) {
                error.set(e);
            }
        }));
        RingPublisher<byte[]> ring = closing(aperture.publisher("large", Codecs.bytes(), small).open());
        assertThat(ring.publish(new byte[16])).isTrue();
        assertThatThrownBy(() -> ring.publish(new byte[1000]))
            .isInstanceOf(MessageTooLargeException.class)
            .hasMessageContaining("large");
        assertThat(drain.await(WAIT)).isTrue();
        assertThat(error.get()).isInstanceOf(RemoteException.class)
            .hasMessageContaining(MessageTooLargeException.class.getName());
        // The channel has ended with that failure: every later write says so.
        assertThatThrownBy(() -> ring.publish(new byte[16])).isInstanceOf(MessageTooLargeException.class);
        assertThatThrownBy(() -> ring.write(new byte[16])).isInstanceOf(MessageTooLargeException.class);
    }

    @Test
    void shouldEndTheDrainWithTheHandlersExceptionAndReleaseThePublisher() throws Exception {
        RingDrain drain = closing(aperture.subscriber("throws", Codecs.longs()).drain(v -> {
            if (v == 3) {
                throw new IllegalArgumentException("bad value " + v);
            }
        }));
        RingPublisher<Long> ring = closing(aperture.publisher("throws", Codecs.longs()).open());
        long i = 0;
        while (ring.publish(i)) { // returns false once the only subscriber has gone
            i++;
            assertThat(i).isLessThan(10_000_000);
        }
        assertThat(drain.await(WAIT)).isTrue();
        assertThat(drain.failure()).isInstanceOf(IllegalArgumentException.class).hasMessage("bad value 3");
        assertThat(ring.awaitTermination(WAIT)).isTrue();
    }

    @Test
    void shouldFailSubscribersWhenClosedWithoutCompleting() throws Exception {
        ConcurrentLinkedQueue<Long> values = new ConcurrentLinkedQueue<>();
        RingDrain drain = closing(aperture.subscriber("closed", Codecs.longs()).drain(values::add));
        RingPublisher<Long> ring = aperture.publisher("closed", Codecs.longs()).open();
        ring.publish(1L);
        ring.publish(2L);
        ring.close();
        assertThat(drain.await(WAIT)).isTrue();
        assertThat(values).containsExactly(1L, 2L);
        assertThat(drain.failure()).isInstanceOf(ApertureException.class).hasMessageContaining("without completing");
    }

    @Test
    void shouldStopWaitingForAFirstSubscriberWhenClosed() throws Exception {
        RingPublisher<Long> ring = aperture.publisher("nobody", Codecs.longs()).open();
        java.util.concurrent.CompletableFuture<Boolean> written =
            java.util.concurrent.CompletableFuture.supplyAsync(() -> ring.publish(1L));
        assertThat(ring.awaitSubscriber(Duration.ofMillis(50))).isFalse();
        ring.close();
        assertThat(written).succeedsWithin(WAIT).isEqualTo(false);
        assertThat(ring.awaitTermination(WAIT)).isTrue();
        Await.until(() -> !java.nio.file.Files.exists(ChannelFiles.ringPath(directory, "nobody")), WAIT,
            () -> "ring file of a closed publisher still there");
    }

    @Test
    void shouldDrainBatchesWrittenInAnotherProcess() throws Exception {
        long n = 2_000_000;
        Ordered received = new Ordered();
        RingDrain drain = closing(aperture.subscriber("xp-batch", Codecs.longs()).drain(received));
        ChildJvm publisher = ChildJvm.start("ring-publish", directory, "xp-batch", n, 64);
        children.add(publisher);
        assertThat(drain.await(Duration.ofSeconds(100))).isTrue();
        assertThat(drain.failure()).isNull();
        assertThat(drain.isCompleted()).isTrue();
        assertThat(received.count.get()).isEqualTo(n);
        assertThat(received.sum.get()).isEqualTo(n * (n - 1) / 2);
        assertThat(publisher.awaitExit(WAIT)).isZero();
        assertThat(publisher.lines()).contains("written " + n);
    }

    @Test
    void shouldServeAPollingDrainInAnotherProcessWithoutWakeChecks() throws Exception {
        // The drain polls (BACKOFF): its section says so and the publisher adds it to no wake check.
        long n = 500_000;
        ChildJvm subscriber = ChildJvm.start("ring-drain", directory, "xp-poll", Waiting.BACKOFF);
        children.add(subscriber);
        try (RingPublisher<Long> ring = aperture.publisher("xp-poll", Codecs.longs()).open()) {
            assertThat(ring.awaitSubscriber(WAIT)).isTrue();
            for (long i = 0; i < n; i++) {
                assertThat(ring.publish(i)).isTrue();
            }
            ring.complete();
            assertThat(ring.awaitTermination(WAIT)).isTrue();
        }
        assertThat(subscriber.awaitLineStartingWith("drained", WAIT)).isEqualTo("drained " + n + " sum " + n * (n - 1) / 2);
        assertThat(subscriber.awaitLineStartingWith("complete", WAIT)).isEqualTo("complete");
        assertThat(subscriber.awaitExit(WAIT)).isZero();
    }

    @Test
    void shouldReadThePollingFlagFromTheSubscriberSection() throws Exception {
        Ordered received = new Ordered();
        closing(aperture.subscriber("flag", Codecs.longs(), aperture.defaults().withWaiting(Waiting.YIELDING))
            .drain(received));
        RingPublisher<Long> ring = closing(aperture.publisher("flag", Codecs.longs()).open());
        assertThat(ring.awaitSubscriber(WAIT)).isTrue();
        Path sub = ChannelFiles.subscriberPath(directory, "flag", 0);
        try (MappedSection section = SectionPlatform.current().open(sub, SubscriberDescriptor.LENGTH, false)) {
            ByteBuffer b = section.buffer();
            assertThat(b.getInt(SubscriberDescriptor.FLAGS_OFFSET) & SubscriberDescriptor.FLAG_POLLS)
                .isEqualTo(SubscriberDescriptor.FLAG_POLLS);
        }
        ring.publish(0L);
        Await.until(() -> received.count.get() == 1, WAIT, () -> "received " + received.count.get());
    }

    private static void await(RingPublisher<?> ring) {
        try {
            assertThat(ring.awaitSubscriber(WAIT)).isTrue();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /**
     * Behind a slow subscriber the writer regains space record by record, not once per quarter ring: the drain's
     * batch ends once it has run a millisecond, and stores {@code consumed} then. With the ring full, the writer's
     * count minus the ring's records is the subscriber's consumed position; its lag behind what was delivered is
     * sampled over 500 deliveries of 1 ms of work each (a quarter ring is 256 records here).
     */
    @Test
    void shouldReturnSpaceToTheWriterWhileASlowSubscriberWorksThroughItsBatch() throws Exception {
        int slots = 1024; // a 64 KiB ring of 64-byte slots; one long per slot
        ChannelOptions small = aperture.defaults().withRingCapacity(slots * ChannelOptions.DEFAULT_SLOT_LENGTH)
            .withWaiting(Waiting.BLOCKING);
        AtomicLong written = new AtomicLong();
        List<Long> lags = new java.util.concurrent.CopyOnWriteArrayList<>();
        java.util.concurrent.CountDownLatch sampled = new java.util.concurrent.CountDownLatch(1);
        MessageHandler<Long> slow = value -> {
            long n = value + 1; // delivered so far, this one included
            if (n >= 300 && n < 800 && n % 5 == 0) {
                lags.add(n - (written.get() - (slots - 1)));
            } else if (n == 800) {
                sampled.countDown();
            }
            java.util.concurrent.locks.LockSupport.parkNanos(1_000_000L); // the subscriber's work, 1 ms a message
        };
        RingDrain drain = closing(aperture.subscriber("slow", Codecs.longs(), small).drain(slow));
        try (RingPublisher<Long> ring = aperture.publisher("slow", Codecs.longs(), small).open()) {
            assertThat(ring.awaitSubscriber(WAIT)).isTrue();
            Thread writer = new Thread(() -> {
                for (long i = 0; sampled.getCount() > 0; i++) {
                    if (!ring.publish(i)) {
                        return;
                    }
                    written.set(i + 1);
                }
            }, "slow-writer");
            writer.start();
            assertThat(sampled.await(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
            writer.join(WAIT.toMillis()); // its next publish finds space (the drain goes on) and it sees the latch
        }
        List<Long> sorted = new ArrayList<>(lags);
        sorted.sort(null);
        long median = sorted.get(sorted.size() / 2);
        // Before batches were bounded in time, the lag ran up to 255 in a saw-tooth (median about 128).
        assertThat(median).as("median lag of consumed behind delivered, in records; samples %s", lags)
            .isLessThanOrEqualTo(48);
        assertThat(drain.failure()).isNull();
    }
}
