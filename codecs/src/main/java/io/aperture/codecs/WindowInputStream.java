package io.aperture.codecs;

import java.io.InputStream;
import java.nio.ByteBuffer;
import java.util.Objects;

/** An {@link InputStream} over a ring window's remaining bytes; reading advances the window's position. */
final class WindowInputStream extends InputStream {
    private final ByteBuffer window;

    WindowInputStream(ByteBuffer window) {
        this.window = window;
    }

    @Override
    public int read() {
        return window.hasRemaining() ? window.get() & 0xFF : -1;
    }

    @Override
    public int read(byte[] bytes, int offset, int length) {
        Objects.checkFromIndexSize(offset, length, bytes.length);
        if (length == 0) {
            return 0;
        }
        int remaining = window.remaining();
        if (remaining == 0) {
            return -1;
        }
        int n = Math.min(length, remaining);
        window.get(bytes, offset, n);
        return n;
    }

    @Override
    public long skip(long n) {
        int skipped = (int) Math.max(0, Math.min(n, window.remaining()));
        window.position(window.position() + skipped);
        return skipped;
    }

    @Override
    public int available() {
        return window.remaining();
    }
}
