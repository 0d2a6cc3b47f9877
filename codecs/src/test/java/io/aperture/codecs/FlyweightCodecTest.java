package io.aperture.codecs;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

import java.lang.management.ManagementFactory;
import java.nio.BufferOverflowException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.concurrent.CompletableFuture;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** {@link FlyweightCodec} through the {@link TickCodec} fixture: round trips, layout, reuse, no allocation. */
class FlyweightCodecTest {
    private final TickCodec codec = new TickCodec();

    @Provide
    Arbitrary<Tick> ticks() {
        return Combinators.combine(Arbitraries.longs(), Arbitraries.longs(), Arbitraries.longs(), Arbitraries.longs(),
            Arbitraries.of(Tick.BUY, Tick.SELL)).as(Tick::new);
    }

    @Property
    void shouldRoundTripAnyTick(@ForAll("ticks") Tick tick) {
        assertThat(Windows.roundTrip(codec, tick)).isEqualTo(tick);
    }

    @Property
    void shouldWriteExactlyItsLengthAndOverflowOneByteLess(@ForAll("ticks") Tick tick) {
        ByteBuffer exact = Windows.writable(TickCodec.LENGTH);
        codec.encode(tick, exact);
        assertThat(exact.position()).isEqualTo(Windows.OFFSET + TickCodec.LENGTH);
        ByteBuffer short1 = Windows.writable(TickCodec.LENGTH - 1);
        assertThatThrownBy(() -> codec.encode(tick, short1)).isExactlyInstanceOf(BufferOverflowException.class);
        assertThat(short1.position()).as("nothing written").isEqualTo(Windows.OFFSET);
    }

    @Example
    void shouldRoundTripExtremeValues() {
        for (int i = 0; i < 3; i++) {
            Tick tick = Fixtures.tick(i, 1, new Tick());
            assertThat(Windows.roundTrip(codec, tick)).isEqualTo(tick);
        }
    }

    @Example
    void shouldPutFieldsAtTheirOffsetsInNativeOrder() {
        byte[] bytes = Windows.encode(codec, new Tick(1, 2, 3, 4, Tick.SELL));
        ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.nativeOrder());
        assertThat(bytes).hasSize(33);
        assertThat(b.getLong(TickCodec.INSTRUMENT_OFFSET)).isEqualTo(1);
        assertThat(b.getLong(TickCodec.PRICE_OFFSET)).isEqualTo(2);
        assertThat(b.getLong(TickCodec.QUANTITY_OFFSET)).isEqualTo(3);
        assertThat(b.getLong(TickCodec.TIMESTAMP_OFFSET)).isEqualTo(4);
        assertThat(b.get(TickCodec.SIDE_OFFSET)).isEqualTo(Tick.SELL);
        assertThat(codec.name()).isEqualTo("tick");
        assertThat(codec.schemaId()).isEqualTo(1);
        assertThat(codec.length()).isEqualTo(33);
    }

    @Example
    void shouldReuseOneRecordPerThread() throws Exception {
        Tick first = Windows.roundTrip(codec, new Tick(1, 1, 1, 1, Tick.BUY));
        Tick second = Windows.roundTrip(codec, new Tick(2, 2, 2, 2, Tick.SELL));
        assertThat(second).isSameAs(first);
        assertThat(first.instrument).as("overwritten by the next decode").isEqualTo(2);

        Tick other = CompletableFuture.supplyAsync(() -> Windows.roundTrip(codec, new Tick(3, 3, 3, 3, Tick.BUY))).get();
        assertThat(other).isNotSameAs(first).isEqualTo(new Tick(3, 3, 3, 3, Tick.BUY));
        assertThat(first.instrument).as("another thread has its own record").isEqualTo(2);

        Tick again = Windows.roundTrip(codec, new Tick(4, 4, 4, 4, Tick.SELL));
        assertThat(again).as("this thread's record again, after another thread decoded last").isSameAs(first);
        assertThat(other.instrument).as("the other thread's record untouched").isEqualTo(3);
    }

    @Example
    void shouldRefuseToWriteAnInvalidValue() {
        assertThatThrownBy(() -> codec.encode(new Tick(1, 1, 1, 1, (byte) 'X'), Windows.writable(100)))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("tick side 88");
    }

    @Example
    void shouldRefuseBadLengthsAndNames() {
        assertThatThrownBy(() -> new FixedLength("x".repeat(65), 1)).isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("1 to 64 bytes");
        assertThatThrownBy(() -> new FixedLength("neg", -1)).isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("record length -1 < 0");
        FixedLength empty = new FixedLength("empty", 0);
        ByteBuffer window = Windows.writable(0);
        empty.encode(new long[1], window);
        assertThat(window.position()).isEqualTo(Windows.OFFSET);
        assertThat(empty.decode(Windows.readOnly(new byte[0], (byte) 1))).isNotNull();
    }

    @Example
    void shouldAllocateNothingPerMessage() {
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        ByteBuffer ring = ByteBuffer.allocateDirect(4096).order(ByteOrder.nativeOrder());
        ByteBuffer readOnly = ring.asReadOnlyBuffer().order(ByteOrder.nativeOrder());
        Tick source = new Tick();
        long checksum = 0;
        int messages = 200_000;
        for (int round = 0; round < 2; round++) { // the first round warms up (and makes this thread's record)
            long before = threads.getCurrentThreadAllocatedBytes();
            for (int i = 0; i < messages; i++) {
                int offset = (i & 63) * 64 + 8;
                ring.limit(offset + TickCodec.LENGTH).position(offset);
                codec.encode(Fixtures.tick(i, 7, source), ring);
                readOnly.limit(offset + TickCodec.LENGTH).position(offset);
                checksum += codec.decode(readOnly).price;
            }
            long allocated = threads.getCurrentThreadAllocatedBytes() - before;
            if (round == 1) {
                assertThat(allocated).as("bytes allocated for %d messages (checksum %d)", messages, checksum)
                    .isLessThan(messages / 100);
            }
        }
    }

    /** A layout with no fields, to check the base class's argument checks. */
    private static final class FixedLength extends FlyweightCodec<long[]> {
        FixedLength(String name, int length) {
            super(name, 0, length);
        }

        @Override
        protected long[] newRecord() {
            return new long[1];
        }

        @Override
        protected void write(long[] value, ByteBuffer buffer, int offset) {
        }

        @Override
        protected void read(ByteBuffer buffer, int offset, long[] into) {
        }
    }
}
