package io.aperture.benchmarks;

import io.aperture.ChannelOptions;
import io.aperture.codecs.Tick;
import io.aperture.internal.section.RingDescriptor;
import io.aperture.internal.section.SectionPlatform;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The ring benchmark bodies read back what they wrote, past several wraps of the ring (called directly, with
 * the states set up as JMH sets them up; JMH does not run here). One thread: the acquire loads of the cursor
 * and of {@code consumed} below ({@code getCursor}, {@code get}) need no other thread's ordering.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class RingBenchmarkTest {
    private final RingBenchmark benchmark = new RingBenchmark();

    /** Enough records to go round the default ring (16384 slots of 64 bytes) a few times. */
    private static final int LAPS = 3;

    private static int slots(RingBenchmark.Ring ring) {
        return ring.sequencer.slotCount();
    }

    @Test
    void shouldPublishWithoutFillingTheRing() throws Exception {
        RingBenchmark.Longs state = new RingBenchmark.Longs();
        state.open();
        try {
            int records = LAPS * slots(state.ring);
            for (int i = 0; i < records; i++) {
                assertThat(benchmark.publishLong(state)).isEqualTo(i);
            }
            assertThat(state.ring.sequencer.nextValue()).isEqualTo(records - 1);
            assertThat(state.ring.writer.publishedCount()).isEqualTo(records);
        } finally {
            state.close();
        }
    }

    @Test
    void shouldConsumeTheBacklogOneRecordPerPoll() throws Exception {
        RingBenchmark.Backlog state = new RingBenchmark.Backlog();
        state.open();
        try {
            int invocations = LAPS * slots(state.ring) / RingBenchmark.BACKLOG;
            for (int i = 1; i <= invocations; i++) {
                state.publish();
                assertThat(benchmark.consumeLong(state)).isEqualTo(RingBenchmark.LONG_VALUE);
                assertThat(state.sink.delivered).isEqualTo((long) i * RingBenchmark.BACKLOG);
                assertThat(state.ring.consumed.get()).isEqualTo(state.ring.sequencer.nextValue());
            }
        } finally {
            state.close();
        }
    }

    @Test
    void shouldRoundTripLongs() throws Exception {
        RingBenchmark.Longs state = new RingBenchmark.Longs();
        state.open();
        try {
            int records = LAPS * slots(state.ring);
            for (int i = 1; i <= records; i++) {
                assertThat(benchmark.roundTripLong(state)).isEqualTo(RingBenchmark.LONG_VALUE);
            }
            int batches = records / RingBenchmark.BATCH;
            for (int i = 1; i <= batches; i++) {
                assertThat(benchmark.roundTripLongBatch(state)).isEqualTo(RingBenchmark.LONG_VALUE);
            }
            assertThat(state.sink.delivered).isEqualTo(records + (long) batches * RingBenchmark.BATCH);
            assertThat(state.ring.consumed.get()).isEqualTo(state.ring.sequencer.nextValue());
        } finally {
            state.close();
        }
    }

    @Test
    void shouldRoundTripFlyweightsInOneReusedRecord() throws Exception {
        RingBenchmark.Ticks state = new RingBenchmark.Ticks();
        state.open();
        try {
            int records = LAPS * slots(state.ring);
            Tick first = benchmark.roundTripFlyweight(state);
            assertThat(first).isEqualTo(state.tick).isNotSameAs(state.tick);
            for (int i = 2; i <= records; i++) {
                assertThat(benchmark.roundTripFlyweight(state)).isSameAs(first).isEqualTo(state.tick);
            }
            int batches = records / RingBenchmark.BATCH;
            for (int i = 1; i <= batches; i++) {
                assertThat(benchmark.roundTripFlyweightBatch(state)).isSameAs(first).isEqualTo(state.tick);
            }
            assertThat(state.sink.delivered).isEqualTo(records + (long) batches * RingBenchmark.BATCH);
        } finally {
            state.close();
        }
    }

    @Test
    void shouldRunTheFenceBaseline() {
        benchmark.fullFence();
    }

    @Test
    void shouldUseTheChannelDefaults() throws Exception {
        RingBenchmark.Longs state = new RingBenchmark.Longs();
        state.open();
        try {
            assertThat(slots(state.ring)).isEqualTo(ChannelOptions.DEFAULT_RING_CAPACITY / ChannelOptions.DEFAULT_SLOT_LENGTH);
            assertThat(state.ring.doubleMapped()).as("double mapped where supported").isEqualTo(SectionPlatform.current()
                .mapsTwice(RingDescriptor.SLOTS_OFFSET, ChannelOptions.DEFAULT_RING_CAPACITY));
            assertThat(RingBenchmark.BACKLOG).isLessThan(slots(state.ring));
        } finally {
            state.close();
        }
    }
}
