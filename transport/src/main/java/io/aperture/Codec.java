package io.aperture;

import java.nio.ByteBuffer;

/**
 * Turns a {@code T} into bytes written in place in the ring, and back.
 *
 * <p>{@link #encode} writes into a window of the ring: the bytes between the window's position and its
 * limit are free. The codec writes from the position (relative puts, or absolute puts at offsets from the
 * position) and leaves the position after its last byte; the encoded length is how far it moved.
 * When the value does not fit, the codec lets {@link java.nio.BufferOverflowException} propagate (the
 * relative puts throw it): the ring offers a larger window or reports {@link MessageTooLargeException}.
 * An encoder may be called again for the same value, so it must not have side effects.
 *
 * <p>{@link #decode} reads a read-only window holding exactly one encoded value, between position and
 * limit. The window is only valid during the call: a decoded value must not keep a reference to it.
 * Windows are in native byte order.
 *
 * <p>{@link #name()} and {@link #schemaId()} are written in the ring header; a subscriber whose codec
 * has another name or schema id is refused at attach time.
 *
 * @param <T> the type of values
 */
public interface Codec<T> {
    /**
     * Stable name, at most 64 bytes of UTF-8, written in the ring header.
     *
     * @return the codec's name; a subscriber attaches only to a ring written with a codec of the same name
     */
    String name();

    /**
     * Schema id or version of the encoded form, written in the ring header.
     *
     * @return the schema id, 0 by default
     */
    default int schemaId() {
        return 0;
    }

    /**
     * Encodes {@code value} at the window's position, advancing it past the last byte written.
     *
     * @param value  the value to encode
     * @param window the free bytes of the ring from its position to its limit, in native byte order
     */
    void encode(T value, ByteBuffer window);

    /**
     * Decodes one value from the window's remaining bytes.
     *
     * @param window a read-only window holding exactly one encoded value, valid only during the call
     * @return the decoded value, holding no reference to the window
     */
    T decode(ByteBuffer window);
}
