package io.aperture.codecs;

/** A JSON fixture that cannot always be written: a negative quantity fails in its accessor, as validation would. */
public record Order(String symbol, long quantity) {
    @Override
    public long quantity() {
        if (quantity < 0) {
            throw new IllegalStateException("quantity " + quantity + " cannot be sent");
        }
        return quantity;
    }
}
