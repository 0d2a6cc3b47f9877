package io.aperture.codecs;

import io.aperture.Codec;
import io.aperture.Codecs;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.From;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

import java.nio.BufferOverflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The transport's built-in codecs, through ring-like windows: round trips of generated values, exact fit. */
class BuiltInCodecPropertiesTest {
    @Property
    void shouldRoundTripAnyLong(@ForAll long value) {
        assertThat(Windows.roundTrip(Codecs.longs(), value)).isEqualTo(value);
    }

    @Property
    void shouldRoundTripAnyInt(@ForAll int value) {
        assertThat(Windows.roundTrip(Codecs.ints(), value)).isEqualTo(value);
    }

    @Provide
    Arbitrary<Double> anyDouble() {
        return Arbitraries.doubles().withSpecialValue(Double.NaN).withSpecialValue(Double.POSITIVE_INFINITY)
            .withSpecialValue(Double.NEGATIVE_INFINITY).withSpecialValue(-0.0).withSpecialValue(Double.MIN_VALUE);
    }

    @Property
    void shouldRoundTripAnyDoubleBitForBit(@ForAll("anyDouble") double value) {
        assertThat(Double.doubleToRawLongBits(Windows.roundTrip(Codecs.doubles(), value)))
            .isEqualTo(Double.doubleToRawLongBits(value));
    }

    @Provide
    Arbitrary<String> texts() {
        return Generators.texts();
    }

    @Property
    void shouldRoundTripAnyText(@ForAll("texts") String text) {
        assertThat(Windows.roundTrip(Codecs.utf8(), text)).isEqualTo(text);
    }

    /** Any string, lone surrogates included, encodes as {@code String.getBytes(UTF_8)} does, and fits exactly. */
    @Property
    void shouldEncodeAnyStringAsTheJdkDoesAndFitExactly(@ForAll String text) {
        byte[] expected = text.getBytes(StandardCharsets.UTF_8);
        assertThat(Windows.encode(Codecs.utf8(), text)).isEqualTo(expected);
        assertFitsExactly(Codecs.utf8(), text, expected.length);
    }

    @Provide
    Arbitrary<byte[]> anyBytes() {
        return Generators.bytes(4096);
    }

    @Property
    void shouldRoundTripAnyBytes(@ForAll @From("anyBytes") byte[] bytes) {
        assertThat(Windows.roundTrip(Codecs.bytes(), bytes)).isEqualTo(bytes);
        ByteBuffer buffer = ByteBuffer.wrap(bytes);
        assertThat(Windows.roundTrip(Codecs.byteBuffer(), buffer)).isEqualTo(ByteBuffer.wrap(bytes));
        assertThat(buffer.position()).as("the value's position is left alone").isZero();
        assertFitsExactly(Codecs.bytes(), bytes, bytes.length);
    }

    @Example
    void shouldFitPrimitivesExactly() {
        assertFitsExactly(Codecs.longs(), Long.MIN_VALUE, 8);
        assertFitsExactly(Codecs.ints(), Integer.MAX_VALUE, 4);
        assertFitsExactly(Codecs.doubles(), Double.NaN, 8);
    }

    @Example
    void shouldRoundTripTheMaximumMessageLength() {
        byte[] largest = new byte[(1 << 20) / 8];
        java.util.Arrays.fill(largest, (byte) 7);
        assertThat(Windows.roundTrip(Codecs.bytes(), largest)).isEqualTo(largest);
        String text = "é".repeat(largest.length / 2);
        assertThat(Windows.roundTrip(Codecs.utf8(), text)).isEqualTo(text);
        assertFitsExactly(Codecs.utf8(), text, largest.length);
    }

    private static <T> void assertFitsExactly(Codec<T> codec, T value, int length) {
        ByteBuffer exact = Windows.writable(length);
        codec.encode(value, exact);
        assertThat(exact.position()).isEqualTo(Windows.OFFSET + length);
        if (length > 0) {
            assertThatThrownBy(() -> codec.encode(value, Windows.writable(length - 1)))
                .isExactlyInstanceOf(BufferOverflowException.class);
        }
    }
}
