package io.aperture.internal.section;

import io.aperture.ApertureException;
import io.aperture.CorruptSectionException;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

import static io.aperture.internal.section.SubscriberDescriptor.CONTEXT_LENGTH_OFFSET;
import static io.aperture.internal.section.SubscriberDescriptor.CONTEXT_MAX_ENTRIES;
import static io.aperture.internal.section.SubscriberDescriptor.CONTEXT_MAX_LENGTH;
import static io.aperture.internal.section.SubscriberDescriptor.CONTEXT_OFFSET;

/**
 * The Reactor {@code Context} entries a subscriber sends its publisher, as they lie in its section (docs/layout.md
 * §7.1): for each, u16 key length, key, u16 value length, value, all UTF-8, native order, at most
 * {@link SubscriberDescriptor#CONTEXT_MAX_ENTRIES} entries in {@link SubscriberDescriptor#CONTEXT_MAX_LENGTH} bytes.
 */
public final class ContextEntries {
    private ContextEntries() {
    }

    /**
     * The entries of {@code keys} that {@code lookup} finds (null: absent), each value as its {@code toString()},
     * encoded. The Reactor adapter looks them up in its downstream's {@code Context}.
     *
     * @throws ApertureException when they take more room than the section has for them, naming the sizes
     */
    public static byte[] encode(String channel, List<String> keys, Function<String, Object> lookup) {
        ByteBuffer out = ByteBuffer.allocate(CONTEXT_MAX_LENGTH).order(ByteOrder.nativeOrder());
        int needed = 0;
        for (String key : keys) {
            Object value = lookup.apply(key);
            if (value == null) {
                continue;
            }
            byte[] k = key.getBytes(StandardCharsets.UTF_8);
            byte[] v = String.valueOf(value).getBytes(StandardCharsets.UTF_8);
            needed += 4 + k.length + v.length;
            if (needed > CONTEXT_MAX_LENGTH || k.length > 0xFFFF || v.length > 0xFFFF) {
                throw new ApertureException("channel '" + channel + "': the context entries " + keys + " take at least "
                    + needed + " bytes, more than the " + CONTEXT_MAX_LENGTH + " a subscriber section has for them");
            }
            out.putShort((short) k.length).put(k).putShort((short) v.length).put(v);
        }
        byte[] encoded = new byte[out.position()];
        out.flip().get(encoded);
        return encoded;
    }

    /** Writes {@code encoded} into a section being built (plain stores, before its magic is released). */
    public static void write(ByteBuffer section, byte[] encoded) {
        section.put(CONTEXT_OFFSET, encoded);
        section.putInt(CONTEXT_LENGTH_OFFSET, encoded.length);
    }

    /**
     * The entries in {@code section}, read after its magic was acquired (they were written before it), validated.
     *
     * @throws CorruptSectionException when a length points outside the area, or there are too many entries
     */
    public static Map<String, String> read(String name, ByteBuffer section) {
        int length = section.getInt(CONTEXT_LENGTH_OFFSET);
        if (length < 0 || length > CONTEXT_MAX_LENGTH) {
            throw new CorruptSectionException(name, CONTEXT_LENGTH_OFFSET, "context length " + length + " not in [0, "
                + CONTEXT_MAX_LENGTH + "]");
        }
        byte[] area = new byte[length];
        section.get(CONTEXT_OFFSET, area);
        ByteBuffer in = ByteBuffer.wrap(area).order(section.order());
        Map<String, String> entries = new LinkedHashMap<>();
        int count = 0;
        while (in.hasRemaining()) {
            if (count++ == CONTEXT_MAX_ENTRIES) {
                throw new CorruptSectionException(name, CONTEXT_OFFSET + in.position(), "more than "
                    + CONTEXT_MAX_ENTRIES + " context entries");
            }
            String key = string(name, in);
            String value = string(name, in);
            entries.put(key, value);
        }
        return entries;
    }

    private static String string(String name, ByteBuffer in) {
        if (in.remaining() < 2) {
            throw new CorruptSectionException(name, CONTEXT_OFFSET + in.position(), "a context entry cut short");
        }
        int length = Short.toUnsignedInt(in.getShort());
        if (length > in.remaining()) {
            throw new CorruptSectionException(name, CONTEXT_OFFSET + in.position() - 2, "context string of " + length
                + " bytes with " + in.remaining() + " left");
        }
        byte[] bytes = new byte[length];
        in.get(bytes);
        return new String(bytes, StandardCharsets.UTF_8);
    }
}
