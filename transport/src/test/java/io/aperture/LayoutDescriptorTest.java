package io.aperture;

import io.aperture.internal.section.RecordDescriptor;
import io.aperture.internal.section.RingDescriptor;
import io.aperture.internal.section.SubscriberDescriptor;
import io.aperture.internal.section.TerminalState;
import org.junit.jupiter.api.Test;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Pins every offset, length and code of the shared-memory layouts to a literal number, so that the diagrams
 * in the {@code *Descriptor} Javadoc and the layout specification cannot drift from the code. A constant
 * added to a descriptor without being pinned here fails {@link #shouldPinEveryRingDescriptorConstant()} and
 * its siblings: pin it, and update the diagram.
 */
class LayoutDescriptorTest {
    private static final int LINE = 128;
    private static final int PAGE = 4096;

    // ------------------------------------------------------------------------------------------- ring section

    @Test
    void shouldPinEveryRingDescriptorConstant() {
        Map<String, Number> pinned = new LinkedHashMap<>();
        pinned.put("CACHE_LINE_PAIR_LENGTH", 128);
        pinned.put("MAGIC", 0x41505254);
        pinned.put("VERSION_MAJOR", 3);
        pinned.put("VERSION_MINOR", 0);
        pinned.put("MAGIC_VERSION", 0x41505254_0003_0000L);
        pinned.put("MAGIC_VERSION_OFFSET", 0);
        pinned.put("SESSION_ID_OFFSET", 8);
        pinned.put("CAPACITY_OFFSET", 16);
        pinned.put("SLOT_LENGTH_OFFSET", 20);
        pinned.put("MAX_MESSAGE_LENGTH_OFFSET", 24);
        pinned.put("MAX_SUBSCRIBERS_OFFSET", 28);
        pinned.put("PUBLISHER_PID_OFFSET", 32);
        pinned.put("PUBLISHER_START_OFFSET", 40);
        pinned.put("FLAGS_OFFSET", 48);
        pinned.put("FLAG_DOUBLE_MAPPED", 1);
        pinned.put("FLAG_DROP_SLOWEST", 2);
        pinned.put("FLAG_PAYLOAD_CHECKSUM", 4);
        pinned.put("FLAG_DEMAND_PARKED", 8);
        pinned.put("CHECKSUM_LENGTH", 4);
        pinned.put("CODEC_SCHEMA_ID_OFFSET", 52);
        pinned.put("CODEC_NAME_LENGTH_OFFSET", 56);
        pinned.put("CODEC_NAME_OFFSET", 60);
        pinned.put("CODEC_NAME_MAX_LENGTH", 64);
        pinned.put("MAX_FRAGMENTED_LENGTH_OFFSET", 124);
        pinned.put("CURSOR_OFFSET", 256);
        pinned.put("PUBLISHED_OFFSET", 384);
        pinned.put("SUBSCRIBERS_OFFSET", 392);
        pinned.put("DROPPED_OFFSET", 400);
        pinned.put("TERMINAL_OFFSET", 512);
        pinned.put("TERMINAL_SEQUENCE_OFFSET", 520);
        pinned.put("HEARTBEAT_OFFSET", 640);
        pinned.put("WAKE_OFFSET", 768);
        pinned.put("PARKED_OFFSET", 772);
        pinned.put("DEMAND_PARKED_OFFSET", 776);
        pinned.put("SUBSCRIBER_TABLE_OFFSET", 1024);
        pinned.put("SUBSCRIBER_ENTRY_LENGTH", 32);
        pinned.put("ENTRY_ID_OFFSET", 0);
        pinned.put("ENTRY_START_OFFSET", 8);
        pinned.put("ENTRY_BASE_OFFSET", 16);
        pinned.put("ENTRY_DROPPED_OFFSET", 24);
        pinned.put("SLOTS_OFFSET", 4096);
        pinned.put("MIN_SLOT_LENGTH", 16);
        pinned.put("MAX_SLOT_LENGTH", 4096);
        pinned.put("MIN_CAPACITY", 1024);
        pinned.put("MAX_CAPACITY", 1_073_741_824);
        pinned.put("MAX_SUBSCRIBERS_LIMIT", 96);
        pinned.put("MAX_SLOTS", 16_777_216);

        assertThat(numericConstants(RingDescriptor.class)).isEqualTo(new TreeMap<>(pinned));
    }

    @Test
    void shouldPinRingSectionLengths() {
        assertThat(RingDescriptor.fileLength(1024)).isEqualTo(5120L);
        assertThat(RingDescriptor.fileLength(1 << 20)).isEqualTo(1_052_672L);
        assertThat(RingDescriptor.fileLength(RingDescriptor.MAX_CAPACITY)).isEqualTo(1_073_745_920L);
        assertThat(RingDescriptor.maxMessageLengthFor(1024)).isEqualTo(504);
        assertThat(RingDescriptor.maxMessageLengthFor(1 << 20)).isEqualTo(524_280);
    }

    @Test
    void shouldKeepRingHeaderFieldsInTheFirstLineNaturallyAligned() {
        int[][] fields = {
            {RingDescriptor.MAGIC_VERSION_OFFSET, 8}, {RingDescriptor.SESSION_ID_OFFSET, 8},
            {RingDescriptor.CAPACITY_OFFSET, 4}, {RingDescriptor.SLOT_LENGTH_OFFSET, 4},
            {RingDescriptor.MAX_MESSAGE_LENGTH_OFFSET, 4}, {RingDescriptor.MAX_SUBSCRIBERS_OFFSET, 4},
            {RingDescriptor.PUBLISHER_PID_OFFSET, 8}, {RingDescriptor.PUBLISHER_START_OFFSET, 8},
            {RingDescriptor.FLAGS_OFFSET, 4}, {RingDescriptor.CODEC_SCHEMA_ID_OFFSET, 4},
            {RingDescriptor.CODEC_NAME_LENGTH_OFFSET, 4},
            {RingDescriptor.CODEC_NAME_OFFSET, RingDescriptor.CODEC_NAME_MAX_LENGTH},
        };
        int end = 0;
        for (int[] field : fields) {
            int offset = field[0];
            int length = field[1];
            assertThat(offset).as("field at %d follows the previous one with no overlap", offset).isGreaterThanOrEqualTo(end);
            if (length <= 8) {
                assertThat(offset % length).as("field at %d naturally aligned", offset).isZero();
            }
            end = offset + length;
        }
        assertThat(end).as("codec name ends at").isEqualTo(124);
        assertThat(RingDescriptor.MAX_FRAGMENTED_LENGTH_OFFSET).isEqualTo(end);
        end += 4;
        assertThat(end).as("header fits before the first counter line").isLessThanOrEqualTo(LINE);
    }

    @Test
    void shouldGiveEveryRingCounterItsOwn128ByteLine() {
        int[] counters = {
            RingDescriptor.CURSOR_OFFSET, RingDescriptor.PUBLISHED_OFFSET, RingDescriptor.TERMINAL_OFFSET,
            RingDescriptor.HEARTBEAT_OFFSET, RingDescriptor.WAKE_OFFSET,
        };
        assertCountersOnOwnLines(counters, LINE);
        // The header (written once, read on attach) does not share a line, nor its adjacent-line prefetch
        // pair, with the cursor.
        assertThat(RingDescriptor.CURSOR_OFFSET).isGreaterThanOrEqualTo(2 * LINE);
        // The parked flag shares the wake word's line on purpose (one futex line), and is aligned.
        assertThat(RingDescriptor.PARKED_OFFSET / LINE).isEqualTo(RingDescriptor.WAKE_OFFSET / LINE);
        assertThat(RingDescriptor.PARKED_OFFSET % 4).isZero();
        assertThat(RingDescriptor.PARKED_OFFSET + 4).isLessThanOrEqualTo(RingDescriptor.SLOTS_OFFSET);
    }

    @Test
    void shouldFitTheSubscriberTableBetweenTheCountersAndTheSlots() {
        assertThat(RingDescriptor.DEMAND_PARKED_OFFSET / LINE).isEqualTo(RingDescriptor.WAKE_OFFSET / LINE);
        assertThat(RingDescriptor.DEMAND_PARKED_OFFSET).isEqualTo(RingDescriptor.PARKED_OFFSET + 4);
        assertThat(RingDescriptor.SUBSCRIBER_TABLE_OFFSET).isGreaterThanOrEqualTo(RingDescriptor.DEMAND_PARKED_OFFSET + 4);
        assertThat(RingDescriptor.SUBSCRIBER_TABLE_OFFSET % LINE).isZero();
        assertThat(RingDescriptor.entryOffset(0)).isEqualTo(1024);
        assertThat(RingDescriptor.entryOffset(1)).isEqualTo(1056);
        assertThat(RingDescriptor.entryOffset(RingDescriptor.MAX_SUBSCRIBERS_LIMIT - 1)).isEqualTo(4064);
        assertThat(RingDescriptor.entryOffset(RingDescriptor.MAX_SUBSCRIBERS_LIMIT)).isEqualTo(RingDescriptor.SLOTS_OFFSET);
        assertThat(ChannelOptions.MAX_SUBSCRIBERS).isEqualTo(96);
        assertThat(ChannelOptions.DEFAULT_MAX_SUBSCRIBERS).isEqualTo(64);
    }

    @Test
    void shouldStartSlotAreaOnAPageBoundary() {
        assertThat(RingDescriptor.SLOTS_OFFSET % PAGE).isZero();
        assertThat(RingDescriptor.SLOTS_OFFSET).isEqualTo(PAGE);
        // Slot lengths and capacities are powers of two, so every slot starts aligned to its length.
        assertThat(Integer.bitCount(RingDescriptor.MIN_SLOT_LENGTH)).isOne();
        assertThat(Integer.bitCount(RingDescriptor.MAX_SLOT_LENGTH)).isOne();
        assertThat(Integer.bitCount(RingDescriptor.MIN_CAPACITY)).isOne();
        assertThat(Integer.bitCount(RingDescriptor.MAX_CAPACITY)).isOne();
        assertThat(RingDescriptor.MAX_SLOT_LENGTH).isLessThanOrEqualTo(PAGE);
        assertThat(RingDescriptor.MIN_SLOT_LENGTH).isGreaterThanOrEqualTo(RecordDescriptor.HEADER_LENGTH);
    }

    @Test
    void shouldSpellRingMagicAndVersion() {
        assertThat(ascii(RingDescriptor.MAGIC)).isEqualTo("APRT");
        assertThat(RingDescriptor.MAGIC_VERSION >>> 32).isEqualTo(RingDescriptor.MAGIC);
        assertThat((RingDescriptor.MAGIC_VERSION >>> 16) & 0xFFFF).isEqualTo(RingDescriptor.VERSION_MAJOR);
        assertThat(RingDescriptor.MAGIC_VERSION & 0xFFFF).isEqualTo(RingDescriptor.VERSION_MINOR);
    }

    // ------------------------------------------------------------------------------------- subscriber section

    @Test
    void shouldPinEverySubscriberDescriptorConstant() {
        Map<String, Number> pinned = new LinkedHashMap<>();
        pinned.put("MAGIC", 0x41505355);
        pinned.put("MAGIC_VERSION", 0x41505355_0003_0000L);
        pinned.put("MAGIC_VERSION_OFFSET", 0);
        pinned.put("RING_SESSION_ID_OFFSET", 8);
        pinned.put("PID_OFFSET", 16);
        pinned.put("START_OFFSET", 24);
        pinned.put("INDEX_OFFSET", 32);
        pinned.put("FLAGS_OFFSET", 36);
        pinned.put("FLAG_JOIN_OLDEST", 1);
        pinned.put("FLAG_POLLS", 2);
        pinned.put("SUBSCRIBER_ID_OFFSET", 40);
        pinned.put("REQUESTED_OFFSET", 128);
        pinned.put("CONSUMED_OFFSET", 256);
        pinned.put("DELIVERED_OFFSET", 384);
        pinned.put("CANCELLED_OFFSET", 512);
        pinned.put("HEARTBEAT_OFFSET", 640);
        pinned.put("WAKE_OFFSET", 768);
        pinned.put("PARKED_OFFSET", 772);
        pinned.put("END_KIND_OFFSET", 1024);
        pinned.put("END_LENGTH_OFFSET", 1028);
        pinned.put("END_MESSAGE_OFFSET", 1032);
        pinned.put("END_MESSAGE_MAX", 1024);
        pinned.put("END_CANCELLED", 1);
        pinned.put("END_FAILED", 2);
        pinned.put("END_REFUSED", 3);
        pinned.put("END_READ_TO_END", 4);
        pinned.put("CONTEXT_LENGTH_OFFSET", 2560);
        pinned.put("CONTEXT_OFFSET", 2564);
        pinned.put("CONTEXT_MAX_LENGTH", 1024);
        pinned.put("CONTEXT_MAX_ENTRIES", 16);
        pinned.put("LENGTH", 4096);

        assertThat(numericConstants(SubscriberDescriptor.class)).isEqualTo(new TreeMap<>(pinned));
    }

    @Test
    void shouldGiveEverySubscriberCounterItsOwn128ByteLine() {
        int[] counters = {
            SubscriberDescriptor.REQUESTED_OFFSET, SubscriberDescriptor.CONSUMED_OFFSET,
            SubscriberDescriptor.DELIVERED_OFFSET, SubscriberDescriptor.CANCELLED_OFFSET,
            SubscriberDescriptor.HEARTBEAT_OFFSET, SubscriberDescriptor.WAKE_OFFSET,
        };
        assertCountersOnOwnLines(counters, LINE);
        assertThat(SubscriberDescriptor.SUBSCRIBER_ID_OFFSET + 8).as("header ends before the first counter line")
            .isLessThanOrEqualTo(SubscriberDescriptor.REQUESTED_OFFSET);
        assertThat(SubscriberDescriptor.PARKED_OFFSET / LINE).isEqualTo(SubscriberDescriptor.WAKE_OFFSET / LINE);
        assertThat(SubscriberDescriptor.PARKED_OFFSET + 4).isLessThanOrEqualTo(SubscriberDescriptor.LENGTH);
        assertThat(SubscriberDescriptor.LENGTH).isEqualTo(PAGE);
        for (int offset : new int[] {SubscriberDescriptor.MAGIC_VERSION_OFFSET, SubscriberDescriptor.RING_SESSION_ID_OFFSET,
            SubscriberDescriptor.PID_OFFSET, SubscriberDescriptor.START_OFFSET, SubscriberDescriptor.SUBSCRIBER_ID_OFFSET}) {
            assertThat(offset % 8).as("long field at %d aligned", offset).isZero();
        }
    }

    @Test
    void shouldSpellSubscriberMagicAndShareTheRingVersion() {
        assertThat(ascii(SubscriberDescriptor.MAGIC)).isEqualTo("APSU");
        assertThat(SubscriberDescriptor.MAGIC_VERSION >>> 32).isEqualTo(SubscriberDescriptor.MAGIC);
        assertThat(SubscriberDescriptor.MAGIC_VERSION & 0xFFFF_FFFFL)
            .isEqualTo(RingDescriptor.MAGIC_VERSION & 0xFFFF_FFFFL);
        assertThat(SubscriberDescriptor.MAGIC).isNotEqualTo(RingDescriptor.MAGIC);
    }

    // -------------------------------------------------------------------------------------------------- record

    @Test
    void shouldPinEveryRecordDescriptorConstant() {
        Map<String, Number> pinned = new LinkedHashMap<>();
        pinned.put("HEADER_OFFSET", 0);
        pinned.put("HEADER_LENGTH", 8);
        pinned.put("UNCOMMITTED", 0L);
        pinned.put("TYPE_DATA", 1);
        pinned.put("TYPE_COMPLETE", 2);
        pinned.put("TYPE_ERROR", 3);
        pinned.put("TYPE_PADDING", 4);
        pinned.put("TYPE_FRAGMENT", 5);
        pinned.put("FRAGMENT_HEADER_LENGTH", 8);
        pinned.put("FRAGMENT_TOTAL_OFFSET", 0);
        pinned.put("FRAGMENT_OFFSET_OFFSET", 4);
        pinned.put("CHECK_MASK", 0xFF_FFFF);
        pinned.put("ERROR_CLASS_MAX_BYTES", 256);
        pinned.put("ERROR_MESSAGE_MAX_BYTES", 1024);

        assertThat(numericConstants(RecordDescriptor.class)).isEqualTo(new TreeMap<>(pinned));
    }

    @Test
    void shouldPackTypeAndSequenceCheckIntoOneWord() {
        assertThat(RecordDescriptor.typeCheck(RecordDescriptor.TYPE_DATA, 0L)).isEqualTo(0x0000_0001);
        assertThat(RecordDescriptor.typeCheck(RecordDescriptor.TYPE_PADDING, 0x12_3456L)).isEqualTo(0x1234_5604);
        // Only the low 24 bits of the sequence are kept: the check wraps every 2^24 slots.
        assertThat(RecordDescriptor.typeCheck(RecordDescriptor.TYPE_ERROR, 0x7_89AB_CDEFL)).isEqualTo(0xABCD_EF03);
        assertThat(RecordDescriptor.typeCheck(RecordDescriptor.TYPE_COMPLETE, -1L)).isEqualTo(0xFFFF_FF02);

        long word = RecordDescriptor.header(RecordDescriptor.TYPE_COMPLETE, 0xFF_FFFFL, 0);
        assertThat(RecordDescriptor.type(word)).isEqualTo(RecordDescriptor.TYPE_COMPLETE);
        assertThat(RecordDescriptor.check(word)).isEqualTo(0xFF_FFFF);
        assertThat(RecordDescriptor.expectedCheck(0x1_00FF_FFFFL)).isEqualTo(0xFF_FFFF);
        assertThat(RecordDescriptor.expectedCheck(1L << 24)).isZero();
    }

    @Test
    void shouldPutTheRecordHeaderInTheFirstSlotBytes() {
        // The header is one 64-bit word at the record's start: it must fit in the smallest slot.
        assertThat(RecordDescriptor.HEADER_OFFSET).isZero();
        assertThat(RecordDescriptor.HEADER_LENGTH).isEqualTo(Long.BYTES);
        assertThat(RecordDescriptor.HEADER_LENGTH).isLessThanOrEqualTo(RingDescriptor.MIN_SLOT_LENGTH);
        assertThat(RecordDescriptor.HEADER_LENGTH % 8).as("payload 8-byte aligned").isZero();
    }

    @Test
    void shouldPackLengthTypeAndCheckIntoTheCommitWord() {
        long header = RecordDescriptor.header(RecordDescriptor.TYPE_DATA, 0x1234567L, 40);
        assertThat(header).isEqualTo(0x2345_6701_0000_0028L);
        assertThat(RecordDescriptor.length(header)).isEqualTo(40);
        assertThat(RecordDescriptor.type(header)).isEqualTo(RecordDescriptor.TYPE_DATA);
        assertThat(RecordDescriptor.check(header)).isEqualTo(0x23_4567);
        assertThat(RecordDescriptor.header(RecordDescriptor.TYPE_COMPLETE, 0L, 0)).as("committed: never zero")
            .isNotEqualTo(RecordDescriptor.UNCOMMITTED);
        ByteBuffer word = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(0, header);
        assertThat(word.getInt(0)).as("little-endian: length in bytes 0-3").isEqualTo(40);
        assertThat(word.getInt(4)).as("little-endian: check << 8 | type in bytes 4-7").isEqualTo(0x2345_6701);
    }

    @Test
    void shouldNameEveryRecordType() {
        assertThat(RecordDescriptor.typeName(RecordDescriptor.TYPE_DATA)).isEqualTo("DATA");
        assertThat(RecordDescriptor.typeName(RecordDescriptor.TYPE_COMPLETE)).isEqualTo("COMPLETE");
        assertThat(RecordDescriptor.typeName(RecordDescriptor.TYPE_ERROR)).isEqualTo("ERROR");
        assertThat(RecordDescriptor.typeName(RecordDescriptor.TYPE_PADDING)).isEqualTo("PADDING");
        assertThat(RecordDescriptor.typeName(RecordDescriptor.TYPE_FRAGMENT)).isEqualTo("FRAGMENT");
        assertThat(RecordDescriptor.typeName(0)).isEqualTo("UNKNOWN(0)");
        assertThat(RecordDescriptor.typeName(200)).isEqualTo("UNKNOWN(200)");
    }

    @Test
    void shouldPinTerminalStateCodes() {
        Map<String, Number> pinned = new LinkedHashMap<>();
        pinned.put("OPEN", 1);
        pinned.put("COMPLETED", 2);
        pinned.put("ERRORED", 3);
        pinned.put("CANCELLED", 4);
        pinned.put("CLOSED", 5);
        assertThat(numericConstants(TerminalState.class)).isEqualTo(new TreeMap<>(pinned));
    }

    // ------------------------------------------------------------------------------------------------ helpers

    private static void assertCountersOnOwnLines(int[] counters, int line) {
        for (int i = 0; i < counters.length; i++) {
            assertThat(counters[i] % line).as("counter at %d starts a %d-byte line", counters[i], line).isZero();
            if (i > 0) {
                assertThat(counters[i] - counters[i - 1]).as("counter at %d is one line after the previous", counters[i])
                    .isEqualTo(line);
            }
        }
    }

    private static String ascii(int magic) {
        return new String(ByteBuffer.allocate(4).putInt(magic).array(), StandardCharsets.US_ASCII);
    }

    /** Every static final int or long field of {@code type}, by name. */
    private static Map<String, Number> numericConstants(Class<?> type) {
        Map<String, Number> constants = new TreeMap<>();
        for (Field field : type.getDeclaredFields()) {
            int modifiers = field.getModifiers();
            if (!Modifier.isStatic(modifiers) || !Modifier.isFinal(modifiers) || field.isSynthetic()) {
                continue;
            }
            try {
                field.setAccessible(true);
                if (field.getType() == int.class) {
                    constants.put(field.getName(), field.getInt(null));
                } else if (field.getType() == long.class) {
                    constants.put(field.getName(), field.getLong(null));
                }
            } catch (IllegalAccessException e) {
                throw new AssertionError(e);
            }
        }
        return constants;
    }
}
