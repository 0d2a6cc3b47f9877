package io.aperture.benchmarks.bench;

import io.aperture.Aperture;
import io.aperture.ChannelOptions;
import io.aperture.MessageHandler;
import io.aperture.RingDrain;
import io.aperture.RingPublisher;
import io.aperture.codecs.FlyweightCodec;

import java.nio.ByteBuffer;
import java.time.Duration;

/**
 * Aperture's raw ring API between two JVMs: a {@link RingPublisher} written by the producer's own thread,
 * in batches of {@value #BATCH} published by one {@code flush} (one cursor store and one wake check per
 * batch, the Disruptor's batch publish), and a {@link RingDrain} whose handler checks every message. Both
 * ends use a flyweight codec over one reused cell, so neither allocates per message. Default options
 * (BLOCKING waits, a 1 MiB ring of 64-byte slots); <em>window256</em> is a ring of 256 slots, which holds at
 * most 256 messages in flight: the raw API is bounded by the ring, not by demand.
 */
final class RingPeer {
    /** Messages per flush. */
    static final int BATCH = 64;

    private RingPeer() {
    }

    static void run(String role, Params p) throws Exception {
        Duration timeout = Duration.ofSeconds(p.getLong("timeout"));
        Aperture aperture = Aperture.create(p.getPath("dir"),
            ChannelOptions.defaults().withAttachTimeout(Duration.ofSeconds(60))
                .withPayloadChecksums(p.getInt("checksums", 0) != 0));
        int window = p.getInt("window", 0);
        ChannelOptions options = aperture.defaults();
        if (window > 0) {
            options = options.withRingCapacity(window * options.slotLength());
        }
        CellCodec codec = new CellCodec(p.getInt("size", Long.BYTES));
        switch (role) {
            case "consumer" -> consume(aperture, options, codec, p, timeout);
            case "producer" -> produce(aperture, options, codec, p, timeout);
            case "pinger" -> ping(aperture, options, codec, p, timeout);
            case "ponger" -> pong(aperture, options, codec, timeout);
            default -> throw new IllegalArgumentException("role " + role);
        }
    }

    private static void consume(Aperture aperture, ChannelOptions options, CellCodec codec, Params p, Duration timeout)
        throws Exception {
        long n = p.getLong("messages");
        BenchChild.ready();
        for (int r = 0; r < p.rounds(); r++) {
            Check check = new Check(n, codec.size);
            try (RingDrain drain = aperture.subscriber("tp-" + r, codec, options).drain(check)) {
                if (!drain.await(timeout)) {
                    throw new IllegalStateException("round " + r + " did not end within " + timeout + " after "
                        + check.expected + " messages");
                }
                if (drain.failure() != null) {
                    throw new IllegalStateException("round " + r + " failed after " + check.expected + " messages",
                        drain.failure());
                }
                if (!drain.isCompleted() || check.expected != n) {
                    throw new IllegalStateException("round " + r + " ended after " + check.expected + " of " + n);
                }
            }
            BenchChild.round(r, n, check.end - check.start);
            BenchChild.alloc(r, "consumer", check.allocatedAtEnd - check.allocatedAtStart, n - 1);
        }
    }

    private static void produce(Aperture aperture, ChannelOptions options, CellCodec codec, Params p, Duration timeout)
        throws Exception {
        long n = p.getLong("messages");
        Cell cell = new Cell();
        for (int r = 0; r < p.rounds(); r++) {
            try (RingPublisher<Cell> ring = aperture.publisher("tp-" + r, codec, options).open()) {
                if (!ring.awaitSubscriber(timeout)) {
                    throw new IllegalStateException("round " + r + ": no subscriber within " + timeout);
                }
                long allocated = BenchChild.threadAllocatedBytes();
                for (long i = 0; i < n; i++) {
                    cell.fill(i);
                    if (!ring.write(cell)) {
                        throw new IllegalStateException("round " + r + ": channel ended at message " + i);
                    }
                    if ((i & (BATCH - 1)) == BATCH - 1) {
                        ring.flush();
                    }
                }
                BenchChild.alloc(r, "producer", BenchChild.threadAllocatedBytes() - allocated, n);
                ring.complete();
                if (!ring.awaitTermination(timeout)) {
                    throw new IllegalStateException("round " + r + " did not end within " + timeout);
                }
            }
        }
    }

    /**
     * Echoes ring "ping" onto ring "pong" from the drain thread: each message is published (written and flushed)
     * as it arrives, one message in flight; the ping ring's completion completes the pong ring.
     */
    private static void pong(Aperture aperture, ChannelOptions options, CellCodec codec, Duration timeout)
        throws Exception {
        try (RingPublisher<Cell> pong = aperture.publisher("pong", codec, options).open();
             RingDrain drain = aperture.subscriber("ping", codec, options).drain(new MessageHandler<Cell>() {
                 @Override
                 public void onMessage(Cell cell) {
                     if (!pong.publish(cell)) {
                         throw new IllegalStateException("pong ring ended at " + cell.seq);
                     }
                 }

                 @Override
                 public void onComplete() {
                     pong.complete();
                 }
             })) {
            BenchChild.ready();
            if (!drain.await(timeout) || drain.failure() != null || !pong.awaitTermination(timeout)) {
                throw new IllegalStateException("ponger did not end cleanly within " + timeout, drain.failure());
            }
        }
    }

    /** Publishes ping i when pong i-1 arrives (on the drain thread), recording each round trip after the warm-up. */
    private static void ping(Aperture aperture, ChannelOptions options, CellCodec codec, Params p, Duration timeout)
        throws Exception {
        RoundTrips trips = new RoundTrips(p);
        try (RingPublisher<Cell> ping = aperture.publisher("ping", codec, options).open()) {
            PingLoop loop = new PingLoop(ping, trips);
            try (RingDrain drain = aperture.subscriber("pong", codec, options).drain(loop)) {
                if (!ping.awaitSubscriber(timeout)) {
                    throw new IllegalStateException("no ponger within " + timeout);
                }
                loop.send();
                loop.started = true; // volatile store: the main thread's writes happen-before the drain thread's
                if (!drain.await(timeout) || drain.failure() != null || loop.seq != trips.total) {
                    throw new IllegalStateException("ping-pong did not end cleanly within " + timeout + " at " + loop.seq,
                        drain.failure());
                }
            }
        }
    }

    /** The pinger's handler: checks each pong is the one sent, then sends the next or completes the ping ring. */
    private static final class PingLoop implements MessageHandler<Cell> {
        private final RingPublisher<Cell> ping;
        private final RoundTrips trips;
        private final Cell cell = new Cell();
        long seq;
        private long sentAt;
        /** Set once the main thread's first publish has returned: from then on the drain thread is the only writer. */
        private volatile boolean started;

        PingLoop(RingPublisher<Cell> ping, RoundTrips trips) {
            this.ping = ping;
            this.trips = trips;
        }

        void send() {
            cell.seq = seq;
            sentAt = System.nanoTime();
            if (!ping.publish(cell)) {
                throw new IllegalStateException("ping ring ended at " + seq);
            }
        }

        @Override
        public void onMessage(Cell pong) {
            long now = System.nanoTime();
            while (!started) { // volatile load: pong 0 may arrive before the main thread's publish of ping 0 returned
                Thread.onSpinWait();
            }
            if (pong.seq != seq) {
                throw new IllegalStateException("pong out of order: expected " + seq + ", got " + pong.seq);
            }
            trips.record(seq, now - sentAt);
            seq++;
            if (seq < trips.total) {
                send();
            } else {
                ping.complete();
            }
        }
    }

    /** Checks each message is the next, times first message to completion (no clock read per message). */
    private static final class Check implements MessageHandler<Cell> {
        private final long n;
        private final boolean quads;
        long expected;
        long start;
        long end;
        /** The drain thread's allocated bytes at the first message and at the completion. */
        long allocatedAtStart;
        long allocatedAtEnd;

        Check(long n, int size) {
            this.n = n;
            this.quads = size == Quad.SIZE;
        }

        @Override
        public void onMessage(Cell cell) {
            if (cell.seq != expected || expected >= n) {
                throw new IllegalStateException("out of order: expected " + expected + ", got " + cell.seq);
            }
            if (quads) {
                Quad.check(cell.seq, cell.a, cell.b, cell.c);
            }
            if (expected == 0) {
                start = System.nanoTime();
                allocatedAtStart = BenchChild.threadAllocatedBytes();
            }
            expected++;
        }

        @Override
        public void onComplete() {
            end = System.nanoTime();
            allocatedAtEnd = BenchChild.threadAllocatedBytes();
        }
    }

    /** One message: a sequence number, and for 32-byte messages the three fields a {@link Quad} derives from it. */
    static final class Cell {
        long seq;
        long a;
        long b;
        long c;

        void fill(long sequence) {
            seq = sequence;
            a = sequence * 31;
            b = ~sequence;
            c = sequence ^ Quad.MASK;
        }
    }

    /** 8 bytes (the sequence) or 32 (the sequence and a {@link Quad}'s three fields), written and read in place. */
    static final class CellCodec extends FlyweightCodec<Cell> {
        final int size;

        CellCodec(int size) {
            super("bench-cell-" + size, 1, size);
            if (size != Long.BYTES && size != Quad.SIZE) {
                throw new IllegalArgumentException("cell of " + size + " bytes: 8 or 32 only");
            }
            this.size = size;
        }

        @Override
        protected Cell newRecord() {
            return new Cell();
        }

        @Override
        protected void write(Cell cell, ByteBuffer buffer, int offset) {
            buffer.putLong(offset, cell.seq);
            if (size == Quad.SIZE) {
                buffer.putLong(offset + 8, cell.a).putLong(offset + 16, cell.b).putLong(offset + 24, cell.c);
            }
        }

        @Override
        protected void read(ByteBuffer buffer, int offset, Cell into) {
            into.seq = buffer.getLong(offset);
            if (size == Quad.SIZE) {
                into.a = buffer.getLong(offset + 8);
                into.b = buffer.getLong(offset + 16);
                into.c = buffer.getLong(offset + 24);
            }
        }
    }
}
