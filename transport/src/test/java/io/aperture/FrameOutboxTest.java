package io.aperture;

import io.aperture.internal.composite.Frame;
import io.aperture.internal.composite.FrameCodec;
import io.aperture.internal.composite.FrameKind;
import io.aperture.internal.composite.FrameOutbox;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The interactions' outbox: frames from many sender threads reach the channel each once, each sender's in the order
 * it sent them, whether the sender wrote its frame into the ring itself (the ring had room) or the outbox's worker
 * did (the ring was full, or frames were queued before it): a small ring and a consumer that is slow at first
 * make the worker write, and each sender's last frames, sent one at a time, meet an idle outbox and are written by
 * their senders.
 */
class FrameOutboxTest {
    private static final int SENDERS = 4;
    private static final int PER_SENDER = 5_000;
    /** Of each sender's frames, the last ones are sent each after the previous one was written. */
    private static final int ONE_AT_A_TIME = 200;

    private final Path directory = TestDirectories.create();
    private final Aperture aperture = Aperture.create(directory);

    @AfterEach
    void tearDown() {
        try {
            Await.noApertureThreads(Duration.ofSeconds(10));
        } finally {
            TestDirectories.delete(directory);
        }
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void shouldWriteEveryFrameOnceInEachSendersOrderInlineOrThroughTheWorker() throws Exception {
        FrameCodec<Long> codec = new FrameCodec<>(Codecs.longs());
        ChannelOptions options = aperture.defaults().withRingCapacity(4096); // 64 slots: the senders fill it
        FrameOutbox<Long> outbox = new FrameOutbox<>();
        CompletableFuture<Void> published = aperture.publisher("outbox", codec, options).publish(outbox.frames())
            .toFuture();
        AtomicLong slowFirst = new AtomicLong(2_000);
        CompletableFuture<List<Frame<Long>>> received = aperture.subscriber("outbox", codec, options).receive()
            .doOnNext(frame -> {
                if (slowFirst.getAndDecrement() > 0) {
                    long until = System.nanoTime() + 20_000; // work per frame: the ring fills behind it
                    while (System.nanoTime() < until) {
                        Thread.onSpinWait();
                    }
                }
            })
            .collectList().toFuture();

        // A first frame, written once the channel is subscribed and has demand: the senders start on an empty queue.
        CountDownLatch firstWritten = new CountDownLatch(1);
        assertThat(outbox.send(Frame.of(FrameKind.NEXT, SENDERS + 1, 0, 0L).onWritten(firstWritten::countDown))).isTrue();
        assertThat(firstWritten.await(30, TimeUnit.SECONDS)).as("the first frame written").isTrue();
        // true: by a sender thread (its own frame or one queued before it), false: by the outbox's worker
        ConcurrentHashMap<Boolean, AtomicLong> writtenBy = new ConcurrentHashMap<>();
        CountDownLatch start = new CountDownLatch(1);
        List<Thread> senders = new ArrayList<>();
        for (int s = 0; s < SENDERS; s++) {
            long sender = s;
            Thread t = new Thread(() -> {
                try {
                    start.await();
                } catch (InterruptedException e) {
                    return;
                }
                for (long i = 0; i < PER_SENDER; i++) {
                    Frame<Long> frame = Frame.of(FrameKind.NEXT, sender + 1, 0, i); // id 0 is the connection's
                    AtomicBoolean written = new AtomicBoolean();
                    frame.onWritten(() -> {
                        writtenBy.computeIfAbsent(Thread.currentThread().getName().startsWith("outbox-sender-"),
                            k -> new AtomicLong()).incrementAndGet();
                        written.set(true);
                    });
                    assertThat(outbox.send(frame)).isTrue();
                    // The last frames one at a time, each once the previous was written: they meet an idle outbox.
                    while (i >= PER_SENDER - ONE_AT_A_TIME && !written.get()) {
                        Thread.yield();
                    }
                }
            }, "outbox-sender-" + s);
            t.start();
            senders.add(t);
        }
        start.countDown();
        for (Thread t : senders) {
            t.join(TimeUnit.SECONDS.toMillis(30));
            assertThat(t.isAlive()).as(t.getName()).isFalse();
        }
        outbox.complete();
        assertThat(outbox.send(Frame.of(FrameKind.NEXT, 1, 0, -1L))).as("a send after the completion").isFalse();

        List<Frame<Long>> frames = received.get(30, TimeUnit.SECONDS);
        published.get(30, TimeUnit.SECONDS);
        assertThat(frames).hasSize(SENDERS * PER_SENDER + 1);
        assertThat(frames.get(0).correlationId).isEqualTo(SENDERS + 1);
        long[] next = new long[SENDERS];
        for (Frame<Long> frame : frames.subList(1, frames.size())) {
            int sender = (int) frame.correlationId - 1;
            assertThat(frame.value).as("sender %d's next frame", sender).isEqualTo(next[sender]);
            next[sender]++;
        }
        assertThat(writtenBy.get(true)).as("frames a sender wrote itself").isNotNull();
        assertThat(writtenBy.get(false)).as("frames the worker wrote (the ring was full)").isNotNull();
        assertThat(writtenBy.get(true).get() + writtenBy.get(false).get()).isEqualTo(SENDERS * PER_SENDER);
    }

    /**
     * A request that finds nothing queued leaves the worker asleep (the sender of the next frame writes it itself):
     * a frame sent while the first demand arrives is still written, once, whichever of the two comes first. Either
     * the request sees the frame queued and drains it, or the sender's own drain sees the demand.
     */
    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void shouldWriteAFrameSentWhileTheFirstDemandArrivesOnce() throws Exception {
        for (int round = 0; round < 2_000; round++) {
            FrameOutbox<Long> outbox = new FrameOutbox<>();
            TakingSink sink = new TakingSink();
            outbox.frames().subscribe(sink);
            long value = round;
            CountDownLatch written = new CountDownLatch(1);
            CountDownLatch start = new CountDownLatch(1);
            Thread sender = new Thread(() -> {
                try {
                    start.await();
                } catch (InterruptedException e) {
                    return;
                }
                assertThat(outbox.send(Frame.of(FrameKind.NEXT, 1, 0, value).onWritten(written::countDown))).isTrue();
            }, "outbox-sender-race");
            sender.start();
            start.countDown();
            sink.subscription.request(1);
            sender.join(TimeUnit.SECONDS.toMillis(30));
            assertThat(written.await(30, TimeUnit.SECONDS)).as("round %d: the frame written", round).isTrue();
            outbox.complete();
            assertThat(sink.completed.await(30, TimeUnit.SECONDS)).as("round %d: completed", round).isTrue();
            assertThat(sink.values).as("round %d", round).containsExactly(value);
        }
    }

    /** A frame sent before any demand waits in the queue; the first request finds it there and has it written. */
    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void shouldWriteAFrameSentBeforeAnyDemandOnceTheFirstRequestArrives() throws Exception {
        FrameOutbox<Long> outbox = new FrameOutbox<>();
        TakingSink sink = new TakingSink();
        outbox.frames().subscribe(sink);
        CountDownLatch written = new CountDownLatch(1);
        assertThat(outbox.send(Frame.of(FrameKind.NEXT, 1, 0, 7L).onWritten(written::countDown))).isTrue();
        assertThat(written.getCount()).as("no demand yet: not written").isOne();
        assertThat(sink.values).isEmpty();
        sink.subscription.request(1);
        assertThat(written.await(30, TimeUnit.SECONDS)).as("written after the request").isTrue();
        assertThat(sink.values).containsExactly(7L);
        outbox.complete();
        assertThat(sink.completed.await(30, TimeUnit.SECONDS)).isTrue();
    }

    /** A channel end that takes every frame offered without waiting, on any thread. */
    private static final class TakingSink implements RingSink<Frame<Long>> {
        final List<Long> values = new java.util.concurrent.CopyOnWriteArrayList<>();
        final CountDownLatch completed = new CountDownLatch(1);
        volatile org.reactivestreams.Subscription subscription;

        @Override
        public void onSubscribe(org.reactivestreams.Subscription s) {
            subscription = s;
        }

        @Override
        public boolean tryWrite(Frame<Long> frame) {
            values.add(frame.value);
            return true;
        }

        @Override
        public void onNext(Frame<Long> frame) {
            values.add(frame.value);
        }

        @Override
        public void onError(Throwable t) {
            values.add(Long.MIN_VALUE); // no error is expected: it shows as a second value
            completed.countDown();
        }

        @Override
        public void onComplete() {
            completed.countDown();
        }
    }
}
