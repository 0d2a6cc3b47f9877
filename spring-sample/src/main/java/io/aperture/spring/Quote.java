package io.aperture.spring;

/** A quote: what the controller answers, encoded by Spring's RSocket strategies (CBOR by default). */
public record Quote(String symbol, long tick, double price) {
    /** The price of {@code symbol} at {@code tick}: deterministic, so a client can check what it gets. */
    static double price(String symbol, long tick) {
        return 10 + Math.floorMod(symbol.hashCode(), 10_000) / 100.0 + tick / 100.0;
    }
}
