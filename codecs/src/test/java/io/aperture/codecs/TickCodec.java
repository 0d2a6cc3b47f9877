package io.aperture.codecs;

import java.nio.ByteBuffer;

/**
 * The flyweight fixture: a {@link Tick} in 33 bytes, native byte order.
 * <pre>
 *   0               8              16              24              32  33
 *  +---------------+---------------+---------------+---------------+---+
 *  |  instrument   |     price     |   quantity    |  timestampNs  |sde|
 *  +---------------+---------------+---------------+---------------+---+
 * </pre>
 */
public final class TickCodec extends FlyweightCodec<Tick> {
    static final int INSTRUMENT_OFFSET = 0;
    static final int PRICE_OFFSET = INSTRUMENT_OFFSET + Long.BYTES;
    static final int QUANTITY_OFFSET = PRICE_OFFSET + Long.BYTES;
    static final int TIMESTAMP_OFFSET = QUANTITY_OFFSET + Long.BYTES;
    static final int SIDE_OFFSET = TIMESTAMP_OFFSET + Long.BYTES;
    /** Bytes of one tick. */
    public static final int LENGTH = SIDE_OFFSET + 1;

    public TickCodec() {
        super("tick", 1, LENGTH);
    }

    @Override
    protected Tick newRecord() {
        return new Tick();
    }

    @Override
    protected void write(Tick tick, ByteBuffer buffer, int offset) {
        if (tick.side != Tick.BUY && tick.side != Tick.SELL) {
            throw new IllegalArgumentException("tick side " + tick.side + " is neither 'B' nor 'S'");
        }
        buffer.putLong(offset + INSTRUMENT_OFFSET, tick.instrument)
            .putLong(offset + PRICE_OFFSET, tick.price)
            .putLong(offset + QUANTITY_OFFSET, tick.quantity)
            .putLong(offset + TIMESTAMP_OFFSET, tick.timestampNs)
            .put(offset + SIDE_OFFSET, tick.side);
    }

    @Override
    protected void read(ByteBuffer buffer, int offset, Tick into) {
        byte side = buffer.get(offset + SIDE_OFFSET);
        if (side != Tick.BUY && side != Tick.SELL) {
            throw new IllegalArgumentException("tick side " + side + " is neither 'B' nor 'S'");
        }
        into.set(buffer.getLong(offset + INSTRUMENT_OFFSET), buffer.getLong(offset + PRICE_OFFSET),
            buffer.getLong(offset + QUANTITY_OFFSET), buffer.getLong(offset + TIMESTAMP_OFFSET), side);
    }
}
