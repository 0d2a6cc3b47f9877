package io.aperture.codecs;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.protobuf.StringValue;
import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import io.aperture.Codec;
import io.aperture.Codecs;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.From;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Malformed bytes fed to every decoder, as a broken or hostile publisher could write them: each decoder returns
 * a value or raises {@link IllegalArgumentException} naming the codec (never another exception, an error, a
 * crash or a hang), and reads nothing outside its window.
 */
class MalformedInputTest {
    private static final Map<String, Codec<?>> DECODERS = Map.of(
        "json", JsonCodec.of(Quote.class),
        "protobuf", ProtobufCodec.of(Struct.class),
        "flyweight", new TickCodec(),
        "long", Codecs.longs(),
        "int", Codecs.ints(),
        "double", Codecs.doubles(),
        "utf8", Codecs.utf8(),
        "bytes", Codecs.bytes(),
        "bytebuffer", Codecs.byteBuffer());

    @Provide
    Arbitrary<byte[]> anyBytes() {
        return Generators.bytes(200);
    }

    @Provide
    Arbitrary<String> decoders() {
        return net.jqwik.api.Arbitraries.of(DECODERS.keySet());
    }

    /** Decoding any bytes gives a value or an IllegalArgumentException, the same whatever lies around the window. */
    @Property(tries = 3000)
    void shouldDecodeOrRefuseAnyBytesLookingOnlyInsideTheWindow(@ForAll("decoders") String decoder,
                                                                @ForAll @From("anyBytes") byte[] bytes) {
        Codec<?> codec = DECODERS.get(decoder);
        String zeros = outcome(codec, bytes, (byte) 0);
        String ones = outcome(codec, bytes, (byte) 0xFF);
        assertThat(ones).isEqualTo(zeros);
    }

    private static String outcome(Codec<?> codec, byte[] bytes, byte fill) {
        try {
            Object value = codec.decode(Windows.readOnly(bytes, fill));
            return value instanceof byte[] array ? Arrays.toString(array) : String.valueOf(value);
        } catch (IllegalArgumentException e) {
            assertThat(e.getMessage()).as("names the codec or the expected length").isNotBlank();
            return "refused: " + e.getMessage();
        }
    }

    @Example
    void shouldRefuseMalformedJson() {
        List<String> malformed = List.of("", " ", "{", "{\"symbol\":", "[1,2]", "nul", "{\"symbol\":\"a\"} trailing",
            "{\"symbol\":\"a\"}{}", "{\"priceMantissa\":\"not a number\"}", "{\"priceMantissa\":1e99999}",
            "{\"priceMantissa\":" + "9".repeat(5000) + "}", "{\"symbol\":\"unterminated}", "{'single':'quotes'}");
        Codec<Quote> codec = JsonCodec.of(Quote.class);
        for (String json : malformed) {
            byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
            assertThatThrownBy(() -> codec.decode(Windows.readOnly(bytes, (byte) '}')))
                .as(json.length() > 60 ? json.substring(0, 60) + "..." : json)
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("json:io.aperture.codecs.Quote cannot decode " + bytes.length + " bytes: ");
        }
    }

    @Example
    void shouldRefuseJsonNestedTooDeepWithoutOverflowingTheStack() {
        byte[] bytes = ("[".repeat(100_000) + "]".repeat(100_000)).getBytes(StandardCharsets.US_ASCII);
        assertThatThrownBy(() -> JsonCodec.of(JsonNode.class).decode(Windows.readOnly(bytes, (byte) 0)))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessageStartingWith("json:com.fasterxml.jackson.databind.JsonNode cannot decode 200000 bytes: ")
            .hasMessageContaining("nesting depth");
    }

    @Example
    void shouldRefuseJsonThatIsNotUtf8() {
        byte[] bytes = {'{', '"', 's', 'y', 'm', 'b', 'o', 'l', '"', ':', '"', (byte) 0xC3, 0x28, '"', '}'};
        assertThatThrownBy(() -> JsonCodec.of(Quote.class).decode(Windows.readOnly(bytes, (byte) 0)))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("Invalid UTF-8");
    }

    @Example
    void shouldRefuseMalformedProtobuf() {
        byte[] valid = Windows.encode(ProtobufCodec.of(Struct.class), Struct.newBuilder()
            .putFields("key", Value.newBuilder().setStringValue("value").build()).build());
        List<byte[]> malformed = List.of(
            Arrays.copyOf(valid, valid.length - 1),                       // truncated
            new byte[] {0x0F},                                             // wire type 7 does not exist
            new byte[] {0x0A, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, 0x07}, // length past the end
            new byte[] {0x0A, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, 0x0F}, // negative length
            new byte[] {(byte) 0x08, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF,
                (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, 0x01}, // varint of 11 bytes
            new byte[] {0x00, 0x00},                                       // field number 0
            new byte[] {0x0C},                                             // end of a group never started
            tooDeep(150));
        Codec<Struct> codec = ProtobufCodec.of(Struct.class);
        for (byte[] bytes : malformed) {
            assertThatThrownBy(() -> codec.decode(Windows.readOnly(bytes, (byte) 0x0A)))
                .as(Arrays.toString(bytes.length > 20 ? Arrays.copyOf(bytes, 20) : bytes))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("protobuf:com.google.protobuf.Struct cannot decode " + bytes.length + " bytes: ");
        }
        byte[] badUtf8 = {0x0A, 0x02, (byte) 0xC3, 0x28};
        assertThatThrownBy(() -> ProtobufCodec.of(StringValue.class).decode(Windows.readOnly(badUtf8, (byte) 0)))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("UTF-8");
    }

    /** A struct nested {@code depth} times (each level two messages deep): past protobuf's recursion limit. */
    private static byte[] tooDeep(int depth) {
        Struct struct = Struct.getDefaultInstance();
        for (int i = 0; i < depth; i++) {
            struct = Struct.newBuilder().putFields("n", Value.newBuilder().setStructValue(struct).build()).build();
        }
        return struct.toByteArray();
    }

    @Example
    void shouldRefuseFlyweightRecordsOfAnotherLengthOrWithInvalidFields() {
        TickCodec codec = new TickCodec();
        for (int length : new int[] {0, 1, TickCodec.LENGTH - 1, TickCodec.LENGTH + 1, 1000}) {
            assertThatThrownBy(() -> codec.decode(Windows.readOnly(new byte[length], (byte) 'B')))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("tick records are 33 bytes, got " + length);
        }
        byte[] badSide = Windows.encode(codec, new Tick(1, 2, 3, 4, Tick.BUY));
        badSide[TickCodec.SIDE_OFFSET] = 'X';
        assertThatThrownBy(() -> codec.decode(Windows.readOnly(badSide, (byte) 'B')))
            .isInstanceOf(IllegalArgumentException.class).hasMessage("tick side 88 is neither 'B' nor 'S'");
    }

    @Example
    void shouldRefusePrimitivesOfAnotherLength() {
        assertThatThrownBy(() -> Codecs.longs().decode(Windows.readOnly(new byte[7], (byte) 0)))
            .isInstanceOf(IllegalArgumentException.class).hasMessage("long codec expects 8 bytes, got 7");
        assertThatThrownBy(() -> Codecs.ints().decode(Windows.readOnly(new byte[5], (byte) 0)))
            .isInstanceOf(IllegalArgumentException.class).hasMessage("int codec expects 4 bytes, got 5");
        assertThatThrownBy(() -> Codecs.doubles().decode(Windows.readOnly(new byte[0], (byte) 0)))
            .isInstanceOf(IllegalArgumentException.class).hasMessage("double codec expects 8 bytes, got 0");
    }

    @Example
    void shouldReplaceInvalidUtf8RatherThanFail() {
        byte[] bytes = {'a', (byte) 0xC3, 0x28, (byte) 0xFF, 'b'};
        assertThat(Codecs.utf8().decode(Windows.readOnly(bytes, (byte) 0))).isEqualTo("a\uFFFD(\uFFFDb");
    }
}
