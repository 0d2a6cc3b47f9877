package io.aperture.benchmarks;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The benchmark bodies decode what they encoded (called directly once each; JMH does not run here). */
class CodecBenchmarkTest {
    private final CodecBenchmark benchmark = new CodecBenchmark();

    @Test
    void shouldDecodeWhatEachBenchmarkEncodes() {
        assertThat(benchmark.longRoundTrip()).isEqualTo(benchmark.longValue);
        assertThat(benchmark.longRoundTripBoxed()).isEqualTo(benchmark.longValue);
        assertThat(benchmark.intRoundTrip()).isEqualTo(benchmark.intValue);
        assertThat(benchmark.doubleRoundTrip()).isEqualTo(benchmark.doubleValue);
        assertThat(benchmark.utf8RoundTrip()).isEqualTo(benchmark.text);
        assertThat(benchmark.bytesRoundTrip()).isEqualTo(benchmark.payload);
        assertThat(benchmark.byteBufferRoundTrip()).isEqualTo(benchmark.payloadBuffer);
        assertThat(benchmark.flyweightRoundTrip()).isEqualTo(benchmark.tick);
        assertThat(benchmark.jsonRoundTrip()).isEqualTo(benchmark.quote);
        assertThat(benchmark.jsonEncode()).isEqualTo(CodecBenchmark.OFFSET + 77);
        assertThat(benchmark.jsonDecode()).isEqualTo(benchmark.quote);
        assertThat(benchmark.protobufStructRoundTrip()).isEqualTo(benchmark.struct);
        assertThat(benchmark.protobufStructEncode()).isGreaterThan(CodecBenchmark.OFFSET);
        assertThat(benchmark.protobufStructDecode()).isEqualTo(benchmark.struct);
        assertThat(benchmark.protobufTimestampRoundTrip()).isEqualTo(benchmark.timestamp);
    }

    @Test
    void shouldUseTheSizesItsJavadocStates() {
        assertThat(benchmark.text.getBytes(java.nio.charset.StandardCharsets.UTF_8)).hasSize(40);
        assertThat(benchmark.text).hasSize(30);
    }
}
