package io.aperture.rsocket;

import org.reactivestreams.Publisher;
import reactor.core.publisher.Sinks;
import reactor.core.scheduler.Schedulers;

import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The records one end of a connection sends, in order, as the source of its ring channel: any thread sends (sends
 * are serialised here); records wait until the channel has demand and are written on a
 * {@link Schedulers#boundedElastic()} worker, so {@code sendFrame} never waits for ring space. Each frame is
 * released once its record is written, or when it is discarded (the connection ended first).
 */
final class FrameOutbox {
    private final Sinks.Many<RingFrame> sink = Sinks.many().unicast().onBackpressureBuffer();
    /** The channel subscribed its source: from then on the records are released as written or discarded. */
    private final AtomicBoolean read = new AtomicBoolean();

    /** Queues {@code frame}; false when the outbox is closed (the caller still owns the frame). */
    synchronized boolean send(RingFrame frame) {
        return sink.tryEmitNext(frame).isSuccess();
    }

    /** The channel completes after the records queued. */
    synchronized void complete() {
        sink.tryEmitComplete();
    }

    /**
     * Releases the queued records if the channel never read them: a channel subscribes its source only once a
     * subscriber's demand crossed, so a connection that ended before that would leave them queued for ever.
     * Call once the channel has ended.
     */
    void releaseUnread() {
        complete();
        if (read.compareAndSet(false, true)) {
            sink.asFlux().subscribe(RingFrame::release);
        }
    }

    Publisher<RingFrame> records() {
        return actual -> sink.asFlux()
            .doOnSubscribe(s -> read.set(true))
            .publishOn(Schedulers.boundedElastic())
            .doOnDiscard(RingFrame.class, RingFrame::release)
            .subscribe(new ReleaseAfterNext<>(actual, RingFrame::release)); // released once its record is written
    }
}
