package io.aperture.benchmarks.bench;

import io.aeron.Aeron;
import io.aeron.ExclusivePublication;
import io.aeron.Publication;
import io.aeron.Subscription;
import io.aeron.driver.MediaDriver;
import io.aeron.driver.ThreadingMode;
import io.aeron.logbuffer.FragmentHandler;
import org.agrona.CloseHelper;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;

/**
 * Aeron IPC ({@code aeron:ipc}) between two JVMs. The consumer (or ponger) runs an embedded media
 * driver in its own directory; the other JVM connects to it. The driver runs SHARED (one thread for
 * conductor, sender and receiver: IPC needs no sender or receiver) and every wait, in the driver and
 * in the application, uses {@code BackoffIdleStrategy(100 spins, 20 yields, park 1 µs .. 1 ms)}: the
 * same shape as Aperture's BACKOFF strategy and close to its default BLOCKING spin and yield phases.
 * Busy-spinning (Aeron's low-latency advice) would need a core per waiting thread, which two cores
 * shared by two JVMs and a driver thread do not have. Single-writer {@link ExclusivePublication}s;
 * each 8-byte message is one {@code offer}.
 */
final class AeronPeer {
    static final String CHANNEL = "aeron:ipc";
    static final int DATA = 10;
    static final int BACK = 11;
    static final int FRAGMENT_LIMIT = 256;

    private AeronPeer() {
    }

    static IdleStrategy idle() {
        return new BackoffIdleStrategy(100, 20, TimeUnit.MICROSECONDS.toNanos(1), TimeUnit.MILLISECONDS.toNanos(1));
    }

    static void run(String role, Params p) throws Exception {
        String dir = p.get("dir");
        boolean host = role.equals("consumer") || role.equals("ponger");
        MediaDriver driver = null;
        if (host) {
            driver = MediaDriver.launch(new MediaDriver.Context()
                .aeronDirectoryName(dir)
                .threadingMode(ThreadingMode.SHARED)
                .sharedIdleStrategy(idle())
                .dirDeleteOnStart(true)
                .dirDeleteOnShutdown(true));
        }
        try (Aeron aeron = Aeron.connect(new Aeron.Context().aeronDirectoryName(dir))) {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(p.getLong("timeout"));
            switch (role) {
                case "consumer" -> consume(aeron, p);
                case "producer" -> produce(aeron, p, deadline);
                case "ponger" -> pong(aeron, p);
                case "pinger" -> ping(aeron, p, deadline);
                default -> throw new IllegalArgumentException("role " + role);
            }
        } finally {
            CloseHelper.close(driver);
        }
    }

    private static void awaitConnected(Publication pub, Subscription sub, long deadline) {
        IdleStrategy idle = idle();
        while (!pub.isConnected() || !sub.isConnected()) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("Aeron peer did not connect");
            }
            idle.idle();
        }
    }

    private static void offer(Publication pub, UnsafeBuffer buf, int offset, int length, IdleStrategy idle) {
        long result;
        while ((result = pub.offer(buf, offset, length)) < 0) {
            if (result == Publication.CLOSED || result == Publication.MAX_POSITION_EXCEEDED) {
                throw new IllegalStateException("offer failed: " + Publication.errorString(result));
            }
            idle.idle();
        }
        idle.reset();
    }

    /** Receiving side state, touched by the poll thread only. */
    private static final class Receiver {
        long expected;
        long consumed;
        long start;
    }

    private static void consume(Aeron aeron, Params p) {
        long n = p.getLong("messages");
        int window = p.getInt("window", 0);
        int ackEvery = Math.max(1, window / 4);
        int size = p.getInt("size", Long.BYTES);
        Subscription sub = aeron.addSubscription(CHANNEL, DATA);
        ExclusivePublication back = aeron.addExclusivePublication(CHANNEL, BACK);
        UnsafeBuffer ack = new UnsafeBuffer(ByteBuffer.allocateDirect(64));
        Receiver rx = new Receiver();
        FragmentHandler handler = (buffer, offset, length, header) -> {
            long v = buffer.getLong(offset);
            if (v != rx.expected || rx.expected >= n || length != size) {
                throw new IllegalStateException("out of order: expected " + rx.expected + ", got " + v + " (" + length + " bytes)");
            }
            if (size == Quad.SIZE) {
                Quad.check(v, buffer.getLong(offset + 8), buffer.getLong(offset + 16), buffer.getLong(offset + 24));
            }
            if (rx.expected == 0) {
                rx.start = System.nanoTime();
            }
            rx.expected++;
            rx.consumed++;
        };
        IdleStrategy idle = idle();
        BenchChild.ready();
        long lastAck = 0;
        for (int r = 0; r < p.rounds(); r++) {
            rx.expected = 0;
            while (rx.expected < n) {
                int fragments = sub.poll(handler, FRAGMENT_LIMIT);
                if (window > 0 && rx.consumed - lastAck >= ackEvery && rx.expected < n) {
                    ack.putLong(0, rx.consumed);
                    if (back.offer(ack, 0, Long.BYTES) > 0) {
                        lastAck = rx.consumed;
                    }
                }
                idle.idle(fragments);
            }
            long nanos = System.nanoTime() - rx.start;
            ack.putLong(0, rx.consumed);
            offer(back, ack, 0, Long.BYTES, idle);
            lastAck = rx.consumed;
            BenchChild.round(r, n, nanos);
        }
    }

    private static void produce(Aeron aeron, Params p, long deadline) {
        long n = p.getLong("messages");
        int window = p.getInt("window", 0);
        int size = p.getInt("size", Long.BYTES);
        ExclusivePublication pub = aeron.addExclusivePublication(CHANNEL, DATA);
        Subscription back = aeron.addSubscription(CHANNEL, BACK);
        awaitConnected(pub, back, deadline);
        long[] acked = {0};
        FragmentHandler onAck = (buffer, offset, length, header) -> acked[0] = Math.max(acked[0], buffer.getLong(offset));
        UnsafeBuffer buf = new UnsafeBuffer(ByteBuffer.allocateDirect(64));
        IdleStrategy idle = idle();
        long sent = 0;
        for (int r = 0; r < p.rounds(); r++) {
            for (long i = 0; i < n; i++) {
                if (window > 0) {
                    while (sent - acked[0] >= window) {
                        idle.idle(back.poll(onAck, 16));
                    }
                    idle.reset();
                }
                buf.putLong(0, i);
                if (size == Quad.SIZE) {
                    Quad q = Quad.of(i);
                    buf.putLong(8, q.a());
                    buf.putLong(16, q.b());
                    buf.putLong(24, q.c());
                }
                offer(pub, buf, 0, size, idle);
                sent++;
            }
            while (acked[0] < sent) { // the round's end: the consumer took all of it
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("no end-of-round ack");
                }
                idle.idle(back.poll(onAck, 16));
            }
        }
    }

    private static void pong(Aeron aeron, Params p) {
        long total = p.getInt("warmup") + (long) p.getInt("pings") * p.getInt("runs");
        Subscription sub = aeron.addSubscription(CHANNEL, DATA);
        ExclusivePublication pub = aeron.addExclusivePublication(CHANNEL, BACK);
        IdleStrategy idle = idle();
        IdleStrategy offerIdle = idle();
        UnsafeBuffer out = new UnsafeBuffer(ByteBuffer.allocateDirect(64));
        long[] echoed = {0};
        FragmentHandler handler = (buffer, offset, length, header) -> {
            out.putBytes(0, buffer, offset, length);
            offer(pub, out, 0, length, offerIdle);
            echoed[0]++;
        };
        BenchChild.ready();
        while (echoed[0] < total) {
            idle.idle(sub.poll(handler, 1));
        }
    }

    private static void ping(Aeron aeron, Params p, long deadline) {
        RoundTrips trips = new RoundTrips(p);
        ExclusivePublication pub = aeron.addExclusivePublication(CHANNEL, DATA);
        Subscription sub = aeron.addSubscription(CHANNEL, BACK);
        awaitConnected(pub, sub, deadline);
        long[] got = {-1};
        FragmentHandler handler = (buffer, offset, length, header) -> got[0] = buffer.getLong(offset);
        UnsafeBuffer buf = new UnsafeBuffer(ByteBuffer.allocateDirect(64));
        IdleStrategy idle = idle();
        for (long seq = 0; seq < trips.total; seq++) {
            long t0 = System.nanoTime();
            buf.putLong(0, seq);
            offer(pub, buf, 0, Long.BYTES, idle);
            got[0] = -1;
            while (got[0] < 0) {
                idle.idle(sub.poll(handler, 1));
            }
            long t1 = System.nanoTime();
            idle.reset();
            if (got[0] != seq) {
                throw new IllegalStateException("pong out of order: expected " + seq + ", got " + got[0]);
            }
            trips.record(seq, t1 - t0);
        }
    }
}
