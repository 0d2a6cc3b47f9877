package io.aperture;

import io.aperture.internal.section.ChannelFiles;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Ends that are synchronous: when {@code close()}, {@code dispose()} or {@code cancel()} returns, no write goes
 * through any more and the end's files are gone; a JVM stopped by SIGTERM removes its sections too.
 */
@Timeout(120)
class SynchronousEndsTest {
    private static final Duration WAIT = Duration.ofSeconds(30);
    private final Path directory = TestDirectories.create();
    private final Aperture aperture = Aperture.create(directory, ChannelOptions.defaults().withRingCapacity(1 << 14)
        .withWaiting(Waiting.BACKOFF).withAttachTimeout(WAIT));
    private final List<ChildJvm> children = new ArrayList<>();

    @AfterEach
    void tearDown() {
        children.forEach(ChildJvm::close);
        TestDirectories.delete(directory);
    }

    private ChildJvm child(String role, Object... args) {
        ChildJvm child = ChildJvm.start(role, args);
        children.add(child);
        return child;
    }

    @Test
    void shouldRemoveTheRingAndRefuseWritesOnceRingPublisherCloseReturns() throws Exception {
        Path ring = ChannelFiles.ringPath(directory, "raw-close");
        AtomicLong received = new AtomicLong();
        try (RingDrain drain = aperture.subscriber("raw-close", Codecs.longs()).drain(value -> received.incrementAndGet())) {
            RingPublisher<Long> publisher = aperture.publisher("raw-close", Codecs.longs()).open();
            assertThat(publisher.awaitSubscriber(WAIT)).isTrue();
            assertThat(publisher.publish(1L)).isTrue();

            publisher.close();

            assertThat(Files.exists(ring)).as("ring file after close() returned").isFalse();
            assertThat(publisher.publish(2L)).as("publish after close").isFalse();
            assertThat(publisher.write(3L)).as("write after close").isFalse();
            publisher.flush();
            publisher.complete(); // does nothing: the channel was closed, not completed
            assertThat(drain.await(WAIT)).isTrue();
            assertThat(drain.isCompleted()).as("a closed channel does not complete").isFalse();
            assertThat(drain.failure()).isInstanceOf(ApertureException.class).hasMessageContaining("CLOSED");
        }
    }

    @Test
    void shouldRemoveTheRingOnceTheDisposeOfPublishReturns() {
        Path ring = ChannelFiles.ringPath(directory, "dispose");
        Disposable publishing = aperture.publisher("dispose", Codecs.longs()).publish(Flux.<Long>never()).subscribe();
        assertThat(Files.exists(ring)).as("the ring is created on subscription").isTrue();

        publishing.dispose();

        assertThat(Files.exists(ring)).as("ring file after dispose() returned").isFalse();
    }

    @Test
    void shouldRemoveTheSubscribersSectionOnceItsCancelReturns() {
        // A synchronous endless source: it emits inside request() on the conductor, which must still hear the end.
        java.util.concurrent.CompletableFuture<Void> published = aperture.publisher("cancel", Codecs.longs())
            .publish(Flux.<Long>generate(sink -> sink.next(1L))).toFuture();
        try {
            Path sub = ChannelFiles.subscriberPath(directory, "cancel", 0);
            AtomicLong received = new AtomicLong();
            Disposable receiving = aperture.subscriber("cancel", Codecs.longs()).receive()
                .subscribe(v -> received.incrementAndGet());
            Await.until(() -> received.get() > 0, WAIT, () -> "a first element");
            assertThat(Files.exists(sub)).isTrue();

            receiving.dispose();

            assertThat(Files.exists(sub)).as("subscriber section after dispose() returned").isFalse();
            // Its only subscriber gone, the publisher cancels the source and completes.
            assertThat(published).succeedsWithin(WAIT);
        } finally {
            published.cancel(true);
        }
    }

    @Test
    void shouldRemoveTheRingWhenThePublishersJvmIsStoppedBySigterm() {
        Path ring = ChannelFiles.ringPath(directory, "sigterm");
        ChildJvm publisher = child("publish-endless", directory, "sigterm");
        Await.until(() -> Files.exists(ring), WAIT, () -> "the child's ring; output " + publisher.lines());

        publisher.terminate();

        assertThat(publisher.awaitExit(WAIT)).as("exit status after SIGTERM").isNotZero();
        assertThat(Files.exists(ring)).as("ring file after the publisher's JVM exited on SIGTERM; output %s",
            publisher.lines()).isFalse();
    }

    @Test
    void shouldEndTheSubscribersOfAJvmStoppedBySigtermAtOnce() {
        ChildJvm publisher = child("publish-endless", directory, "sigterm-sub");
        List<Long> values = new ArrayList<>();
        Throwable[] end = new Throwable[1];
        Disposable receiving = aperture.subscriber("sigterm-sub", Codecs.longs()).receive()
            .subscribe(v -> {
                synchronized (values) {
                    values.add(v);
                }
            }, e -> end[0] = e);
        try {
            Await.until(() -> {
                synchronized (values) {
                    return !values.isEmpty();
                }
            }, WAIT, () -> "a first element; publisher output " + publisher.lines());

            publisher.terminate();

            Await.until(() -> end[0] != null, WAIT, () -> "the subscriber's end");
            // The hook closed the channel: the subscriber learns it from the ring's state, not from a dead pid.
            assertThat(end[0]).isInstanceOf(ApertureException.class).hasMessageContaining("ended the channel (CLOSED)");
        } finally {
            receiving.dispose();
        }
    }
}
