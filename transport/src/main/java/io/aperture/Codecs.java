package io.aperture;

import java.nio.BufferOverflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.ServiceLoader;

/**
 * The built-in codecs: raw bytes, UTF-8 strings and boxed primitives. Each instance is stateless and shareable.
 * {@link #byName(String)} finds these and, through {@link CodecProvider}s, the codecs of other modules.
 */
public final class Codecs {
    private static final List<Codec<?>> BUILT_IN = List.of(BytesCodec.INSTANCE, ByteBufferCodec.INSTANCE,
        Utf8Codec.INSTANCE, LongCodec.INSTANCE, IntCodec.INSTANCE, DoubleCodec.INSTANCE);

    private Codecs() {
    }

    /**
     * The codec whose {@link Codec#name()} is {@code name}: a built-in one ({@code "bytes"}, {@code "bytebuffer"},
     * {@code "utf8"}, {@code "long"}, {@code "int"}, {@code "double"}), else the first answer of the
     * {@link CodecProvider}s that {@link ServiceLoader} finds with the thread's context class loader. For example
     * a tool reads a ring header's codec name and finds the codec to decode its records.
     *
     * @throws IllegalArgumentException when no codec has that name, or a provider knows the name but cannot
     *     build the codec; the message names the codec and the providers asked
     * @throws IllegalStateException when a provider answers with a codec of another name
     *
     * @param name the codec's name, as a ring header carries it
     * @return the codec of that name
     */
    public static Codec<?> byName(String name) {
        java.util.Objects.requireNonNull(name, "name");
        for (Codec<?> codec : BUILT_IN) {
            if (codec.name().equals(name)) {
                return codec;
            }
        }
        List<String> asked = new ArrayList<>();
        for (CodecProvider provider : ServiceLoader.load(CodecProvider.class)) {
            asked.add(provider.getClass().getName());
            Optional<Codec<?>> found = provider.codec(name);
            if (found.isPresent()) {
                Codec<?> codec = found.get();
                if (!name.equals(codec.name())) {
                    throw new IllegalStateException("codec provider " + provider.getClass().getName() + " answered '"
                        + name + "' with a codec named '" + codec.name() + "'");
                }
                return codec;
            }
        }
        List<String> builtIn = new ArrayList<>();
        BUILT_IN.forEach(codec -> builtIn.add(codec.name()));
        throw new IllegalArgumentException("no codec named '" + name + "': not built in " + builtIn
            + " and unknown to the codec providers on the class path " + asked);
    }

    /**
     * {@code byte[]} as is. Decoding copies the bytes out of the ring.
     *
     * @return the codec named {@code "bytes"}
     */
    public static Codec<byte[]> bytes() {
        return BytesCodec.INSTANCE;
    }

    /**
     * A {@link ByteBuffer}'s remaining bytes. Decoding returns a new heap buffer holding a copy.
     *
     * @return the codec named {@code "bytebuffer"}
     */
    public static Codec<ByteBuffer> byteBuffer() {
        return ByteBufferCodec.INSTANCE;
    }

    /**
     * Strings as UTF-8, encoded straight into the ring with no intermediate array.
     *
     * @return the codec named {@code "utf8"}
     */
    public static Codec<String> utf8() {
        return Utf8Codec.INSTANCE;
    }

    /**
     * {@code Long} as 8 bytes.
     *
     * @return the codec named {@code "long"}
     */
    public static Codec<Long> longs() {
        return LongCodec.INSTANCE;
    }

    /**
     * {@code Integer} as 4 bytes.
     *
     * @return the codec named {@code "int"}
     */
    public static Codec<Integer> ints() {
        return IntCodec.INSTANCE;
    }

    /**
     * {@code Double} as 8 bytes (IEEE 754 bits).
     *
     * @return the codec named {@code "double"}
     */
    public static Codec<Double> doubles() {
        return DoubleCodec.INSTANCE;
    }

    private static void requireExactly(ByteBuffer window, int length, String codec) {
        if (window.remaining() != length) {
            throw new IllegalArgumentException(codec + " codec expects " + length + " bytes, got " + window.remaining());
        }
    }

    private static final class BytesCodec implements Codec<byte[]> {
        static final BytesCodec INSTANCE = new BytesCodec();

        @Override
        public String name() {
            return "bytes";
        }

        @Override
        public void encode(byte[] value, ByteBuffer window) {
            window.put(value);
        }

        @Override
        public byte[] decode(ByteBuffer window) {
            byte[] bytes = new byte[window.remaining()];
            window.get(bytes);
            return bytes;
        }
    }

    private static final class ByteBufferCodec implements Codec<ByteBuffer> {
        static final ByteBufferCodec INSTANCE = new ByteBufferCodec();

        @Override
        public String name() {
            return "bytebuffer";
        }

        @Override
        public void encode(ByteBuffer value, ByteBuffer window) {
            window.put(value.duplicate());
        }

        @Override
        public ByteBuffer decode(ByteBuffer window) {
            ByteBuffer copy = ByteBuffer.allocate(window.remaining());
            copy.put(window).flip();
            return copy;
        }
    }

    private static final class Utf8Codec implements Codec<String> {
        static final Utf8Codec INSTANCE = new Utf8Codec();

        @Override
        public String name() {
            return "utf8";
        }

        @Override
        public void encode(String value, ByteBuffer window) {
            int length = value.length();
            for (int i = 0; i < length; i++) {
                char c = value.charAt(i);
                if (c < 0x80) {
                    window.put((byte) c);
                } else if (c < 0x800) {
                    ensure(window, 2);
                    window.put((byte) (0xC0 | (c >> 6)));
                    window.put((byte) (0x80 | (c & 0x3F)));
                } else if (Character.isHighSurrogate(c) && i + 1 < length && Character.isLowSurrogate(value.charAt(i + 1))) {
                    int cp = Character.toCodePoint(c, value.charAt(++i));
                    ensure(window, 4);
                    window.put((byte) (0xF0 | (cp >> 18)));
                    window.put((byte) (0x80 | ((cp >> 12) & 0x3F)));
                    window.put((byte) (0x80 | ((cp >> 6) & 0x3F)));
                    window.put((byte) (0x80 | (cp & 0x3F)));
                } else if (Character.isSurrogate(c)) {
                    window.put((byte) '?'); // unpaired surrogate, as String.getBytes(UTF_8) does
                } else {
                    ensure(window, 3);
                    window.put((byte) (0xE0 | (c >> 12)));
                    window.put((byte) (0x80 | ((c >> 6) & 0x3F)));
                    window.put((byte) (0x80 | (c & 0x3F)));
                }
            }
        }

        private static void ensure(ByteBuffer window, int bytes) {
            if (window.remaining() < bytes) {
                throw new BufferOverflowException();
            }
        }

        @Override
        public String decode(ByteBuffer window) {
            if (window.hasArray()) {
                return new String(window.array(), window.arrayOffset() + window.position(), window.remaining(),
                    StandardCharsets.UTF_8);
            }
            byte[] bytes = new byte[window.remaining()];
            window.get(bytes);
            return new String(bytes, StandardCharsets.UTF_8);
        }
    }

    private static final class LongCodec implements Codec<Long> {
        static final LongCodec INSTANCE = new LongCodec();

        @Override
        public String name() {
            return "long";
        }

        @Override
        public void encode(Long value, ByteBuffer window) {
            window.putLong(value);
        }

        @Override
        public Long decode(ByteBuffer window) {
            requireExactly(window, Long.BYTES, "long");
            return window.getLong();
        }
    }

    private static final class IntCodec implements Codec<Integer> {
        static final IntCodec INSTANCE = new IntCodec();

        @Override
        public String name() {
            return "int";
        }

        @Override
        public void encode(Integer value, ByteBuffer window) {
            window.putInt(value);
        }

        @Override
        public Integer decode(ByteBuffer window) {
            requireExactly(window, Integer.BYTES, "int");
            return window.getInt();
        }
    }

    private static final class DoubleCodec implements Codec<Double> {
        static final DoubleCodec INSTANCE = new DoubleCodec();

        @Override
        public String name() {
            return "double";
        }

        @Override
        public void encode(Double value, ByteBuffer window) {
            window.putDouble(value);
        }

        @Override
        public Double decode(ByteBuffer window) {
            requireExactly(window, Double.BYTES, "double");
            return window.getDouble();
        }
    }
}
