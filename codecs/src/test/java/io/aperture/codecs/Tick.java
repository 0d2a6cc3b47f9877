package io.aperture.codecs;

/** A mutable fixed-layout record for {@link TickCodec}: one instance is reused for every message. */
public final class Tick {
    /** Buy. */
    public static final byte BUY = 'B';
    /** Sell. */
    public static final byte SELL = 'S';

    public long instrument;
    public long price;
    public long quantity;
    public long timestampNs;
    public byte side;

    public Tick() {
    }

    public Tick(long instrument, long price, long quantity, long timestampNs, byte side) {
        set(instrument, price, quantity, timestampNs, side);
    }

    /** Sets every field; returns this. */
    public Tick set(long instrument, long price, long quantity, long timestampNs, byte side) {
        this.instrument = instrument;
        this.price = price;
        this.quantity = quantity;
        this.timestampNs = timestampNs;
        this.side = side;
        return this;
    }

    /** A copy, to keep a decoded tick past its {@code onNext}. */
    public Tick copy() {
        return new Tick(instrument, price, quantity, timestampNs, side);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Tick t && t.instrument == instrument && t.price == price && t.quantity == quantity
            && t.timestampNs == timestampNs && t.side == side;
    }

    @Override
    public int hashCode() {
        return Long.hashCode(instrument * 31 + price) * 31 + (int) (quantity ^ timestampNs) + side;
    }

    @Override
    public String toString() {
        return "Tick{" + instrument + ' ' + (char) side + ' ' + quantity + " @ " + price + ", t=" + timestampNs + '}';
    }
}
