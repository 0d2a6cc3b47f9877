package io.aperture.benchmarks.bench;

import org.HdrHistogram.Histogram;
import org.reactivestreams.Subscription;
import reactor.core.publisher.BaseSubscriber;
import reactor.core.publisher.Flux;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Arrays;
import java.util.Base64;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.ToLongFunction;

/**
 * The main class of every JVM the runner starts: {@code BenchChild <transport> <role> key=value...}.
 * It talks to the runner through its standard output: {@code READY} once the other side may start
 * (after {@code PORT <n>} from a child that listens on a TCP port the system chose; the runner passes
 * {@code port=<n>} to the other side),
 * {@code ROUND <index> <messages> <nanos>} per throughput or bandwidth round (from the consumer, which
 * checked the sequence), {@code HIST <index> <base64>} per latency round (from the pinger), and
 * {@code ERROR ...} before a non-zero exit. It halts by itself when the runner dies or its time is up.
 */
public final class BenchChild {
    private BenchChild() {
    }

    public static void main(String[] args) {
        if (args.length < 2) {
            System.err.println("usage: BenchChild <transport> <role> key=value...");
            System.exit(64);
        }
        Params p = Params.parse(Arrays.asList(args).subList(2, args.length));
        watchdog(p.getLong("timeout"));
        int code;
        try {
            run(args[0], args[1], p);
            code = 0;
        } catch (Throwable t) {
            System.out.println("ERROR " + args[0] + " " + args[1] + ": " + t);
            t.printStackTrace(System.out);
            code = 2;
        }
        System.out.flush();
        System.exit(code); // ends scheduler and transport threads
    }

    private static void run(String transport, String role, Params p) throws Exception {
        switch (transport) {
            case "aperture" -> AperturePeer.run(role, p);
            case "ring" -> RingPeer.run(role, p);
            case "reactor" -> ReactorPeer.run(role, p);
            case "aeron" -> AeronPeer.run(role, p);
            case "uds" -> UdsPeer.run(role, p);
            case "rsocket", "rsocket-aperture", "rsocket-local" -> RSocketPeer.run(role, p);
            case "interactions" -> InteractionsPeer.run(role, p);
            case "spsc" -> SpscPeer.run(role, p);
            default -> throw new IllegalArgumentException("unknown transport " + transport);
        }
    }

    /** Halts when the parent process ends (even killed) or after {@code seconds}. */
    private static void watchdog(long seconds) {
        ProcessHandle.current().parent().ifPresent(parent -> parent.onExit().thenRun(() -> {
            System.out.println("ERROR runner gone, halting");
            Runtime.getRuntime().halt(4);
        }));
        Thread t = new Thread(() -> {
            try {
                Thread.sleep(TimeUnit.SECONDS.toMillis(seconds));
                System.out.println("ERROR child timeout after " + seconds + " s, halting");
                System.out.flush();
                Runtime.getRuntime().halt(3);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "bench-watchdog");
        t.setDaemon(true);
        t.start();
    }

    static void ready() {
        System.out.println("READY");
        System.out.flush();
    }

    /** READY for a child that listens on {@code port}: the runner passes it to the other side. */
    static void ready(int port) {
        System.out.println("PORT " + port);
        ready();
    }

    /** Bytes the calling thread has allocated so far (HotSpot's per-thread counter, exact to the TLAB). */
    static long threadAllocatedBytes() {
        return ((com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean())
            .getCurrentThreadAllocatedBytes();
    }

    /** What one thread of {@code side} (consumer or producer) allocated over {@code messages} messages of a round. */
    static void alloc(int index, String side, long bytes, long messages) {
        System.out.println("ALLOC " + index + " " + side + " " + bytes + " " + messages);
        System.out.flush();
    }

    static void round(int index, long messages, long nanos) {
        System.out.println("ROUND " + index + " " + messages + " " + nanos);
        System.out.flush();
    }

    static void histogram(int index, Histogram h) {
        ByteBuffer buf = ByteBuffer.allocate(h.getNeededByteBufferCapacity());
        int len = h.encodeIntoCompressedByteBuffer(buf);
        System.out.println("HIST " + index + " " + Base64.getEncoder().encodeToString(Arrays.copyOf(buf.array(), len)));
        System.out.flush();
    }

    static Histogram newHistogram() {
        return new Histogram(TimeUnit.SECONDS.toNanos(10), 3);
    }

    /** 0, 1, ..., n-1 as a {@code Flux<Long>}, not fusable with what follows. */
    static Flux<Long> sequence(long n) {
        return Flux.<Long, Long>generate(() -> 0L, (i, sink) -> {
            if (i < n) {
                sink.next(i);
            } else {
                sink.complete();
            }
            return i + 1;
        }).hide();
    }

    /** {@link Quad}s 0..n-1 as a {@code Flux<Quad>}, not fusable with what follows. */
    static Flux<Quad> quads(long n) {
        return Flux.<Quad, Long>generate(() -> 0L, (i, sink) -> {
            if (i < n) {
                sink.next(Quad.of(i));
            } else {
                sink.complete();
            }
            return i + 1;
        }).hide();
    }

    static SequenceCheck<Long> longsCheck(long n) {
        return new SequenceCheck<>(n, Long::longValue);
    }

    static SequenceCheck<Quad> quadsCheck(long n) {
        return new SequenceCheck<>(n, Quad::checked);
    }

    /**
     * Consumes a {@code Flux} with unbounded demand, checks its sequence numbers are exactly 0..n-1 in order,
     * and times it from the first element to the completion (no clock read per element).
     */
    static final class SequenceCheck<T> extends BaseSubscriber<T> {
        private final long n;
        private final ToLongFunction<T> seqOf;
        private final CountDownLatch done = new CountDownLatch(1);
        private long expected;
        private long start;
        private long end;
        /** The receiving thread's allocated bytes at the first element and at the completion. */
        private long allocatedAtStart;
        private long allocatedAtEnd;
        private volatile Throwable failure;

        SequenceCheck(long n, ToLongFunction<T> seqOf) {
            this.n = n;
            this.seqOf = seqOf;
        }

        @Override
        protected void hookOnSubscribe(Subscription subscription) {
            subscription.request(Long.MAX_VALUE);
        }

        @Override
        protected void hookOnNext(T element) {
            long value = seqOf.applyAsLong(element);
            if (value != expected) {
                failure = new IllegalStateException("out of order: expected " + expected + ", got " + value);
                cancel();
                done.countDown();
                return;
            }
            if (expected == 0) {
                start = System.nanoTime();
                allocatedAtStart = threadAllocatedBytes();
            }
            expected++;
        }

        @Override
        protected void hookOnComplete() {
            end = System.nanoTime();
            allocatedAtEnd = threadAllocatedBytes();
            if (expected != n) {
                failure = new IllegalStateException("completed after " + expected + " of " + n + " messages");
            }
            done.countDown();
        }

        @Override
        protected void hookOnError(Throwable t) {
            failure = t;
            done.countDown();
        }

        /** Bytes the receiving thread allocated from the first element to the completion (after {@link #await}). */
        long allocated() {
            return allocatedAtEnd - allocatedAtStart;
        }

        /** Waits for the end and returns the nanoseconds from first element to completion. */
        long await(Duration timeout) throws InterruptedException {
            if (!done.await(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new IllegalStateException("no completion within " + timeout + " after " + expected + " messages");
            }
            if (failure != null) {
                throw new IllegalStateException("sequence check failed", failure);
            }
            return end - start;
        }
    }
}
