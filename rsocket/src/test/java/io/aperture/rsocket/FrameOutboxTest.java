package io.aperture.rsocket;

import io.aperture.RingSink;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.reactivestreams.Subscriber;
import org.reactivestreams.Subscription;

import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The outbox of an RSocket connection end: records in send order, only on demand, each released exactly once,
 * whether written, queued when the channel stopped reading, or sent while it closed.
 */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
final class FrameOutboxTest {

    @Test
    void deliversInSendOrderOnDemandAndReleasesEachAfterItsOnNext() throws InterruptedException {
        FrameOutbox outbox = new FrameOutbox();
        List<ByteBuf> sent = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            ByteBuf frame = frame(i);
            sent.add(frame);
            assertThat(outbox.send(RingFrame.frame(frame))).isTrue();
        }
        Recorder recorder = new Recorder();
        outbox.records().subscribe(recorder);
        recorder.subscription.request(3);
        recorder.awaitValues(3);
        assertThat(recorder.values).containsExactly(0, 1, 2);
        assertThat(sent.get(3).refCnt()).as("not asked for: still queued").isEqualTo(1);

        outbox.complete();
        assertThat(outbox.send(RingFrame.frame(frame(9)))).as("a send after complete is refused").isFalse();
        recorder.subscription.request(10);
        assertThat(recorder.done.await(30, TimeUnit.SECONDS)).isTrue();
        assertThat(recorder.values).containsExactly(0, 1, 2, 3, 4);
        assertThat(recorder.liveInOnNext).as("each frame was live while the channel wrote it").isEqualTo(5);
        assertThat(recorder.error.get()).isNull();
        sent.forEach(f -> assertThat(f.refCnt()).isZero());
    }

    @Test
    void closeReleasesWhatTheChannelNeverReadAndRefusesLaterSends() {
        FrameOutbox outbox = new FrameOutbox();
        ByteBuf queued = frame(1);
        outbox.send(RingFrame.frame(queued));
        outbox.close();
        assertThat(queued.refCnt()).isZero();
        ByteBuf late = frame(2);
        assertThat(outbox.send(RingFrame.frame(late))).isFalse();
        assertThat(late.refCnt()).as("a refused frame stays the caller's").isEqualTo(1);
        late.release();
        outbox.close(); // twice is harmless
    }

    @Test
    void aNonPositiveRequestFailsTheChannelAndReleasesTheQueue() throws InterruptedException {
        FrameOutbox outbox = new FrameOutbox();
        ByteBuf queued = frame(1);
        outbox.send(RingFrame.frame(queued));
        Recorder recorder = new Recorder();
        outbox.records().subscribe(recorder);
        recorder.subscription.request(0);
        assertThat(recorder.done.await(30, TimeUnit.SECONDS)).isTrue();
        assertThat(recorder.error.get()).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("§3.9");
        awaitReleased(List.of(queued));
    }

    @Test
    void aSecondSubscriberIsRefused() throws InterruptedException {
        FrameOutbox outbox = new FrameOutbox();
        outbox.records().subscribe(new Recorder());
        Recorder second = new Recorder();
        outbox.records().subscribe(second);
        assertThat(second.done.await(30, TimeUnit.SECONDS)).isTrue();
        assertThat(second.error.get()).isInstanceOf(IllegalStateException.class);
        outbox.close();
    }

    /**
     * Senders race a channel that reads in small requests and then stops (cancel, or the connection's close): every
     * frame accepted is released exactly once, every frame refused is left to its sender, none is lost between.
     */
    @Test
    void noFrameIsLeftUnreleasedWhenTheChannelStopsWhileOthersSend() throws Exception {
        for (int round = 0; round < 200; round++) {
            FrameOutbox outbox = new FrameOutbox();
            Recorder recorder = new Recorder();
            boolean subscribe = round % 4 != 0;
            if (subscribe) {
                outbox.records().subscribe(recorder);
            }
            Queue<ByteBuf> accepted = new ConcurrentLinkedQueue<>();
            Queue<ByteBuf> refused = new ConcurrentLinkedQueue<>();
            CountDownLatch start = new CountDownLatch(1);
            Thread[] senders = new Thread[2];
            for (int s = 0; s < senders.length; s++) {
                senders[s] = new Thread(() -> {
                    awaitQuietly(start);
                    for (int i = 0; i < 300; i++) {
                        ByteBuf frame = frame(i);
                        (outbox.send(RingFrame.frame(frame)) ? accepted : refused).add(frame);
                    }
                });
                senders[s].start();
            }
            start.countDown();
            int stopAfter = ThreadLocalRandom.current().nextInt(0, 200);
            if (subscribe) {
                for (int asked = 0; asked < stopAfter; asked += 8) {
                    recorder.subscription.request(8);
                }
            }
            if (subscribe && round % 2 == 0) {
                recorder.subscription.cancel(); // the channel stops reading
            }
            outbox.close(); // the connection's end, whatever the channel did
            for (Thread sender : senders) {
                sender.join(TimeUnit.SECONDS.toMillis(30));
            }
            awaitReleased(accepted);
            for (ByteBuf frame : refused) {
                assertThat(frame.refCnt()).as("round %d: a refused frame stays its sender's", round).isEqualTo(1);
                frame.release();
            }
            assertThat(outbox.hasQueued()).isFalse();
            assertThat(recorder.liveInOnNext).as("round %d: frames were live while written", round)
                .isEqualTo(recorder.values.size());
        }
    }

    /**
     * A channel end that can be asked to write without waiting ({@link RingSink}): senders write their records
     * themselves while it takes them, and the worker goes on from a record it would not take now (a full ring);
     * every record arrives once, in its sender's order, and is released once.
     */
    @Test
    void sendersWriteInlineAndTheWorkerTakesOverWhenTheRingWouldWait() throws Exception {
        FrameOutbox outbox = new FrameOutbox();
        SinkRecorder sink = new SinkRecorder();
        outbox.records().subscribe(sink);
        sink.subscription.request(Long.MAX_VALUE);
        Queue<ByteBuf> accepted = new ConcurrentLinkedQueue<>();
        CountDownLatch start = new CountDownLatch(1);
        Thread[] senders = new Thread[2];
        for (int s = 0; s < senders.length; s++) {
            int sender = s;
            senders[s] = new Thread(() -> {
                awaitQuietly(start);
                for (int i = 0; i < 300; i++) {
                    ByteBuf frame = frame(sender * 100_000 + i);
                    assertThat(outbox.send(RingFrame.frame(frame))).isTrue();
                    accepted.add(frame);
                    // one at a time: the next send meets an idle outbox, unless the other sender's frame is being written
                    while (sink.delivered.get(sender) <= i) {
                        Thread.yield();
                    }
                }
            }, "rsocket-outbox-sender-" + s);
            senders[s].start();
        }
        start.countDown();
        for (Thread sender : senders) {
            sender.join(TimeUnit.SECONDS.toMillis(30));
        }
        outbox.complete();
        assertThat(sink.done.await(30, TimeUnit.SECONDS)).isTrue();
        awaitReleased(accepted);
        int[] next = new int[senders.length];
        for (int value : sink.values) {
            int sender = value / 100_000;
            assertThat(value % 100_000).as("sender %d's next record", sender).isEqualTo(next[sender]);
            next[sender]++;
        }
        assertThat(next).containsExactly(300, 300);
        assertThat(sink.inline.get()).as("records a sender wrote itself").isPositive();
        assertThat(sink.byWorker.get()).as("records the worker wrote after a refusal").isPositive();
        assertThat(sink.error.get()).isNull();
    }

    /** A record sent before any demand waits in the queue; the first request finds it there and has it written. */
    @Test
    void aRecordSentBeforeAnyDemandIsWrittenOnceTheFirstRequestArrives() throws Exception {
        FrameOutbox outbox = new FrameOutbox();
        TakingSink sink = new TakingSink();
        outbox.records().subscribe(sink);
        ByteBuf frame = frame(7);
        assertThat(outbox.send(RingFrame.frame(frame))).isTrue();
        assertThat(outbox.hasQueued()).as("no demand yet: queued").isTrue();
        sink.subscription.request(1);
        sink.awaitValues(1);
        assertThat(sink.values).containsExactly(7);
        awaitReleased(List.of(frame));
        outbox.complete();
        assertThat(sink.done.await(30, TimeUnit.SECONDS)).isTrue();
    }

    /**
     * A request that finds nothing queued leaves the worker asleep (the sender of the next record drains it itself):
     * a record sent while the first demand arrives is still written, once, whichever of the two comes first. Either
     * the request sees the record queued and drains it, or the sender's own drain sees the demand.
     */
    @Test
    void aRecordSentWhileTheFirstDemandArrivesIsWrittenOnce() throws Exception {
        for (int round = 0; round < 2_000; round++) {
            FrameOutbox outbox = new FrameOutbox();
            TakingSink sink = new TakingSink();
            outbox.records().subscribe(sink);
            ByteBuf frame = frame(round);
            CountDownLatch start = new CountDownLatch(1);
            Thread sender = new Thread(() -> {
                awaitQuietly(start);
                assertThat(outbox.send(RingFrame.frame(frame))).isTrue();
            }, "rsocket-outbox-sender-race");
            sender.start();
            start.countDown();
            sink.subscription.request(1);
            sender.join(TimeUnit.SECONDS.toMillis(30));
            sink.awaitValues(1);
            outbox.complete();
            assertThat(sink.done.await(30, TimeUnit.SECONDS)).as("round %d: completed", round).isTrue();
            assertThat(sink.values).as("round %d", round).containsExactly(round);
            awaitReleased(List.of(frame));
        }
    }

    private static void awaitReleased(Iterable<ByteBuf> frames) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        for (ByteBuf frame : frames) {
            while (frame.refCnt() != 0) { // released by the drain on its worker, or by close on this thread
                assertThat(System.nanoTime()).as("a frame still unreleased after 30 s: " + frame).isLessThan(deadline);
                Thread.onSpinWait();
            }
        }
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static ByteBuf frame(int value) {
        return Unpooled.buffer(4).writeInt(value);
    }

    /** Takes two of every three records offered without waiting, and every record passed to onNext. */
    private static final class SinkRecorder extends Recorder implements RingSink<RingFrame> {
        final java.util.concurrent.atomic.AtomicInteger inline = new java.util.concurrent.atomic.AtomicInteger();
        final java.util.concurrent.atomic.AtomicInteger byWorker = new java.util.concurrent.atomic.AtomicInteger();
        final java.util.concurrent.atomic.AtomicIntegerArray delivered = new java.util.concurrent.atomic.AtomicIntegerArray(2);
        private int offers; // one drain thread at a time

        @Override
        public boolean tryWrite(RingFrame record) {
            if (++offers % 3 == 0) {
                return false; // "the ring is full": not taken
            }
            assertThat(Thread.currentThread().getName()).startsWith("rsocket-outbox-sender-");
            inline.incrementAndGet();
            record(record.frame.getInt(0));
            return true;
        }

        @Override
        public void onNext(RingFrame record) {
            if (!Thread.currentThread().getName().startsWith("rsocket-outbox-sender-")) {
                byWorker.incrementAndGet();
            }
            record(record.frame.getInt(0));
        }

        private void record(int value) {
            values.add(value);
            delivered.incrementAndGet(value / 100_000);
        }
    }

    /** Takes every record offered without waiting, on any thread. */
    private static final class TakingSink extends Recorder implements RingSink<RingFrame> {
        @Override
        public boolean tryWrite(RingFrame record) {
            values.add(record.frame.getInt(0));
            return true;
        }
    }

    private static class Recorder implements Subscriber<RingFrame> {
        final List<Integer> values = new java.util.concurrent.CopyOnWriteArrayList<>();
        final CountDownLatch done = new CountDownLatch(1);
        final AtomicReference<Throwable> error = new AtomicReference<>();
        volatile Subscription subscription;
        volatile int liveInOnNext;

        @Override
        public void onSubscribe(Subscription s) {
            subscription = s;
        }

        @Override
        public void onNext(RingFrame record) {
            if (record.frame.refCnt() == 1) {
                liveInOnNext++; // one drain thread at a time
            }
            values.add(record.frame.getInt(0));
        }

        @Override
        public void onError(Throwable t) {
            error.set(t);
            done.countDown();
        }

        @Override
        public void onComplete() {
            done.countDown();
        }

        void awaitValues(int count) throws InterruptedException {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (values.size() < count) {
                assertThat(System.nanoTime()).as("values " + values).isLessThan(deadline);
                Thread.onSpinWait();
            }
        }
    }
}
