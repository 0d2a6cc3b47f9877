package io.aperture.codecs;

import com.google.protobuf.BytesValue;
import com.google.protobuf.ByteString;
import com.google.protobuf.StringValue;
import com.google.protobuf.Struct;
import com.google.protobuf.Timestamp;
import com.google.protobuf.Value;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

import java.nio.BufferOverflowException;
import java.nio.ByteBuffer;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** {@link ProtobufCodec} with the well-known types shipped in protobuf-java: round trips, exact fit, overflow. */
class ProtobufCodecTest {
    private static final int MAX_MESSAGE_LENGTH = (1 << 20) / 8; // the default channel's

    private final ProtobufCodec<Struct> structs = ProtobufCodec.of(Struct.getDefaultInstance());
    private final ProtobufCodec<StringValue> strings = ProtobufCodec.of(StringValue.class);
    private final ProtobufCodec<BytesValue> bytes = ProtobufCodec.of(BytesValue.class);
    private final ProtobufCodec<Timestamp> timestamps = ProtobufCodec.of(Timestamp.class);

    @Provide
    Arbitrary<Struct> anyStruct() {
        return Arbitraries.longs().map(seed -> Fixtures.struct(new Random(seed), 3));
    }

    @Provide
    Arbitrary<Timestamp> anyTimestamp() {
        return Combinators.combine(Arbitraries.longs(), Arbitraries.integers())
            .as((seconds, nanos) -> Timestamp.newBuilder().setSeconds(seconds).setNanos(nanos).build());
    }

    @Property
    void shouldRoundTripNestedStructs(@ForAll("anyStruct") Struct struct) {
        assertThat(Windows.roundTrip(structs, struct)).isEqualTo(struct);
    }

    @Property
    void shouldRoundTripAnyText(@ForAll("texts") String text) {
        StringValue value = StringValue.of(text);
        assertThat(Windows.roundTrip(strings, value)).isEqualTo(value);
    }

    @Provide
    Arbitrary<String> texts() {
        return Generators.texts();
    }

    @Provide
    Arbitrary<byte[]> anyBytes() {
        return Generators.bytes(1000);
    }

    @Property
    void shouldRoundTripAnyBytes(@ForAll("anyBytes") byte[] data) {
        BytesValue value = BytesValue.of(ByteString.copyFrom(data));
        assertThat(Windows.roundTrip(bytes, value)).isEqualTo(value);
    }

    @Property
    void shouldRoundTripAnyTimestamp(@ForAll("anyTimestamp") Timestamp timestamp) {
        assertThat(Windows.roundTrip(timestamps, timestamp)).isEqualTo(timestamp);
    }

    @Property
    void shouldFitAWindowOfExactlyItsLengthAndOverflowOneByteLess(@ForAll("anyStruct") Struct struct) {
        int length = struct.getSerializedSize();
        ByteBuffer exact = Windows.writable(length);
        structs.encode(struct, exact);
        assertThat(exact.position()).isEqualTo(Windows.OFFSET + length);
        if (length > 0) {
            assertThatThrownBy(() -> structs.encode(struct, Windows.writable(length - 1)))
                .isExactlyInstanceOf(BufferOverflowException.class);
        }
    }

    @Example
    void shouldRoundTripEmptyAndNonAsciiValues() {
        assertThat(Windows.encode(structs, Struct.getDefaultInstance())).isEmpty();
        assertThat(Windows.roundTrip(structs, Struct.getDefaultInstance())).isEqualTo(Struct.getDefaultInstance());
        for (String text : Fixtures.TEXTS) {
            Struct struct = Struct.newBuilder().putFields(text, Value.newBuilder().setStringValue(text).build()).build();
            assertThat(Windows.roundTrip(structs, struct)).isEqualTo(struct);
            assertThat(Windows.roundTrip(strings, StringValue.of(text))).isEqualTo(StringValue.of(text));
        }
    }

    @Example
    void shouldRoundTripAValueOfTheMaximumMessageLength() {
        Struct largest = Fixtures.structOfLength(MAX_MESSAGE_LENGTH);
        ByteBuffer window = Windows.writable(MAX_MESSAGE_LENGTH);
        structs.encode(largest, window);
        assertThat(window.position() - Windows.OFFSET).isEqualTo(MAX_MESSAGE_LENGTH);
        assertThat(Windows.roundTrip(structs, largest)).isEqualTo(largest);
    }

    @Example
    void shouldCopyBytesAndStringsOutOfTheWindow() {
        byte[] payload = new byte[100];
        new Random(1).nextBytes(payload);
        BytesValue value = BytesValue.of(ByteString.copyFrom(payload));
        ByteBuffer window = Windows.writable(1000);
        bytes.encode(value, window);
        window.limit(window.position()).position(Windows.OFFSET);
        BytesValue decoded = bytes.decode(window.duplicate().order(window.order()));
        // The ring reuses the slot once the value is delivered: overwrite it.
        window.clear();
        for (int i = 0; i < window.capacity(); i++) {
            window.put(i, (byte) 0);
        }
        assertThat(decoded.getValue().toByteArray()).isEqualTo(payload);
    }

    @Example
    void shouldCarryNameAndSchemaId() {
        assertThat(structs.name()).isEqualTo("protobuf:com.google.protobuf.Struct");
        assertThat(timestamps.name()).isEqualTo("protobuf:com.google.protobuf.Timestamp");
        assertThat(structs.schemaId()).isZero();
        ProtobufCodec<Struct> renamed = structs.withName("google.protobuf.Struct").withSchemaId(2);
        assertThat(renamed.name()).isEqualTo("google.protobuf.Struct");
        assertThat(renamed.schemaId()).isEqualTo(2);
    }

    @Example
    void shouldRefuseAClassThatIsNotAGeneratedMessage() {
        assertThatThrownBy(() -> ProtobufCodec.of(com.google.protobuf.GeneratedMessage.class))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("com.google.protobuf.GeneratedMessage is not a generated protobuf message class");
    }
}
