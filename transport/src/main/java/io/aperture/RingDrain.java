package io.aperture;

import io.aperture.internal.ring.SubscriberCore;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * A subscription to a channel that hands each message to a {@link MessageHandler} on its drain thread
 * ({@code aperture-sub-<channel>}), with no Reactor operator in between: the subscriber end of the raw ring
 * API, started by {@link ChannelSubscriber#drain}. Its demand is unbounded and crosses once, so the
 * publisher is bounded by the ring alone. Everything else is as for {@link ChannelSubscriber#receive()}:
 * attach, admission, liveness, validation of everything read from the ring.
 */
public final class RingDrain implements AutoCloseable {
    private final String channel;
    private final CountDownLatch ended = new CountDownLatch(1);
    private final SubscriberCore<?> core;
    private volatile boolean closed;
    private volatile Throwable failure;
    private volatile boolean completed;

    <T> RingDrain(java.nio.file.Path directory, String channel, Codec<T> codec, ChannelOptions options,
                  MessageHandler<? super T> handler) {
        this.channel = channel;
        SubscriberCore<T> drain = new SubscriberCore<>(directory, channel, codec, options, new Adapter<>(handler),
            () -> new byte[0], true);
        this.core = drain;
        drain.request(Long.MAX_VALUE);
        drain.start();
    }

    /**
     * Waits until the drain has ended (completed, failed or closed); false if {@code timeout} passed first.
     *
     * @param timeout how long to wait at most
     * @return true when the drain ended, false when {@code timeout} passed first
     * @throws InterruptedException when the waiting thread is interrupted
     */
    public boolean await(Duration timeout) throws InterruptedException {
        return ended.await(timeout.toNanos(), TimeUnit.NANOSECONDS);
    }

    /**
     * True once the publisher's completion was handed to the handler.
     *
     * @return whether the drain ended with the publisher's completion
     */
    public boolean isCompleted() {
        return completed;
    }

    /**
     * What ended the drain, once it ended with an error (also handed to the handler); else null.
     *
     * @return the error that ended the drain, or null while it runs or when it completed or was closed
     */
    public Throwable failure() {
        return failure;
    }

    /** Cancels the drain: the publisher lets this subscriber go; the handler gets no further call. */
    @Override
    public void close() {
        closed = true;
        core.cancel();
        ended.countDown();
    }

    @Override
    public String toString() {
        return "RingDrain{" + channel + (completed ? ", completed" : failure != null ? ", failed: " + failure : "") + '}';
    }

    /** The core's downstream: passes each signal on to the handler (the drain requested everything at once). */
    private final class Adapter<T> implements SubscriberCore.Downstream<T> {
        private final MessageHandler<? super T> handler;
        private boolean done;

        Adapter(MessageHandler<? super T> handler) {
            this.handler = handler;
        }

        @Override
        public void onNext(T value) {
            if (done) {
                return;
            }
            try {
                handler.onMessage(value);
            } catch (Throwable e) {
                done = true;
                core.cancel();
                failure = e;
                handler.onError(e);
                ended.countDown();
            }
        }

        @Override
        public void onError(Throwable error) {
            if (done) {
                return;
            }
            done = true;
            failure = error;
            try {
                handler.onError(error);
            } finally {
                ended.countDown();
            }
        }

        @Override
        public void onComplete() {
            if (done) {
                return;
            }
            done = true;
            completed = true;
            try {
                handler.onComplete();
            } finally {
                ended.countDown();
            }
        }
    }
}
