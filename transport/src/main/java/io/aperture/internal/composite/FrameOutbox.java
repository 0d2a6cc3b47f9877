package io.aperture.internal.composite;

import org.reactivestreams.Publisher;
import org.reactivestreams.Subscription;
import reactor.core.CoreSubscriber;
import reactor.core.publisher.Sinks;
import reactor.core.scheduler.Schedulers;
import reactor.util.context.Context;

/**
 * The frames one end of an interaction connection sends, in the order they were sent, as the source of that
 * end's channel. Any thread may send (sends are serialised here); frames wait in an unbounded queue until the
 * channel has demand (the transport's flow control) and are written to the ring on a
 * {@link Schedulers#boundedElastic()} worker, so a sender never waits for ring space (a full ring would
 * otherwise block a drain thread that the other end needs to make room). Per-stream demand (REQUEST_N) bounds
 * the NEXT frames queued; the opening frames are bounded by the interactions the application starts.
 *
 * @param <T> the type of values the frames carry
 */
public final class FrameOutbox<T> {
    private final Sinks.Many<Frame<T>> sink = Sinks.many().unicast().onBackpressureBuffer();
    private volatile boolean subscribed;

    /** Queues {@code frame}; false when the outbox is closed (the frame is not sent). */
    public synchronized boolean send(Frame<T> frame) {
        return sink.tryEmitNext(frame).isSuccess();
    }

    /** No frame after the ones queued: the channel completes once they are written. */
    public synchronized void complete() {
        sink.tryEmitComplete();
    }

    /** True once the channel subscribed the frames (its first subscriber was admitted). */
    public boolean subscribed() {
        return subscribed;
    }

    /** The channel's source: each frame is handed to the channel, then {@link Frame#written()} runs. */
    public Publisher<Frame<T>> frames() {
        return actual -> sink.asFlux()
            .doOnSubscribe(s -> subscribed = true)
            .publishOn(Schedulers.boundedElastic())
            .subscribe(new AfterWrite<>(actual));
    }

    /** Passes every signal on; after the channel's {@code onNext} returned (the record is in the ring), marks the frame written. */
    private static final class AfterWrite<T> implements CoreSubscriber<Frame<T>> {
        private final org.reactivestreams.Subscriber<? super Frame<T>> actual;

        AfterWrite(org.reactivestreams.Subscriber<? super Frame<T>> actual) {
            this.actual = actual;
        }

        @Override
        public Context currentContext() {
            return actual instanceof CoreSubscriber ? ((CoreSubscriber<? super Frame<T>>) actual).currentContext() : Context.empty();
        }

        @Override
        public void onSubscribe(Subscription s) {
            actual.onSubscribe(s);
        }

        @Override
        public void onNext(Frame<T> frame) {
            actual.onNext(frame); // the channel writes the record in place before it returns
            frame.written();
        }

        @Override
        public void onError(Throwable t) {
            actual.onError(t);
        }

        @Override
        public void onComplete() {
            actual.onComplete();
        }
    }
}
