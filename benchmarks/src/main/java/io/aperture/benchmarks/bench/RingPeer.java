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
