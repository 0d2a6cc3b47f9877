package io.aperture.rsocket;

import org.reactivestreams.Publisher;
import org.reactivestreams.Subscriber;
import org.reactivestreams.Subscription;
import reactor.core.CoreSubscriber;
import reactor.core.publisher.Sinks;
import reactor.core.scheduler.Schedulers;
import reactor.util.context.Context;

/**
 * The records one end of a connection sends, in order, as the source of its ring channel: any thread sends (sends
 * are serialised here); records wait until the channel has demand and are written on a
 * {@link Schedulers#boundedElastic()} worker, so {@code sendFrame} never waits for ring space. Each frame is
 * released once its record is written, or when it is discarded (the connection ended first).
 */
final class FrameOutbox {
    private final Sinks.Many<RingFrame> sink = Sinks.many().unicast().onBackpressureBuffer();

    /** Queues {@code frame}; false when the outbox is closed (the caller still owns the frame). */
    synchronized boolean send(RingFrame frame) {
        return sink.tryEmitNext(frame).isSuccess();
    }

    /** The channel completes after the records queued. */
    synchronized void complete() {
        sink.tryEmitComplete();
    }

    Publisher<RingFrame> records() {
        return actual -> sink.asFlux()
            .publishOn(Schedulers.boundedElastic())
            .doOnDiscard(RingFrame.class, RingFrame::release)
            .subscribe(new ReleaseAfterWrite(actual));
    }

    /** Passes every signal on; after the channel's {@code onNext} returned (the record is in the ring), releases the frame. */
    private static final class ReleaseAfterWrite implements CoreSubscriber<RingFrame> {
        private final Subscriber<? super RingFrame> actual;

        ReleaseAfterWrite(Subscriber<? super RingFrame> actual) {
            this.actual = actual;
        }

        @Override
        public Context currentContext() {
            return actual instanceof CoreSubscriber ? ((CoreSubscriber<? super RingFrame>) actual).currentContext() : Context.empty();
        }

        @Override
        public void onSubscribe(Subscription s) {
            actual.onSubscribe(s);
        }

        @Override
        public void onNext(RingFrame frame) {
            try {
                actual.onNext(frame);
            } finally {
                frame.release();
            }
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
