package io.aperture;

import io.aperture.internal.section.RingHeader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.BufferOverflowException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The built-in codecs over windows shaped like the ring's: encode from the window's position up to its
 * limit (native order), decode from a read-only window holding exactly one value.
 */
class CodecsTest {

    // ------------------------------------------------------------------------------------------ names

    @Test
    void shouldKeepStableNamesAndSchemaIds() {
        // Written in the ring header and compared on attach: renaming one breaks every running peer.
        assertThat(Codecs.bytes().name()).isEqualTo("bytes");
        assertThat(Codecs.byteBuffer().name()).isEqualTo("bytebuffer");
        assertThat(Codecs.utf8().name()).isEqualTo("utf8");
        assertThat(Codecs.longs().name()).isEqualTo("long");
        assertThat(Codecs.ints().name()).isEqualTo("int");
        assertThat(Codecs.doubles().name()).isEqualTo("double");
        for (Codec<?> codec : new Codec<?>[] {Codecs.bytes(), Codecs.byteBuffer(), Codecs.utf8(), Codecs.longs(),
            Codecs.ints(), Codecs.doubles()}) {
            assertThat(codec.schemaId()).as(codec.name()).isZero();
            assertThat(RingHeader.codecNameBytes(codec)).isNotEmpty();
        }
    }

    // ------------------------------------------------------------------------------------------ bytes

    @Test
    void shouldRoundTripBytes() {
        for (int length : new int[] {0, 1, 7, 8, 255, 256, 4096}) {
            byte[] value = pattern(length, 3);
            byte[] decoded = roundTrip(Codecs.bytes(), value, length);
            assertThat(decoded).isEqualTo(value).isNotSameAs(value);
        }
    }

    @Test
    void shouldEncodeBytesAtTheWindowPositionAndAdvanceIt() {
        ByteBuffer window = window(32);
        window.position(5).limit(12);
        Codecs.bytes().encode(new byte[] {1, 2, 3}, window);
        assertThat(window.position()).isEqualTo(8);
        assertThat(window.get(5)).isEqualTo((byte) 1);
        assertThat(window.get(7)).isEqualTo((byte) 3);
        assertThat(window.get(4)).isZero();
        assertThat(window.get(8)).isZero();
    }

    @Test
    void shouldOverflowBytesWhenTheWindowIsTooSmall() {
        ByteBuffer window = window(16).limit(4);
        assertThatThrownBy(() -> Codecs.bytes().encode(new byte[5], window)).isInstanceOf(BufferOverflowException.class);
        assertThat(window.position()).as("nothing written on overflow").isZero();
        Codecs.bytes().encode(new byte[4], window); // exactly fits
        assertThat(window.position()).isEqualTo(4);
    }

    @Test
    void shouldDecodeBytesFromAReadOnlyDirectWindowWithAnOffset() {
        ByteBuffer ring = window(64);
        ring.position(17);
        Codecs.bytes().encode(new byte[] {9, 8, 7}, ring);
        ByteBuffer window = ring.asReadOnlyBuffer().order(ByteOrder.nativeOrder());
        window.limit(20).position(17);
        assertThat(Codecs.bytes().decode(window)).containsExactly(9, 8, 7);
    }

    // ------------------------------------------------------------------------------------- byteBuffer

    @Test
    void shouldRoundTripByteBufferRemainingBytesWithoutMovingTheValue() {
        ByteBuffer value = ByteBuffer.wrap(pattern(40, 11));
        value.position(3).limit(30);
        ByteBuffer window = window(64);
        Codecs.byteBuffer().encode(value, window);
        assertThat(window.position()).isEqualTo(27);
        assertThat(value.position()).as("value untouched").isEqualTo(3);
        assertThat(value.limit()).isEqualTo(30);

        ByteBuffer decoded = Codecs.byteBuffer().decode(readOnly(window, 0, 27));
        assertThat(decoded.remaining()).isEqualTo(27);
        assertThat(decoded).isEqualTo(value);
        assertThat(decoded.isReadOnly()).isFalse();
    }

    @Test
    void shouldRoundTripAnEmptyAndADirectByteBuffer() {
        assertThat(roundTrip(Codecs.byteBuffer(), ByteBuffer.allocate(0), 0).remaining()).isZero();
        ByteBuffer direct = ByteBuffer.allocateDirect(10);
        direct.put(pattern(10, 1)).flip();
        assertThat(roundTrip(Codecs.byteBuffer(), direct, 10)).isEqualTo(direct);
    }

    @Test
    void shouldOverflowByteBufferWhenTheWindowIsTooSmall() {
        ByteBuffer window = window(16).limit(9);
        ByteBuffer value = ByteBuffer.wrap(new byte[10]);
        assertThatThrownBy(() -> Codecs.byteBuffer().encode(value, window)).isInstanceOf(BufferOverflowException.class);
        assertThat(window.position()).isZero();
        assertThat(value.position()).isZero();
    }

    @Test
    void shouldCopyTheByteBufferOutOfTheWindow() {
        ByteBuffer ring = window(8);
        ring.put(0, (byte) 42);
        ByteBuffer decoded = Codecs.byteBuffer().decode(readOnly(ring, 0, 1));
        ring.put(0, (byte) 43);
        assertThat(decoded.get(0)).as("decoded value must not alias the ring").isEqualTo((byte) 42);
    }

    // ------------------------------------------------------------------------------------------- utf8

    @ParameterizedTest
    @ValueSource(strings = {
        "", "a", "hello, world", "\u007f", "\u0080", "\u00e9t\u00e9", "\u07ff", "\u0800", "\u20ac uro",
        "\ud7ff", "\ue000", "\uffff", "\ufeff", "\u65e5\u672c\u8a9e", "\ud83d\ude00", "a\ud83d\ude00b",
        "\ud800\udc00", "\udbff\udfff", "mixed \u00e9 \u20ac \ud83d\ude00 \u0000 end",
    })
    void shouldEncodeUtf8ExactlyAsStringGetBytes(String value) {
        byte[] expected = value.getBytes(StandardCharsets.UTF_8);
        assertThat(encode(Codecs.utf8(), value, expected.length)).isEqualTo(expected);
        assertThat(roundTrip(Codecs.utf8(), value, expected.length)).isEqualTo(value);
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "\ud800", "\udc00", "abc\ud83d", "\ud83dx", "\ude00\ud83d", "\ud83d\ud83d\ude00", "x\udfffy", "\ud83d\ud83d",
    })
    void shouldReplaceUnpairedSurrogatesAsStringGetBytesDoes(String value) {
        byte[] expected = value.getBytes(StandardCharsets.UTF_8);
        assertThat(encode(Codecs.utf8(), value, expected.length)).isEqualTo(expected);
        assertThat(roundTrip(Codecs.utf8(), value, expected.length))
            .isEqualTo(new String(expected, StandardCharsets.UTF_8));
    }

    @Test
    void shouldEncodeEveryCharAndEveryCodePointAsStringGetBytes() {
        for (int c = 0; c <= Character.MAX_VALUE; c++) {
            String value = String.valueOf((char) c);
            byte[] expected = value.getBytes(StandardCharsets.UTF_8);
            assertThat(encode(Codecs.utf8(), value, expected.length)).as("char U+%04X", c).isEqualTo(expected);
        }
        StringBuilder all = new StringBuilder(2 * (Character.MAX_CODE_POINT + 1));
        for (int cp = 0; cp <= Character.MAX_CODE_POINT; cp++) {
            all.appendCodePoint(cp);
        }
        String value = all.toString();
        byte[] expected = value.getBytes(StandardCharsets.UTF_8);
        assertThat(encode(Codecs.utf8(), value, expected.length)).isEqualTo(expected);
    }

    @Test
    void shouldEncodeRandomStringsWithSurrogatesAsStringGetBytes() {
        Random random = new Random(20240601L);
        char[] interesting = {'a', '\u0000', '\u007f', '\u0080', '\u07ff', '\u0800', '\uffff', '\ud800', '\udbff',
            '\udc00', '\udfff', '\u20ac'};
        for (int i = 0; i < 2_000; i++) {
            char[] chars = new char[random.nextInt(40)];
            for (int j = 0; j < chars.length; j++) {
                chars[j] = random.nextBoolean() ? interesting[random.nextInt(interesting.length)] : (char) random.nextInt(0x10000);
            }
            String value = new String(chars);
            byte[] expected = value.getBytes(StandardCharsets.UTF_8);
            assertThat(encode(Codecs.utf8(), value, expected.length)).as("case %d", i).isEqualTo(expected);
            assertThat(roundTrip(Codecs.utf8(), value, expected.length))
                .isEqualTo(new String(expected, StandardCharsets.UTF_8));
        }
    }

    @Test
    void shouldOverflowUtf8WhenAnyCharacterDoesNotFit() {
        // For each string, every window shorter than its encoding overflows; the exact length fits.
        for (String value : new String[] {"abcd", "\u00e9\u00e9", "\u20ac\u20ac", "\ud83d\ude00\ud83d\ude00", "a\u20ac\ud83d\ude00",
            "\ud800\ud800"}) {
            int length = value.getBytes(StandardCharsets.UTF_8).length;
            for (int limit = 0; limit < length; limit++) {
                ByteBuffer window = window(16).limit(limit);
                assertThatThrownBy(() -> Codecs.utf8().encode(value, window))
                    .as("'%s' into %d bytes", value, limit).isInstanceOf(BufferOverflowException.class);
                assertThat(window.position()).isLessThanOrEqualTo(limit);
            }
            ByteBuffer window = window(16).limit(length);
            Codecs.utf8().encode(value, window);
            assertThat(window.position()).isEqualTo(length);
        }
    }

    @Test
    void shouldDecodeUtf8FromHeapSlicesAndReadOnlyDirectWindows() {
        String value = "pr\u00e9fix \ud83d\ude00";
        byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
        byte[] padded = new byte[bytes.length + 10];
        System.arraycopy(bytes, 0, padded, 7, bytes.length);
        ByteBuffer slice = ByteBuffer.wrap(padded, 3, padded.length - 3).slice();
        slice.position(4).limit(4 + bytes.length);
        assertThat(Codecs.utf8().decode(slice)).as("heap slice with array offset").isEqualTo(value);

        ByteBuffer direct = window(64);
        direct.position(5);
        Codecs.utf8().encode(value, direct);
        assertThat(Codecs.utf8().decode(readOnly(direct, 5, 5 + bytes.length))).isEqualTo(value);
    }

    @Test
    void shouldDecodeMalformedUtf8WithReplacementsAsNewStringDoes() {
        byte[][] malformed = {
            {(byte) 0xC3}, {(byte) 0xE2, (byte) 0x82}, {(byte) 0xF0, (byte) 0x9F, (byte) 0x98}, {(byte) 0x80},
            {(byte) 0xFF, 'a'}, {(byte) 0xC0, (byte) 0x80}, {(byte) 0xED, (byte) 0xA0, (byte) 0x80},
            {(byte) 0xF4, (byte) 0x90, (byte) 0x80, (byte) 0x80},
        };
        for (byte[] bytes : malformed) {
            ByteBuffer window = window(8);
            window.put(bytes);
            assertThat(Codecs.utf8().decode(readOnly(window, 0, bytes.length)))
                .isEqualTo(new String(bytes, StandardCharsets.UTF_8));
        }
    }

    // ------------------------------------------------------------------------------------ primitives

    @Test
    void shouldRoundTripLongsIncludingExtremes() {
        for (long value : new long[] {0L, 1L, -1L, Long.MIN_VALUE, Long.MAX_VALUE, 0x0102_0304_0506_0708L, Integer.MIN_VALUE}) {
            assertThat(roundTrip(Codecs.longs(), value, 8)).isEqualTo(value);
            assertThat(encode(Codecs.longs(), value, 8))
                .isEqualTo(ByteBuffer.allocate(8).order(ByteOrder.nativeOrder()).putLong(value).array());
        }
    }

    @Test
    void shouldRoundTripIntsIncludingExtremes() {
        for (int value : new int[] {0, 1, -1, Integer.MIN_VALUE, Integer.MAX_VALUE, 0x0102_0304}) {
            assertThat(roundTrip(Codecs.ints(), value, 4)).isEqualTo(value);
            assertThat(encode(Codecs.ints(), value, 4))
                .isEqualTo(ByteBuffer.allocate(4).order(ByteOrder.nativeOrder()).putInt(value).array());
        }
    }

    @Test
    void shouldRoundTripDoublesIncludingExtremesBitForBit() {
        double[] values = {0.0, -0.0, 1.0, -1.5, Math.PI, Double.MIN_VALUE, -Double.MIN_VALUE, Double.MIN_NORMAL,
            Double.MAX_VALUE, -Double.MAX_VALUE, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, Double.NaN};
        for (double value : values) {
            Double decoded = roundTrip(Codecs.doubles(), value, 8);
            assertThat(Double.doubleToRawLongBits(decoded)).as("%s", value).isEqualTo(Double.doubleToRawLongBits(value));
        }
    }

    @Test
    void shouldOverflowPrimitivesWhenTheWindowIsTooSmall() {
        assertThatThrownBy(() -> Codecs.longs().encode(1L, window(16).limit(7))).isInstanceOf(BufferOverflowException.class);
        assertThatThrownBy(() -> Codecs.ints().encode(1, window(16).limit(3))).isInstanceOf(BufferOverflowException.class);
        assertThatThrownBy(() -> Codecs.doubles().encode(1.0, window(16).limit(7))).isInstanceOf(BufferOverflowException.class);
        ByteBuffer empty = window(16).limit(0);
        assertThatThrownBy(() -> Codecs.longs().encode(1L, empty)).isInstanceOf(BufferOverflowException.class);
        assertThat(empty.position()).isZero();
    }

    @Test
    void shouldRejectPrimitivesOfTheWrongLength() {
        for (int length : new int[] {0, 1, 4, 7, 9, 16}) {
            ByteBuffer window = readOnly(window(16), 0, length);
            assertThatThrownBy(() -> Codecs.longs().decode(window)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("long codec expects 8 bytes, got " + length);
            assertThatThrownBy(() -> Codecs.doubles().decode(window)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("double codec expects 8 bytes, got " + length);
        }
        for (int length : new int[] {0, 1, 3, 5, 8}) {
            ByteBuffer window = readOnly(window(16), 0, length);
            assertThatThrownBy(() -> Codecs.ints().decode(window)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("int codec expects 4 bytes, got " + length);
        }
    }

    // ---------------------------------------------------------------------------------------- helpers

    /** A ring-like window: direct, native order, zeroed. */
    private static ByteBuffer window(int capacity) {
        return ByteBuffer.allocateDirect(capacity).order(ByteOrder.nativeOrder());
    }

    private static ByteBuffer readOnly(ByteBuffer buffer, int from, int to) {
        ByteBuffer window = buffer.asReadOnlyBuffer().order(ByteOrder.nativeOrder());
        window.limit(to).position(from);
        return window;
    }

    /** Encodes into a window with exactly {@code length} bytes of room at an offset, and returns the bytes. */
    private static <T> byte[] encode(Codec<T> codec, T value, int length) {
        ByteBuffer ring = window(length + 16);
        ring.limit(8 + length).position(8);
        codec.encode(value, ring);
        assertThat(ring.position() - 8).as("encoded length").isEqualTo(length);
        byte[] bytes = new byte[length];
        ring.get(8, bytes);
        ring.limit(ring.capacity());
        assertThat(ring.get(7)).as("byte before the window").isZero();
        assertThat(ring.get(8 + length)).as("byte after the window").isZero();
        return bytes;
    }

    /** Encodes in a window of exactly the expected length (at an offset), then decodes a read-only window. */
    private static <T> T roundTrip(Codec<T> codec, T value, int length) {
        ByteBuffer ring = window(length + 16);
        ring.limit(8 + length).position(8);
        codec.encode(value, ring);
        assertThat(ring.position() - 8).as("encoded length").isEqualTo(length);
        return codec.decode(readOnly(ring, 8, 8 + length));
    }

    private static byte[] pattern(int length, int salt) {
        byte[] bytes = new byte[length];
        for (int i = 0; i < length; i++) {
            bytes[i] = (byte) (i * 31 + salt);
        }
        return bytes;
    }
}
