package io.aperture.benchmarks;

import com.google.protobuf.ListValue;
import com.google.protobuf.Struct;
import com.google.protobuf.Timestamp;
import com.google.protobuf.Value;
import io.aperture.Codec;
import io.aperture.Codecs;
import io.aperture.codecs.JsonCodec;
import io.aperture.codecs.ProtobufCodec;
import io.aperture.codecs.Quote;
import io.aperture.codecs.Tick;
import io.aperture.codecs.TickCodec;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * One message through each codec as the ring runs it: encode at the window's position in a direct buffer in
 * native order (after an 8-byte record header), then decode from a read-only view of the same bytes.
 * Run with the allocation profiler, e.g.
 * <pre>
 *   java -jar benchmarks/target/benchmarks.jar CodecBenchmark -prof gc
 * </pre>
 * and read {@code gc.alloc.rate.norm}: bytes allocated per operation, that is per message.
 *
 * <p>The values are those of a small market-data message: a {@link Quote} in JSON (77 bytes), the same
 * fields in a protobuf {@link Struct}, a {@link Timestamp}, a {@link Tick} flyweight (33 bytes), a 40-byte
 * UTF-8 string, 64 raw bytes, and primitives. {@code *RoundTrip} encodes then decodes; {@code *Encode} and
 * {@code *Decode} do one half.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Xms256m", "-Xmx256m"})
public class CodecBenchmark {
    static final int OFFSET = 8;

    private final ByteBuffer ring = ByteBuffer.allocateDirect(1 << 16).order(ByteOrder.nativeOrder());
    private final ByteBuffer readOnly = ring.asReadOnlyBuffer().order(ByteOrder.nativeOrder());

    final Codec<Long> longs = Codecs.longs();
    final Codec<Integer> ints = Codecs.ints();
    final Codec<Double> doubles = Codecs.doubles();
    final Codec<String> utf8 = Codecs.utf8();
    final Codec<byte[]> bytes = Codecs.bytes();
    final Codec<ByteBuffer> byteBuffer = Codecs.byteBuffer();
    final JsonCodec<Quote> json = JsonCodec.of(Quote.class);
    final ProtobufCodec<Struct> protobufStruct = ProtobufCodec.of(Struct.class);
    final ProtobufCodec<Timestamp> protobufTimestamp = ProtobufCodec.of(Timestamp.class);
    final TickCodec flyweight = new TickCodec();

    // Boxed once here: a publisher's Flux<Long> hands the codec a box that already exists.
    final Long longValue = 1_234_567_890_123L;
    final Integer intValue = 123_456_789;
    final Double doubleValue = 187.25;
    final String text = "AAPL 187.25 x100 Ünïcödé 日本 €5"; // 30 chars, 40 bytes of UTF-8
    final byte[] payload = new byte[64];
    final ByteBuffer payloadBuffer = ByteBuffer.wrap(new byte[64]);
    final Quote quote = new Quote("AAPL", 18_725, 0.25, List.of("nasdaq", "tech"));
    final Struct struct = Struct.newBuilder()
        .putFields("symbol", Value.newBuilder().setStringValue("AAPL").build())
        .putFields("priceMantissa", Value.newBuilder().setNumberValue(18_725).build())
        .putFields("ratio", Value.newBuilder().setNumberValue(0.25).build())
        .putFields("tags", Value.newBuilder().setListValue(ListValue.newBuilder()
            .addValues(Value.newBuilder().setStringValue("nasdaq"))
            .addValues(Value.newBuilder().setStringValue("tech"))).build())
        .build();
    final Timestamp timestamp = Timestamp.newBuilder().setSeconds(1_700_000_000L).setNanos(123_456_789).build();
    final Tick tick = new Tick(42, 18_725, 100, 1_700_000_000_123_456_789L, Tick.BUY);

    private <T> T roundTrip(Codec<T> codec, T value) {
        ring.limit(ring.capacity()).position(OFFSET);
        codec.encode(value, ring);
        readOnly.limit(ring.position()).position(OFFSET);
        return codec.decode(readOnly);
    }

    private <T> int encode(Codec<T> codec, T value) {
        ring.limit(ring.capacity()).position(OFFSET);
        codec.encode(value, ring);
        return ring.position();
    }

    /** Leaves {@code value} encoded in the ring and the read-only window over it, for the decode benchmarks. */
    private <T> T decodeEncoded(Codec<T> codec, T value, int end) {
        readOnly.limit(end).position(OFFSET);
        return codec.decode(readOnly);
    }

    private int jsonEnd = -1;
    private int structEnd = -1;

    // ---------------------------------------------------------------- primitives and built-ins

    /** The decoded box is unboxed at once, as a consumer of the value would: escape analysis removes it. */
    @Benchmark
    public long longRoundTrip() {
        return roundTrip(longs, longValue);
    }

    /** The decoded {@code Long} escapes, as it does into a {@code Flux<Long>}: its box is allocated. */
    @Benchmark
    public Long longRoundTripBoxed() {
        return roundTrip(longs, longValue);
    }

    @Benchmark
    public int intRoundTrip() {
        return roundTrip(ints, intValue);
    }

    @Benchmark
    public double doubleRoundTrip() {
        return roundTrip(doubles, doubleValue);
    }

    @Benchmark
    public String utf8RoundTrip() {
        return roundTrip(utf8, text);
    }

    @Benchmark
    public byte[] bytesRoundTrip() {
        return roundTrip(bytes, payload);
    }

    @Benchmark
    public ByteBuffer byteBufferRoundTrip() {
        return roundTrip(byteBuffer, payloadBuffer);
    }

    // ---------------------------------------------------------------- codecs module

    @Benchmark
    public Tick flyweightRoundTrip() {
        return roundTrip(flyweight, tick);
    }

    @Benchmark
    public Quote jsonRoundTrip() {
        return roundTrip(json, quote);
    }

    @Benchmark
    public int jsonEncode() {
        return encode(json, quote);
    }

    @Benchmark
    public Quote jsonDecode() {
        if (jsonEnd < 0) {
            jsonEnd = encode(json, quote);
        }
        return decodeEncoded(json, quote, jsonEnd);
    }

    @Benchmark
    public Struct protobufStructRoundTrip() {
        return roundTrip(protobufStruct, struct);
    }

    @Benchmark
    public int protobufStructEncode() {
        return encode(protobufStruct, struct);
    }

    @Benchmark
    public Struct protobufStructDecode() {
        if (structEnd < 0) {
            structEnd = encode(protobufStruct, struct);
        }
        return decodeEncoded(protobufStruct, struct, structEnd);
    }

    @Benchmark
    public Timestamp protobufTimestampRoundTrip() {
        return roundTrip(protobufTimestamp, timestamp);
    }
}
