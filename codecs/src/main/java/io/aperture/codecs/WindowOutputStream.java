package io.aperture.codecs;

import java.io.OutputStream;
import java.nio.BufferOverflowException;
import java.nio.ByteBuffer;
import java.util.Objects;

/**
 * An {@link OutputStream} writing into a ring window at its position. When a write does not fit it writes
 * nothing, remembers the overflow and throws {@link BufferOverflowException}: a library may wrap that in its
 * own exception, and {@link #overflowed()} still tells the codec to ask the ring for a larger window.
 */
final class WindowOutputStream extends OutputStream {
    private final ByteBuffer window;
    private boolean overflowed;

    WindowOutputStream(ByteBuffer window) {
        this.window = window;
    }

    boolean overflowed() {
        return overflowed;
    }

    @Override
    public void write(int b) {
        if (!window.hasRemaining()) {
            throw overflow();
        }
        window.put((byte) b);
    }

    @Override
    public void write(byte[] bytes, int offset, int length) {
        Objects.checkFromIndexSize(offset, length, bytes.length);
        if (length > window.remaining()) {
            throw overflow();
        }
        window.put(bytes, offset, length);
    }

    private BufferOverflowException overflow() {
        overflowed = true;
        return new BufferOverflowException();
    }
}
