package io.aperture.codecs;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

import java.nio.BufferOverflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** {@link JsonCodec}: round trips of generated values, exact fit, overflow, names and failures. */
class JsonCodecTest {
    private static final int MAX_MESSAGE_LENGTH = (1 << 20) / 8; // the default channel's

    private final JsonCodec<Quote> codec = JsonCodec.of(Quote.class);

    @Provide
    Arbitrary<Quote> quotes() {
        return Combinators.combine(Generators.texts(), Arbitraries.longs(), Arbitraries.doubles(),
            Generators.texts().list().ofMaxSize(5)).as(Quote::new);
    }

    @Property
    void shouldRoundTripAnyQuote(@ForAll("quotes") Quote quote) {
        assertThat(Windows.roundTrip(codec, quote)).isEqualTo(quote);
    }

    @Property(tries = 200)
    void shouldRoundTripGenericTypes(@ForAll("quotes") Quote first, @ForAll("quotes") Quote second) {
        JsonCodec<List<Quote>> lists = JsonCodec.of(new ObjectMapper(), new TypeReference<List<Quote>>() { });
        assertThat(Windows.roundTrip(lists, List.of(first, second))).containsExactly(first, second);
        assertThat(Windows.roundTrip(lists, List.of())).isEmpty();
        assertThat(lists.name()).isEqualTo("json:java.util.List<io.aperture.codecs.Quote>");
    }

    @Property
    void shouldFitAWindowOfExactlyItsLengthAndOverflowOneByteLess(@ForAll("quotes") Quote quote) {
        int length = Windows.encode(codec, quote).length;
        ByteBuffer exact = Windows.writable(length);
        codec.encode(quote, exact);
        assertThat(exact.position()).isEqualTo(Windows.OFFSET + length);

        ByteBuffer short1 = Windows.writable(length - 1);
        assertThatThrownBy(() -> codec.encode(quote, short1)).isExactlyInstanceOf(BufferOverflowException.class);
    }

    @Example
    void shouldRoundTripEmptyAndNonAsciiValues() {
        for (String text : Fixtures.TEXTS) {
            Quote quote = new Quote(text, Long.MIN_VALUE, -0.0, List.of(text, "", text + text));
            assertThat(Windows.roundTrip(codec, quote)).isEqualTo(quote);
        }
        Quote empty = new Quote("", 0, 0, List.of());
        assertThat(Windows.roundTrip(codec, empty)).isEqualTo(empty);
    }

    @Example
    void shouldWriteUtf8Json() {
        byte[] bytes = Windows.encode(codec, new Quote("日本", 5, 0.5, List.of("é")));
        assertThat(new String(bytes, StandardCharsets.UTF_8))
            .isEqualTo("{\"symbol\":\"日本\",\"priceMantissa\":5,\"ratio\":0.5,\"tags\":[\"é\"]}");
    }

    @Example
    void shouldRoundTripAValueOfTheMaximumMessageLength() {
        Quote largest = Fixtures.quoteOfLength(codec, MAX_MESSAGE_LENGTH, 7);
        ByteBuffer window = Windows.writable(MAX_MESSAGE_LENGTH);
        codec.encode(largest, window);
        assertThat(window.position() - Windows.OFFSET).isEqualTo(MAX_MESSAGE_LENGTH);
        assertThat(Windows.roundTrip(codec, largest)).isEqualTo(largest);
    }

    @Example
    void shouldOverflowEvenWhenJacksonWrapsTheOverflowInsideAField() {
        // A long string flushes the generator's buffer in the middle of a field, where Jackson wraps exceptions.
        Quote quote = new Quote("x".repeat(50_000), 1, 1, List.of());
        ObjectMapper wrapping = new ObjectMapper().enable(SerializationFeature.WRAP_EXCEPTIONS);
        JsonCodec<Quote> wrapped = JsonCodec.of(wrapping, Quote.class);
        assertThatThrownBy(() -> wrapped.encode(quote, Windows.writable(10_000)))
            .isExactlyInstanceOf(BufferOverflowException.class);
    }

    @Example
    void shouldEncodeAgainAfterAnOverflow() {
        Quote quote = new Quote("retry", 3, 3, List.of("a", "b"));
        assertThatThrownBy(() -> codec.encode(quote, Windows.writable(10))).isInstanceOf(BufferOverflowException.class);
        assertThat(Windows.roundTrip(codec, quote)).isEqualTo(quote);
    }

    @Example
    void shouldNameTheValueAndKeepTheCauseWhenAValueCannotBeWritten() {
        JsonCodec<Order> orders = JsonCodec.of(Order.class);
        assertThatThrownBy(() -> orders.encode(new Order("ABC", -1), Windows.writable(1000)))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("json:io.aperture.codecs.Order cannot encode a io.aperture.codecs.Order")
            .hasMessageContaining("quantity -1 cannot be sent")
            .hasCauseInstanceOf(JsonMappingException.class)
            .hasRootCauseInstanceOf(IllegalStateException.class);
    }

    @Example
    void shouldUseTheMappersConfiguration() {
        ObjectMapper lenient = new ObjectMapper().disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
        JsonCodec<Order> orders = JsonCodec.of(lenient, Order.class);
        byte[] json = "{\"symbol\":\"A\",\"quantity\":2,\"unknown\":[1,2]}".getBytes(StandardCharsets.UTF_8);
        assertThat(orders.decode(Windows.readOnly(json, (byte) 0))).isEqualTo(new Order("A", 2));
        assertThatThrownBy(() -> JsonCodec.of(Order.class).decode(Windows.readOnly(json, (byte) 0)))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("unknown");
    }

    @Example
    void shouldCarryNameAndSchemaId() {
        assertThat(codec.name()).isEqualTo("json:io.aperture.codecs.Quote");
        assertThat(codec.schemaId()).isZero();
        JsonCodec<Quote> v3 = codec.withSchemaId(3).withName("quote-json");
        assertThat(v3.name()).isEqualTo("quote-json");
        assertThat(v3.schemaId()).isEqualTo(3);
        assertThat(Windows.roundTrip(v3, new Quote("v3", 3, 3, List.of()))).isEqualTo(new Quote("v3", 3, 3, List.of()));
        assertThat(JsonCodec.of(new ObjectMapper(), new TypeReference<Map<String, Integer>>() { }).name())
            .isEqualTo("json:java.util.Map<java.lang.String,java.lang.Integer>");
    }

    @Example
    void shouldShortenLongTypeNamesToFitTheRingHeader() {
        JsonCodec<Map<String, Map<String, List<Quote>>>> nested = JsonCodec.of(new ObjectMapper(),
            new TypeReference<Map<String, Map<String, List<Quote>>>>() { });
        String name = nested.name();
        assertThat(name.getBytes(StandardCharsets.UTF_8)).hasSizeLessThanOrEqualTo(64);
        assertThat(name).startsWith("json:~").endsWith(String.format("#%08x", nested.type().toCanonical().hashCode()));
        assertThat(name).contains("Quote>>>");
    }

    @Example
    void shouldRefuseNamesTheRingHeaderCannotHold() {
        assertThatThrownBy(() -> codec.withName("")).isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("1 to 64 bytes");
        assertThatThrownBy(() -> codec.withName("é".repeat(33))).isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("is 66");
    }
}
