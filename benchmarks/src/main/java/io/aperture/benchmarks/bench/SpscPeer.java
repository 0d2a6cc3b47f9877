package io.aperture.benchmarks.bench;

import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.IdleStrategy;

import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;

/**
 * The physical limit the raw ring API is held against: a hand-written single-producer, single-consumer ring
 * between the same two JVMs, in one file mapped read-write by both. Slots of the message's size (8 or 32
 * bytes), no record headers, no validation, no demand and no liveness. The producer publishes its tail once per
 * batch of {@value #PUBLISH_EVERY} messages (or a quarter of a smaller ring) and at the end of a round, and
 * re-reads the consumer's head only when its cached copy says the ring is full; the consumer stores its head
 * once per batch it read. Both wait with Agrona's {@link BackoffIdleStrategy}, as the Aeron peer does.
 *
 * <pre>
 *   0          tail (int64): messages published, release-stored by the producer
 *   128        head (int64): messages consumed, release-stored by the consumer
 *   256        the slots
 * </pre>
 */
final class SpscPeer {
    /** Messages per tail store. */
    static final int PUBLISH_EVERY = 256;
    /** The ring's size when the scenario has no window: 1 MiB, as Aperture's default ring. */
    static final int DEFAULT_RING_BYTES = 1 << 20;
    private static final int TAIL_OFFSET = 0;
    private static final int HEAD_OFFSET = 128;
    private static final int SLOTS_OFFSET = 256;
    private static final VarHandle LONGS = MethodHandles.byteBufferViewVarHandle(long[].class,
        ByteOrder.nativeOrder());

    private SpscPeer() {
    }

    static void run(String role, Params p) throws IOException {
        int size = p.getInt("size", Long.BYTES);
        int window = p.getInt("window", 0);
        int slots = window > 0 ? window : DEFAULT_RING_BYTES / size;
        Path file = p.getPath("dir").resolve("spsc.ring");
        long deadlineNs = System.nanoTime() + Duration.ofSeconds(p.getLong("timeout")).toNanos();
        switch (role) {
            case "consumer" -> {
                try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.READ,
                    StandardOpenOption.WRITE)) {
                    MappedByteBuffer ring = ch.map(FileChannel.MapMode.READ_WRITE, 0, SLOTS_OFFSET + (long) slots * size);
                    BenchChild.ready();
                    consume(ring.order(ByteOrder.nativeOrder()), slots, size, p, deadlineNs);
                } finally {
                    Files.deleteIfExists(file);
                }
            }
            case "producer" -> {
                try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
                    MappedByteBuffer ring = ch.map(FileChannel.MapMode.READ_WRITE, 0, SLOTS_OFFSET + (long) slots * size);
                    produce(ring.order(ByteOrder.nativeOrder()), slots, size, p, deadlineNs);
                }
            }
            default -> throw new IllegalArgumentException("role " + role);
        }
    }

    private static void produce(ByteBuffer ring, int slots, int size, Params p, long deadlineNs) {
        long n = p.getLong("messages");
        int publishEvery = Math.max(1, Math.min(PUBLISH_EVERY, slots / 4));
        IdleStrategy idle = new BackoffIdleStrategy();
        long tail = 0;
        long cachedHead = 0;
        for (int r = 0; r < p.rounds(); r++) {
            for (long i = 0; i < n; i++) {
                if (tail - cachedHead >= slots) {
                    LONGS.setRelease(ring, TAIL_OFFSET, tail); // release: the consumer may take what was written
                    idle.reset();
                    // acquire: the consumer's reads of the slots it freed happened before
                    while (tail - (cachedHead = (long) LONGS.getAcquire(ring, HEAD_OFFSET)) >= slots) {
                        idle.idle();
                        checkDeadline(deadlineNs, "producer waited for space at " + tail);
                    }
                }
                int offset = SLOTS_OFFSET + (int) (tail & (slots - 1)) * size;
                if (size == Quad.SIZE) {
                    Quad q = Quad.of(i);
                    ring.putLong(offset, q.seq());
                    ring.putLong(offset + 8, q.a());
                    ring.putLong(offset + 16, q.b());
                    ring.putLong(offset + 24, q.c());
                } else {
                    ring.putLong(offset, i);
                }
                tail++;
                if ((tail & (publishEvery - 1)) == 0) {
                    LONGS.setRelease(ring, TAIL_OFFSET, tail); // release: the slots written before are complete
                }
            }
            LONGS.setRelease(ring, TAIL_OFFSET, tail); // release: the round's last batch
            idle.reset();
            while ((long) LONGS.getAcquire(ring, HEAD_OFFSET) < tail) { // acquire: the round was taken in full
                idle.idle();
                checkDeadline(deadlineNs, "producer waited for the end of round " + r);
            }
            cachedHead = tail;
        }
    }

    private static void consume(ByteBuffer ring, int slots, int size, Params p, long deadlineNs) {
        long n = p.getLong("messages");
        IdleStrategy idle = new BackoffIdleStrategy();
        long head = 0;
        for (int r = 0; r < p.rounds(); r++) {
            long expected = 0;
            long start = 0;
            while (expected < n) {
                long tail;
                idle.reset();
                // acquire: every slot before the tail was written before the tail was stored
                while ((tail = (long) LONGS.getAcquire(ring, TAIL_OFFSET)) == head) {
                    idle.idle();
                    checkDeadline(deadlineNs, "consumer waited after " + expected + " of " + n + " in round " + r);
                }
                if (tail - head > slots || tail < head) {
                    throw new IllegalStateException("tail " + tail + " is not within a ring (" + slots + ") of head " + head);
                }
                if (expected == 0) {
                    start = System.nanoTime();
                }
                for (; head < tail; head++) {
                    int offset = SLOTS_OFFSET + (int) (head & (slots - 1)) * size;
                    long v = ring.getLong(offset);
                    if (size == Quad.SIZE) {
                        Quad.check(v, ring.getLong(offset + 8), ring.getLong(offset + 16), ring.getLong(offset + 24));
                    }
                    if (v != expected) {
                        throw new IllegalStateException("out of order: expected " + expected + ", got " + v);
                    }
                    expected++;
                }
                LONGS.setRelease(ring, HEAD_OFFSET, head); // release: the slots read are free again
            }
            BenchChild.round(r, n, System.nanoTime() - start);
        }
    }

    private static void checkDeadline(long deadlineNs, String what) {
        if (System.nanoTime() - deadlineNs > 0) {
            throw new IllegalStateException("timed out: " + what);
        }
    }
}
