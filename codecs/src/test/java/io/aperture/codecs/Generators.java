package io.aperture.codecs;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;

/** Generators shared by the property tests. */
final class Generators {
    private Generators() {
    }

    /** Valid Unicode text: any code point but lone surrogates, with the fixed samples (empty, CJK, emoji) mixed in. */
    static Arbitrary<String> texts() {
        Arbitrary<String> generated = Arbitraries.integers().between(0, Character.MAX_CODE_POINT)
            .filter(cp -> cp < Character.MIN_SURROGATE || cp > Character.MAX_SURROGATE)
            .list().ofMaxSize(40)
            .map(codePoints -> {
                StringBuilder s = new StringBuilder();
                codePoints.forEach(s::appendCodePoint);
                return s.toString();
            });
        return Arbitraries.frequencyOf(
            net.jqwik.api.Tuple.of(4, generated),
            net.jqwik.api.Tuple.of(1, Arbitraries.of(Fixtures.TEXTS)));
    }

    /** Bytes of any value, empty included. */
    static Arbitrary<byte[]> bytes(int maxLength) {
        return Arbitraries.bytes().array(byte[].class).ofMaxSize(maxLength);
    }
}
