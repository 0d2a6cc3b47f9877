package io.aperture;

import io.aperture.internal.section.ContextEntries;
import io.aperture.internal.section.SubscriberDescriptor;
import org.junit.jupiter.api.Test;
import reactor.util.context.Context;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The context entries of a subscriber section, written by a subscriber and validated when its publisher reads them. */
class ContextEntriesTest {
    private final ByteBuffer section = ByteBuffer.allocate(SubscriberDescriptor.LENGTH).order(ByteOrder.nativeOrder());

    @Test
    void shouldReadBackThePresentEntriesOfTheNamedKeys() {
        Context context = Context.of("traceId", "4bf92f35", "span", 42, "other", "not named");
        byte[] encoded = ContextEntries.encode("c", List.of("traceId", "absent", "span"),
            key -> context.getOrDefault(key, null));
        ContextEntries.write(section, encoded);
        assertThat(ContextEntries.read("c.sub-0", section)).containsExactly(Map.entry("traceId", "4bf92f35"),
            Map.entry("span", "42"));
    }

    @Test
    void shouldRefuseALengthOutsideTheArea() {
        section.putInt(SubscriberDescriptor.CONTEXT_LENGTH_OFFSET, 5_000);
        assertThatThrownBy(() -> ContextEntries.read("c.sub-0", section)).isInstanceOf(CorruptSectionException.class)
            .hasMessageContaining("c.sub-0").hasMessageContaining("context length 5000");
        section.putInt(SubscriberDescriptor.CONTEXT_LENGTH_OFFSET, -1);
        assertThatThrownBy(() -> ContextEntries.read("c.sub-0", section)).isInstanceOf(CorruptSectionException.class);
    }

    @Test
    void shouldRefuseAStringThatRunsPastTheEntries() {
        section.putInt(SubscriberDescriptor.CONTEXT_LENGTH_OFFSET, 6);
        section.putShort(SubscriberDescriptor.CONTEXT_OFFSET, (short) 900); // a 900-byte key in 6 bytes
        assertThatThrownBy(() -> ContextEntries.read("c.sub-0", section)).isInstanceOf(CorruptSectionException.class)
            .hasMessageContaining("context string of 900 bytes with 4 left");
        section.putInt(SubscriberDescriptor.CONTEXT_LENGTH_OFFSET, 1);
        assertThatThrownBy(() -> ContextEntries.read("c.sub-0", section)).isInstanceOf(CorruptSectionException.class)
            .hasMessageContaining("cut short");
    }

    @Test
    void shouldRefuseMoreEntriesThanTheLimit() {
        int entries = SubscriberDescriptor.CONTEXT_MAX_ENTRIES + 1;
        section.putInt(SubscriberDescriptor.CONTEXT_LENGTH_OFFSET, entries * 4); // empty keys and values
        assertThatThrownBy(() -> ContextEntries.read("c.sub-0", section)).isInstanceOf(CorruptSectionException.class)
            .hasMessageContaining("more than " + SubscriberDescriptor.CONTEXT_MAX_ENTRIES + " context entries");
    }
}
