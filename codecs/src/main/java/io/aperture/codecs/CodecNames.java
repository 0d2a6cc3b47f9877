package io.aperture.codecs;

import java.nio.charset.StandardCharsets;

/** Codec names: at most 64 bytes of UTF-8, the room the ring header has for them. */
final class CodecNames {
    /** Bytes of UTF-8 the ring header holds for a codec name. */
    static final int MAX_LENGTH = 64;

    private CodecNames() {
    }

    /**
     * {@code prefix + type} when it fits; else {@code prefix + "~" + tail of type + "#" + hash of type}, so two
     * long type names still get different names, the same in every process.
     */
    static String forType(String prefix, String type) {
        String full = prefix + type;
        if (utf8Length(full) <= MAX_LENGTH) {
            return full;
        }
        String hash = "#" + String.format("%08x", type.hashCode());
        int budget = MAX_LENGTH - utf8Length(prefix) - 1 - hash.length();
        int start = type.length();
        int used = 0;
        while (start > 0) {
            int codePoint = type.codePointBefore(start);
            int bytes = utf8Length(new String(Character.toChars(codePoint)));
            if (used + bytes > budget) {
                break;
            }
            used += bytes;
            start -= Character.charCount(codePoint);
        }
        return prefix + "~" + type.substring(start) + hash;
    }

    /** Returns {@code name} when it is 1 to 64 bytes of UTF-8, else throws naming it and its length. */
    static String check(String name) {
        int length = utf8Length(name);
        if (length == 0 || length > MAX_LENGTH) {
            throw new IllegalArgumentException("codec name '" + name + "' must be 1 to " + MAX_LENGTH
                + " bytes of UTF-8, is " + length);
        }
        return name;
    }

    static int utf8Length(String s) {
        return s.getBytes(StandardCharsets.UTF_8).length;
    }
}
