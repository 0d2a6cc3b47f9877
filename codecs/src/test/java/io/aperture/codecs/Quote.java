package io.aperture.codecs;

import java.util.List;

/** A JSON fixture: text (any Unicode), integral and floating numbers, and a list. */
public record Quote(String symbol, long priceMantissa, double ratio, List<String> tags) {
}
