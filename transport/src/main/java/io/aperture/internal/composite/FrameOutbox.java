package io.aperture.internal.composite;

import io.aperture.RingSink;
import org.reactivestreams.Publisher;
import org.reactivestreams.Subscriber;
import org.reactivestreams.Subscription;
import reactor.core.publisher.Operators;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;
import reactor.util.context.Context;

import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The frames one end of an interaction connection sends, in the order they were sent, as the source of that
 * end's channel. Any thread may send; frames wait in an unbounded queue until the channel has demand (the
 * transport's flow control). The sender writes its frame to the ring itself, at once, when nothing is queued
 * before it, the channel has demand and the record fits without waiting for space
 * ({@link RingSink#tryWrite}): the request-response round trip then has no thread hand-off. Otherwise
 * (a full ring, frames already queued, no demand) the frames are written on a {@link Schedulers#boundedElastic()}
 * worker, so that a sender never waits for ring space: a full ring would otherwise block a drain thread that the
 * other end needs to make room. Per-stream demand (REQUEST_N) bounds the NEXT frames queued; the opening frames
 * are bounded by the interactions the application starts.
 *
 * <p>One drainer at a time (a work-in-progress counter, as in Reactor's own operators): the thread that raises it
 * from zero writes until the queue is empty or the demand is used up, and hands the loop to the worker (which then
 * owns it) when a record would wait.
 *
 * @param <T> the type of values the frames carry
 */
public final class FrameOutbox<T> {
    private static final Scheduler WRITERS = Schedulers.boundedElastic();

    private final Queue<Frame<T>> queue = new ConcurrentLinkedQueue<>();
    private final AtomicInteger wip = new AtomicInteger();
    private final AtomicLong requested = new AtomicLong();
    /** Frames handed to the channel: the drainer's only. */
    private long emitted;
    /** The drainer's only: the completion was passed on. */
    private boolean done;
    private volatile boolean completed;
    private volatile boolean cancelled;
    private volatile boolean subscribed;
    /** The channel's publisher session, set once its {@code onSubscribe} returned; null before. */
    private volatile Subscriber<? super Frame<T>> actual;
    private volatile Scheduler.Worker worker;

    /** Queues {@code frame} (and writes it at once when it can); false when the outbox is closed (not sent). */
    public boolean send(Frame<T> frame) {
        synchronized (this) { // against complete(): no frame is queued after the completion
            if (completed || cancelled) {
                return false;
            }
            queue.offer(frame);
        }
        drain(true);
        return true;
    }

    /** No frame after the ones queued: the channel completes once they are written. */
    public void complete() {
        synchronized (this) {
            completed = true;
        }
        drain(false);
    }

    /** True once the channel subscribed the frames (its first subscriber was admitted). */
    public boolean subscribed() {
        return subscribed;
    }

    /** The channel's source (one subscriber): each frame is handed to the channel, then {@link Frame#written()} runs. */
    public Publisher<Frame<T>> frames() {
        return subscriber -> {
            synchronized (this) {
                if (subscribed) {
                    Operators.error(subscriber, new IllegalStateException("an outbox's frames have one subscriber"));
                    return;
                }
                subscribed = true;
            }
            worker = WRITERS.createWorker();
            subscriber.onSubscribe(new Subscription() {
                @Override
                public void request(long n) {
                    if (Operators.validate(n)) {
                        requested.accumulateAndGet(n, Operators::addCap);
                        // Volatile add, then the queue's volatile read (one total order): a frame this read misses
                        // was queued after the add by a sender whose own drain then sees the demand. So with nothing
                        // queued there is nothing for the worker to write, and waking it per request (the channel's
                        // conductor passes on each replenished window) would cost a thread hand-off for nothing.
                        if (!queue.isEmpty()) {
                            drain(false);
                        }
                    }
                }

                @Override
                public void cancel() {
                    cancelled = true;
                    drain(false); // the drainer clears the queue and lets the worker go
                }
            });
            actual = subscriber; // only now may the drain signal it (§1.3: onSubscribe first)
            drain(false); // a demand or a completion that came meanwhile
        };
    }

    /**
     * Starts a drain unless one runs (it will see this call): on this thread when {@code inline} (a sender), else on
     * the worker (a request, a completion, a cancel: never the channel's conductor writing).
     */
    private void drain(boolean inline) {
        if (wip.getAndIncrement() != 0) {
            return;
        }
        Scheduler.Worker w = worker;
        if (inline || w == null) {
            drainLoop(inline, 1); // before the subscription nothing is written: the loop only settles the count
        } else {
            schedule(w, 1);
        }
    }

    private void schedule(Scheduler.Worker w, int missed) {
        try {
            w.schedule(() -> drainLoop(false, missed));
        } catch (RejectedExecutionException e) {
            // Disposed: cancelled or completed, after which nothing is written.
            queue.clear();
        }
    }

    @SuppressWarnings("unchecked")
    private void drainLoop(boolean inline, int missed) {
        while (true) {
            Subscriber<? super Frame<T>> a = actual;
            if (cancelled) {
                queue.clear();
                release();
            } else if (a != null && !done) {
                long r = requested.get();
                while (emitted != r) {
                    Frame<T> frame = queue.peek();
                    if (frame == null) {
                        break;
                    }
                    try {
                        if (inline) {
                            if (!(a instanceof RingSink<?> s) || !((RingSink<Frame<T>>) s).tryWrite(frame)) {
                                // It would wait for ring space (or cannot be asked): the worker goes on from this frame.
                                schedule(worker, missed);
                                return;
                            }
                        } else {
                            a.onNext(frame); // the channel writes the record in place before it returns
                        }
                    } catch (Throwable t) {
                        // §2.13: a subscriber that throws from onNext is treated as cancelled; nothing more is sent
                        cancelled = true;
                        queue.clear();
                        release();
                        Operators.onErrorDropped(t, Context.empty());
                        break;
                    }
                    queue.poll();
                    frame.written();
                    emitted++;
                }
                if (completed && !cancelled && queue.isEmpty()) {
                    done = true;
                    a.onComplete();
                    release();
                }
            }
            missed = wip.addAndGet(-missed);
            if (missed == 0) {
                return;
            }
        }
    }

    private void release() {
        Scheduler.Worker w = worker;
        if (w != null) {
            w.dispose();
        }
    }
}
