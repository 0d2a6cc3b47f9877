package io.aperture.benchmarks.bench;

import reactor.core.publisher.Mono;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.LongFunction;

/**
 * Request-response round trips, one in flight: request i is sent when the answer to request i-1 arrives (on the
 * thread that delivers it, as Aperture's channel pinger sends from its receiving thread); each answer must be the
 * sequence number its request carried, and each round trip after the warm-up is recorded ({@link RoundTrips}).
 */
final class RequestLoop {
    private final LongFunction<Mono<Long>> call;
    private final RoundTrips trips;
    private final CountDownLatch done = new CountDownLatch(1);
    private long seq;
    private long sentAt;
    private volatile Throwable failure;

    /** {@code call} sends one request carrying its argument and answers with the value the peer sent back. */
    RequestLoop(LongFunction<Mono<Long>> call, RoundTrips trips) {
        this.call = call;
        this.trips = trips;
    }

    /** Sends the first request; the rest follow from the answers. */
    void start() {
        send();
    }

    private void send() {
        long sent = seq;
        sentAt = System.nanoTime();
        call.apply(sent)
            .switchIfEmpty(Mono.error(() -> new IllegalStateException("request " + sent + " answered with nothing")))
            .subscribe(this::answered, e -> fail(new IllegalStateException("request " + sent + " failed", e)));
    }

    private void answered(long value) {
        long now = System.nanoTime();
        if (value != seq) {
            fail(new IllegalStateException("answer out of order: expected " + seq + ", got " + value));
            return;
        }
        trips.record(seq, now - sentAt);
        seq++;
        if (seq == trips.total) {
            done.countDown();
        } else {
            send();
        }
    }

    private void fail(Throwable t) {
        failure = t;
        done.countDown();
    }

    void await(Duration timeout) throws InterruptedException {
        if (!done.await(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new IllegalStateException("round trips did not end within " + timeout + " at " + seq);
        }
        if (failure != null) {
            throw new IllegalStateException("round trips failed", failure);
        }
    }
}
