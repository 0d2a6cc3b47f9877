package io.aperture.rsocket;

import io.aperture.RingSink;
import org.reactivestreams.Publisher;
import org.reactivestreams.Subscriber;
import org.reactivestreams.Subscription;
import reactor.core.publisher.Operators;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;
import reactor.util.Logger;
import reactor.util.Loggers;

import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The records one end of a connection sends, in order, as the source of its ring channel. Any thread sends
 * (sends are serialised here); records wait in this outbox's queue until the channel has demand. The sending
 * thread writes its record into the ring itself when nothing is queued before it, the channel has demand and the
 * record fits without waiting for space ({@link RingSink#tryWrite}); otherwise the records are handed to the
 * channel on a {@link Schedulers#boundedElastic()} worker, which takes the queue over from the record that did not
 * fit. So {@code sendFrame} never waits for ring space, and a request-response crosses with no thread hand-off.
 *
 * <p>Every record is released exactly once: by the drain after the channel's {@code onNext} returned (the record
 * is in the ring), or by the drain once the outbox is {@linkplain #close() closed} or the channel cancelled. The
 * outbox owns its one queue, rather than a sink and {@code publishOn}, whose queues hold records it could not
 * reach again once the channel stopped reading: whatever the channel did, {@link #close()} leaves no record
 * unreleased, and a send after it is refused (the caller still owns its frame).
 */
final class FrameOutbox {
    private static final Logger LOG = Loggers.getLogger(FrameOutbox.class);

    /** Consumed only by the drain, which {@link #wip} serialises. */
    private final Queue<RingFrame> queue = new ConcurrentLinkedQueue<>();
    /** Drain requests; the thread that raises it from 0 runs (or schedules) the drain, others leave it theirs. */
    private final AtomicInteger wip = new AtomicInteger();
    private final AtomicLong requested = new AtomicLong();
    private final AtomicBoolean subscribed = new AtomicBoolean();
    /** No record after the ones queued; set under this outbox's lock, so no send queues one after it. */
    private volatile boolean completed;
    /** The channel stopped reading (closed, cancelled, or failed): the drain releases what is queued. */
    private volatile boolean closed;
    /** A request of zero or less (§3.9), delivered by the drain. */
    private volatile IllegalArgumentException badRequest;
    /** Set once the channel's onSubscribe returned: no signal reaches it before. */
    private volatile Subscriber<? super RingFrame> actual;
    private volatile Scheduler.Worker worker;
    /** Drain only: onComplete or onError was delivered. */
    private boolean terminated;

    /** Queues {@code frame}; false when the outbox is completed or closed (the caller still owns the frame). */
    boolean send(RingFrame frame) {
        synchronized (this) {
            if (completed || closed) {
                return false;
            }
            queue.offer(frame);
        }
        signal(true);
        return true;
    }

    /** The channel completes after the records queued; later sends are refused. */
    void complete() {
        synchronized (this) {
            completed = true;
        }
        signal();
    }

    /**
     * The channel ended (or will never read): the records still queued are released, later sends are refused.
     * Safe whether or not the channel ever subscribed, and more than once.
     */
    void close() {
        synchronized (this) {
            completed = true;
            closed = true;
        }
        signal();
    }

    /** True while a record waits in the queue (for tests). */
    boolean hasQueued() {
        return !queue.isEmpty();
    }

    /** The channel's source: one subscriber; each record is released once the subscriber's onNext returned. */
    Publisher<RingFrame> records() {
        return subscriber -> {
            if (!subscribed.compareAndSet(false, true)) {
                Operators.error(subscriber, new IllegalStateException("an RSocket outbox has one subscriber, its channel"));
                return;
            }
            worker = Schedulers.boundedElastic().createWorker();
            subscriber.onSubscribe(new Subscription() {
                @Override
                public void request(long n) {
                    if (n <= 0) {
                        badRequest = new IllegalArgumentException("§3.9: request of " + n + " records, must be positive");
                        cancel();
                        return;
                    }
                    requested.getAndUpdate(r -> Operators.addCap(r, n));
                    // Volatile update, then the queue's volatile read (one total order): a record this read misses
                    // was queued after the update by a sender whose own drain then sees the demand. Nothing queued:
                    // nothing for the worker to write, and no thread hand-off per replenished window.
                    if (!queue.isEmpty()) {
                        signal();
                    }
                }

                @Override
                public void cancel() {
                    close();
                }
            });
            actual = subscriber; // only now may the drain signal it (§1.3: onSubscribe first)
            signal();
        };
    }

    private void signal() {
        signal(false);
    }

    /** {@code inline}: a sender, which may write on its own thread; else the drain runs on the worker. */
    private void signal(boolean inline) {
        if (wip.getAndIncrement() != 0) {
            return; // the running drain sees this request before it stops
        }
        Scheduler.Worker w = worker;
        if (w != null && !(inline && actual instanceof RingSink)) {
            if (schedule(w, 1)) {
                return;
            }
            inline = false; // the worker was disposed (the channel terminated): only releases remain, done here
        }
        drain(inline, 1); // inline, or not subscribed yet: nothing to deliver, only a close's releases
    }

    /** Runs the drain on the worker, which takes over {@code missed} drain requests; false when it is disposed. */
    private boolean schedule(Scheduler.Worker w, int missed) {
        try {
            w.schedule(() -> drain(false, missed));
            return true;
        } catch (RejectedExecutionException gone) {
            return false;
        }
    }

    private void drain(boolean inline, int missed) {
        do {
            Subscriber<? super RingFrame> a = actual;
            if (closed) {
                releaseQueued();
                IllegalArgumentException bad = badRequest;
                if (bad != null && a != null && !terminated) {
                    terminated = true;
                    a.onError(bad);
                }
                disposeWorker();
            } else if (a != null && !terminated) {
                if (!deliver(a, inline)) {
                    if (schedule(worker, missed)) {
                        return; // the worker goes on from the record that did not fit, and owns the drain now
                    }
                    inline = false;
                    continue; // disposed meanwhile (closed): the next turn releases
                }
            }
            missed = wip.addAndGet(-missed);
        } while (missed != 0);
    }

    /** Hands queued records to the channel; false when {@code inline} and the next one would wait for ring space. */
    @SuppressWarnings("unchecked")
    private boolean deliver(Subscriber<? super RingFrame> a, boolean inline) {
        long r = requested.get();
        long e = 0;
        boolean wouldWait = false;
        while (e != r && !closed) {
            RingFrame record = queue.peek();
            if (record == null) {
                break;
            }
            try {
                if (inline) {
                    if (!((RingSink<RingFrame>) a).tryWrite(record)) {
                        wouldWait = true; // still queued, still ours: the worker writes it
                        break;
                    }
                } else {
                    a.onNext(record); // the channel writes the record in place before it returns
                }
            } catch (Throwable t) {
                // §2.13: a subscriber that throws from onNext is treated as cancelled
                LOG.warn("RSocket outbox: the channel's onNext failed, outbox closed: {}", t.toString());
                queue.poll();
                record.release();
                close();
                return true;
            }
            queue.poll();
            record.release();
            e++;
        }
        if (e != 0 && r != Long.MAX_VALUE) {
            requested.addAndGet(-e);
        }
        if (wouldWait) {
            return false;
        }
        // completed is set under the lock that sends queue under: once it reads true, no record is on its way
        if (completed && !closed && queue.isEmpty()) {
            terminated = true;
            a.onComplete();
            disposeWorker();
        }
        return true;
    }

    private void releaseQueued() {
        for (RingFrame record; (record = queue.poll()) != null; ) {
            record.release();
        }
    }

    private void disposeWorker() {
        Scheduler.Worker w = worker;
        if (w != null) {
            w.dispose();
        }
    }
}
