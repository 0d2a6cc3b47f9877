package io.aperture.codecs;

import com.google.protobuf.ListValue;
import com.google.protobuf.NullValue;
import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import io.aperture.Codec;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Deterministic values for tests run in two processes: both compute the same list from the same seed. Each list
 * holds empty values, non-ASCII text (2-, 3- and 4-byte UTF-8) and values whose encoding is exactly the
 * maximum message length.
 */
public final class Fixtures {
    /** Texts every list starts with: empty, accents, CJK, emoji (surrogate pairs), controls, JSON escapes. */
    static final List<String> TEXTS = List.of("", "a", "é", "Ünïcödé", "日本語のテキスト", "😀🚀🧪", "Ω≈ç√∫˜µ≤",
        "\u0000\u0001control\u001f\u007f", "\"quotes\" and \\backslash\\ /slash/", "кириллица и ASCII", "\t\n\r");

    private Fixtures() {
    }

    /** Encoded length of {@code value} with {@code codec}. */
    public static <T> int encodedLength(Codec<T> codec, T value) {
        for (int length = 1 << 10; ; length <<= 2) {
            ByteBuffer scratch = ByteBuffer.allocate(length).order(ByteOrder.nativeOrder());
            try {
                codec.encode(value, scratch);
                return scratch.position();
            } catch (java.nio.BufferOverflowException e) {
                if (length >= 1 << 22) {
                    throw e;
                }
            }
        }
    }

    /** Random valid Unicode text of up to {@code maxCodePoints} code points, from every UTF-8 length class. */
    static String text(Random random, int maxCodePoints) {
        int n = random.nextInt(maxCodePoints + 1);
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < n; i++) {
            int codePoint;
            switch (random.nextInt(4)) {
                case 0 -> codePoint = random.nextInt(0x80);
                case 1 -> codePoint = 0x80 + random.nextInt(0x800 - 0x80);
                case 2 -> {
                    codePoint = 0x800 + random.nextInt(0x10000 - 0x800);
                    if (Character.isSurrogate((char) codePoint)) {
                        codePoint = 0xFFFD;
                    }
                }
                default -> codePoint = 0x10000 + random.nextInt(0x110000 - 0x10000);
            }
            s.appendCodePoint(codePoint);
        }
        return s.toString();
    }

    // ---------------------------------------------------------------- JSON

    /** {@code count} quotes; every 97th (from the 5th) encodes to exactly {@code maxLength} bytes with {@code codec}. */
    public static List<Quote> quotes(int count, long seed, Codec<Quote> codec, int maxLength) {
        Random random = new Random(seed);
        List<Quote> quotes = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            if (i < TEXTS.size()) {
                quotes.add(new Quote(TEXTS.get(i), i, i / 4.0, i % 2 == 0 ? List.of() : List.of(TEXTS.get(i), "")));
            } else if (i % 97 == 4) {
                quotes.add(quoteOfLength(codec, maxLength, i));
            } else {
                List<String> tags = new ArrayList<>();
                for (int t = random.nextInt(4); t > 0; t--) {
                    tags.add(text(random, 12));
                }
                quotes.add(new Quote(text(random, 40), random.nextLong(), random.nextDouble() * 1e9 - 5e8, tags));
            }
        }
        return quotes;
    }

    /** A quote whose encoding is exactly {@code length} bytes (its symbol is ASCII padding). */
    public static Quote quoteOfLength(Codec<Quote> codec, int length, long price) {
        int base = encodedLength(codec, new Quote("", price, 0.5, List.of("max")));
        Quote quote = new Quote("x".repeat(length - base), price, 0.5, List.of("max"));
        if (encodedLength(codec, quote) != length) {
            throw new AssertionError("cannot build a quote of " + length + " bytes: " + encodedLength(codec, quote));
        }
        return quote;
    }

    // ---------------------------------------------------------------- Protocol Buffers

    /** {@code count} structs; every 97th (from the 5th) encodes to exactly {@code maxLength} bytes. */
    public static List<Struct> structs(int count, long seed, int maxLength) {
        Random random = new Random(seed);
        List<Struct> structs = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            if (i == 0) {
                structs.add(Struct.getDefaultInstance());
            } else if (i < TEXTS.size()) {
                structs.add(Struct.newBuilder().putFields(TEXTS.get(i), Value.newBuilder().setStringValue(TEXTS.get(i))
                    .build()).build());
            } else if (i % 97 == 4) {
                structs.add(structOfLength(maxLength));
            } else {
                structs.add(struct(random, 3));
            }
        }
        return structs;
    }

    static Struct struct(Random random, int depth) {
        Struct.Builder builder = Struct.newBuilder();
        for (int f = random.nextInt(5); f > 0; f--) {
            builder.putFields(text(random, 8), value(random, depth));
        }
        return builder.build();
    }

    private static Value value(Random random, int depth) {
        int kind = random.nextInt(depth > 0 ? 6 : 4);
        return switch (kind) {
            case 0 -> Value.newBuilder().setStringValue(text(random, 30)).build();
            case 1 -> Value.newBuilder().setNumberValue(random.nextBoolean() ? random.nextGaussian() * 1e6
                : new double[] {0.0, -0.0, Double.MAX_VALUE, Double.MIN_VALUE, Double.NaN}[random.nextInt(5)]).build();
            case 2 -> Value.newBuilder().setBoolValue(random.nextBoolean()).build();
            case 3 -> Value.newBuilder().setNullValue(NullValue.NULL_VALUE).build();
            case 4 -> {
                ListValue.Builder list = ListValue.newBuilder();
                for (int n = random.nextInt(4); n > 0; n--) {
                    list.addValues(value(random, depth - 1));
                }
                yield Value.newBuilder().setListValue(list).build();
            }
            default -> Value.newBuilder().setStructValue(struct(random, depth - 1)).build();
        };
    }

    /** A struct whose encoding is exactly {@code length} bytes: one string field, plus padding to hit varint steps. */
    public static Struct structOfLength(int length) {
        for (int pad = 0; pad < 8; pad++) {
            for (int n = Math.max(0, length - 16); n <= length; n++) {
                Struct.Builder builder = Struct.newBuilder()
                    .putFields("s", Value.newBuilder().setStringValue("x".repeat(n)).build());
                if (pad > 0) {
                    builder.putFields("p", Value.newBuilder().setStringValue("y".repeat(pad - 1)).build());
                }
                Struct struct = builder.build();
                if (struct.getSerializedSize() == length) {
                    return struct;
                }
            }
        }
        throw new AssertionError("no struct of exactly " + length + " bytes");
    }

    // ---------------------------------------------------------------- flyweight

    /** Fills {@code into} with tick {@code i} of the sequence seeded with {@code seed}; extremes first. */
    public static Tick tick(int i, long seed, Tick into) {
        if (i == 0) {
            return into.set(0, 0, 0, 0, Tick.BUY);
        } else if (i == 1) {
            return into.set(Long.MAX_VALUE, Long.MIN_VALUE, Long.MAX_VALUE, Long.MIN_VALUE, Tick.SELL);
        } else if (i == 2) {
            return into.set(-1, -1, -1, -1, Tick.BUY);
        }
        long mixed = seed * 0x9E3779B97F4A7C15L + i * 0xBF58476D1CE4E5B9L;
        return into.set(i, mixed, mixed >>> 7, mixed ^ (mixed << 13), (i & 1) == 0 ? Tick.BUY : Tick.SELL);
    }
}
