package io.aperture.benchmarks.bench;

import java.io.EOFException;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;


/**
 * A Unix domain socket (JDK 16+ {@code SocketChannel}, blocking). The consumer (or ponger) binds and
 * accepts; the producer connects. Throughput: messages written in batches of {@link #BATCH_BYTES} (8 KiB per
 * write), or fewer when the credit window is smaller; the consumer reads 64 KiB at a time and checks
 * each long. With a window, the consumer sends its running count back every window / 4 messages and
 * the producer never runs more than the window ahead (the credit scheme Aperture's demand uses).
 */
final class UdsPeer {
    /** Bytes per write: 1024 longs or 256 32-byte messages. */
    static final int BATCH_BYTES = 8 * 1024;

    private UdsPeer() {
    }

    static void run(String role, Params p) throws Exception {
        Path path = p.getPath("socket");
        switch (role) {
            case "consumer", "ponger" -> {
                Files.deleteIfExists(path);
                try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
                    server.bind(UnixDomainSocketAddress.of(path));
                    BenchChild.ready();
                    try (SocketChannel ch = server.accept()) {
                        if (role.equals("consumer")) {
                            if (p.get("scenario").equals("bw")) {
                                consumeBlocks(ch, p);
                            } else {
                                consume(ch, p);
                            }
                        } else {
                            pong(ch, p);
                        }
                    }
                } finally {
                    Files.deleteIfExists(path);
                }
            }
            case "producer", "pinger" -> {
                try (SocketChannel ch = SocketChannel.open(UnixDomainSocketAddress.of(path))) {
                    if (role.equals("producer")) {
                        if (p.get("scenario").equals("bw")) {
                            produceBlocks(ch, p);
                        } else {
                            produce(ch, p);
                        }
                    } else {
                        ping(ch, p);
                    }
                }
            }
            default -> throw new IllegalArgumentException("role " + role);
        }
    }

    private static void produce(SocketChannel ch, Params p) throws IOException {
        long n = p.getLong("messages");
        int window = p.getInt("window", 0);
        int size = p.getInt("size", Long.BYTES);
        int maxBatch = BATCH_BYTES / size;
        ByteBuffer out = ByteBuffer.allocateDirect(BATCH_BYTES).order(ByteOrder.nativeOrder());
        ByteBuffer acks = ByteBuffer.allocateDirect(64 * Long.BYTES).order(ByteOrder.nativeOrder());
        long sent = 0;
        long acked = 0;
        for (int r = 0; r < p.rounds(); r++) {
            long i = 0;
            while (i < n) {
                int batch = (int) Math.min(maxBatch, n - i);
                if (window > 0) {
                    while (sent - acked >= window) {
                        acked = readAck(ch, acks, acked);
                        if (acked < 0) {
                            throw new EOFException("consumer closed while the producer waited for credit");
                        }
                    }
                    batch = (int) Math.min(batch, window - (sent - acked));
                }
                out.clear();
                for (int k = 0; k < batch; k++) {
                    if (size == Quad.SIZE) {
                        Quad q = Quad.of(i);
                        out.putLong(q.seq()).putLong(q.a()).putLong(q.b()).putLong(q.c());
                    } else {
                        out.putLong(i);
                    }
                    i++;
                }
                out.flip();
                while (out.hasRemaining()) {
                    ch.write(out);
                }
                sent += batch;
            }
            while (acked < sent) { // the round's end: wait until the consumer took all of it
                acked = readAck(ch, acks, acked);
                if (acked < 0) {
                    throw new EOFException("consumer closed before the end of round " + r);
                }
            }
        }
        ch.shutdownOutput();
        // the consumer closes after the last message: wait for it, so every byte was taken
        while (readAck(ch, acks, acked) >= 0) {
            // drain remaining acks until EOF
        }
    }

    /** Blocks for at least one ack; returns the latest running count, or -1 at end of stream. */
    private static long readAck(SocketChannel ch, ByteBuffer acks, long acked) throws IOException {
        int read = ch.read(acks);
        if (read < 0) {
            return -1;
        }
        acks.flip();
        long latest = acked;
        while (acks.remaining() >= Long.BYTES) {
            latest = acks.getLong();
        }
        acks.compact();
        return latest;
    }

    private static void consume(SocketChannel ch, Params p) throws IOException {
        long n = p.getLong("messages");
        int window = p.getInt("window", 0);
        int ackEvery = Math.max(1, window / 4);
        int size = p.getInt("size", Long.BYTES);
        ByteBuffer in = ByteBuffer.allocateDirect(64 * 1024).order(ByteOrder.nativeOrder());
        ByteBuffer ack = ByteBuffer.allocateDirect(Long.BYTES).order(ByteOrder.nativeOrder());
        long consumed = 0;
        long lastAck = 0;
        for (int r = 0; r < p.rounds(); r++) {
            long expected = 0;
            long start = 0;
            while (expected < n) {
                if (ch.read(in) < 0) {
                    throw new EOFException("stream ended after " + expected + " of " + n + " in round " + r);
                }
                in.flip();
                while (in.remaining() >= size && expected < n) {
                    long v = in.getLong();
                    if (size == Quad.SIZE) {
                        Quad.check(v, in.getLong(), in.getLong(), in.getLong());
                    }
                    if (v != expected) {
                        throw new IllegalStateException("out of order: expected " + expected + ", got " + v);
                    }
                    if (expected == 0) {
                        start = System.nanoTime();
                    }
                    expected++;
                    consumed++;
                }
                in.compact();
                if (window > 0 && consumed - lastAck >= ackEvery && expected < n) {
                    writeAck(ch, ack, consumed);
                    lastAck = consumed;
                }
            }
            long nanos = System.nanoTime() - start;
            writeAck(ch, ack, consumed);
            lastAck = consumed;
            BenchChild.round(r, n, nanos);
        }
    }

    private static void writeAck(SocketChannel ch, ByteBuffer ack, long consumed) throws IOException {
        ack.clear();
        ack.putLong(consumed).flip();
        while (ack.hasRemaining()) {
            ch.write(ack);
        }
    }

    private static void produceBlocks(SocketChannel ch, Params p) throws IOException {
        long n = p.getLong("messages");
        int size = p.getInt("size");
        ByteBuffer msg = ByteBuffer.allocateDirect(size).order(ByteOrder.nativeOrder());
        for (int i = Long.BYTES; i < size; i++) {
            msg.put(i, (byte) (i - Long.BYTES));
        }
        for (int r = 0; r < p.rounds(); r++) {
            for (long i = 0; i < n; i++) {
                msg.clear();
                msg.putLong(0, i);
                while (msg.hasRemaining()) {
                    ch.write(msg);
                }
            }
            ByteBuffer roundEnd = ByteBuffer.allocate(Long.BYTES);
            while (roundEnd.hasRemaining()) {
                if (ch.read(roundEnd) < 0) {
                    throw new EOFException("consumer closed before the end of round " + r);
                }
            }
        }
        ch.shutdownOutput();
        ByteBuffer eof = ByteBuffer.allocate(8);
        while (ch.read(eof) >= 0) {
            eof.clear();
        }
    }

    private static void consumeBlocks(SocketChannel ch, Params p) throws IOException {
        long n = p.getLong("messages");
        int size = p.getInt("size");
        ByteBuffer in = ByteBuffer.allocateDirect(size).order(ByteOrder.nativeOrder());
        for (int r = 0; r < p.rounds(); r++) {
            long start = 0;
            for (long i = 0; i < n; i++) {
                in.clear();
                while (in.hasRemaining()) {
                    if (ch.read(in) < 0) {
                        throw new EOFException("stream ended in block " + i + " of round " + r);
                    }
                }
                long v = in.getLong(0);
                if (v != i || in.get(size - 1) != (byte) (size - 1 - Long.BYTES)) {
                    throw new IllegalStateException("block out of order or damaged: expected " + i + ", got " + v);
                }
                if (i == 0) {
                    start = System.nanoTime();
                }
            }
            long nanos = System.nanoTime() - start;
            writeAck(ch, ByteBuffer.allocateDirect(Long.BYTES).order(ByteOrder.nativeOrder()), n);
            BenchChild.round(r, n, nanos);
        }
    }

    private static void ping(SocketChannel ch, Params p) throws IOException {
        RoundTrips trips = new RoundTrips(p);
        ByteBuffer buf = ByteBuffer.allocateDirect(Long.BYTES).order(ByteOrder.nativeOrder());
        for (long seq = 0; seq < trips.total; seq++) {
            long t0 = System.nanoTime();
            buf.clear();
            buf.putLong(0, seq);
            while (buf.hasRemaining()) {
                ch.write(buf);
            }
            buf.clear();
            while (buf.hasRemaining()) {
                if (ch.read(buf) < 0) {
                    throw new EOFException("ponger closed at " + seq);
                }
            }
            long t1 = System.nanoTime();
            if (buf.getLong(0) != seq) {
                throw new IllegalStateException("pong out of order: expected " + seq + ", got " + buf.getLong(0));
            }
            trips.record(seq, t1 - t0);
        }
    }

    private static void pong(SocketChannel ch, Params p) throws IOException {
        ByteBuffer buf = ByteBuffer.allocateDirect(Long.BYTES).order(ByteOrder.nativeOrder());
        while (true) {
            buf.clear();
            while (buf.hasRemaining()) {
                if (ch.read(buf) < 0) {
                    return; // the pinger is done
                }
            }
            buf.flip();
            while (buf.hasRemaining()) {
                ch.write(buf);
            }
        }
    }
}
