package io.aperture.benchmarks.bench;

import io.aperture.Codec;

import java.nio.ByteBuffer;

/**
 * A 32-byte message: a sequence number and three fields derived from it, so the consumer can check the
 * whole message, not only its order.
 *
 * @param seq the sequence number
 * @param a   {@code seq * 31}
 * @param b   {@code ~seq}
 * @param c   {@code seq ^ MASK}
 */
record Quad(long seq, long a, long b, long c) {
    static final int SIZE = 4 * Long.BYTES;
    static final long MASK = 0x5DEECE66DL;

    static Quad of(long seq) {
        return new Quad(seq, seq * 31, ~seq, seq ^ MASK);
    }

    static void check(long seq, long a, long b, long c) {
        if (a != seq * 31 || b != ~seq || c != (seq ^ MASK)) {
            throw new IllegalStateException("message " + seq + " damaged: " + a + ", " + b + ", " + c);
        }
    }

    /** Checks the fields and returns the sequence number. */
    long checked() {
        check(seq, a, b, c);
        return seq;
    }

    /** The Aperture codec: four longs. */
    static final class QuadCodec implements Codec<Quad> {
        @Override
        public String name() {
            return "bench-quad";
        }

        @Override
        public void encode(Quad q, ByteBuffer window) {
            window.putLong(q.seq).putLong(q.a).putLong(q.b).putLong(q.c);
        }

        @Override
        public Quad decode(ByteBuffer window) {
            return new Quad(window.getLong(), window.getLong(), window.getLong(), window.getLong());
        }
    }
}
