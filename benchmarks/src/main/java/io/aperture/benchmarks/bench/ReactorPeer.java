package io.aperture.benchmarks.bench;

import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

import java.time.Duration;

/**
 * Reactor in one JVM: the sequence is produced on one single-thread scheduler and handed to another
 * through {@code publishOn}, whose queue is the only link between the threads. {@code hide()} on both
 * sides stops operator fusion, so every element really crosses threads through the queue.
 */
final class ReactorPeer {
    /** publishOn prefetch for "unbounded" demand: the same in-flight bound as Aperture's default demand window. */
    static final int UNBOUNDED_PREFETCH = 1024;

    private ReactorPeer() {
    }

    static void run(String role, Params p) throws Exception {
        if (!role.equals("both")) {
            throw new IllegalArgumentException("role " + role);
        }
        Duration timeout = Duration.ofSeconds(p.getLong("timeout"));
        long n = p.getLong("messages");
        int window = p.getInt("window", 0);
        int prefetch = window > 0 ? window : UNBOUNDED_PREFETCH;
        Scheduler producer = Schedulers.newSingle("bench-producer");
        Scheduler consumer = Schedulers.newSingle("bench-consumer");
        try {
            BenchChild.ready();
            for (int r = 0; r < p.rounds(); r++) {
                long nanos;
                if (p.getInt("size", Long.BYTES) == Quad.SIZE) {
                    BenchChild.SequenceCheck<Quad> check = BenchChild.quadsCheck(n);
                    BenchChild.quads(n).subscribeOn(producer).publishOn(consumer, prefetch).hide().subscribe(check);
                    nanos = check.await(timeout);
                } else {
                    BenchChild.SequenceCheck<Long> check = BenchChild.longsCheck(n);
                    BenchChild.sequence(n).subscribeOn(producer).publishOn(consumer, prefetch).hide().subscribe(check);
                    nanos = check.await(timeout);
                }
                BenchChild.round(r, n, nanos);
            }
        } finally {
            producer.dispose();
            consumer.dispose();
        }
    }
}
