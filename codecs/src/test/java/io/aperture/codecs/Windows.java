package io.aperture.codecs;

import io.aperture.Codec;

import java.nio.BufferOverflowException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Windows as the ring hands them to codecs: a direct buffer in native order, the window starting after a
 * record header (position 8 here, not 0) and bounded by its limit; decoding sees a read-only view.
 */
final class Windows {
    /** Where windows start in their buffer: after a record header, as in the ring. */
    static final int OFFSET = 8;

    private Windows() {
    }

    /** A writable window of exactly {@code length} bytes at {@link #OFFSET} of a direct buffer filled with 0x5A. */
    static ByteBuffer writable(int length) {
        ByteBuffer buffer = ByteBuffer.allocateDirect(OFFSET + length + 64).order(ByteOrder.nativeOrder());
        while (buffer.hasRemaining()) {
            buffer.put((byte) 0x5A);
        }
        buffer.limit(OFFSET + length).position(OFFSET);
        return buffer;
    }

    /** A read-only window over {@code bytes}, at {@link #OFFSET} of a direct buffer whose other bytes are {@code fill}. */
    static ByteBuffer readOnly(byte[] bytes, byte fill) {
        ByteBuffer buffer = ByteBuffer.allocateDirect(OFFSET + bytes.length + 64).order(ByteOrder.nativeOrder());
        while (buffer.hasRemaining()) {
            buffer.put(fill);
        }
        buffer.position(OFFSET);
        buffer.put(bytes);
        return buffer.asReadOnlyBuffer().order(ByteOrder.nativeOrder()).limit(OFFSET + bytes.length).position(OFFSET);
    }

    /**
     * The bytes {@code codec} writes for {@code value}, through a window as the ring gives it: a small one
     * first, then larger ones after each overflow, as the ring retries.
     */
    static <T> byte[] encode(Codec<T> codec, T value) {
        for (int length = 256; ; length <<= 2) {
            ByteBuffer window = writable(length);
            try {
                codec.encode(value, window);
            } catch (BufferOverflowException e) {
                if (length >= 1 << 22) {
                    throw e;
                }
                continue;
            }
            byte[] bytes = new byte[window.position() - OFFSET];
            window.get(OFFSET, bytes);
            return bytes;
        }
    }

    /** Encodes into a ring-like window, decodes from a read-only view of it. */
    static <T> T roundTrip(Codec<T> codec, T value) {
        return codec.decode(readOnly(encode(codec, value), (byte) 0x5A));
    }
}
