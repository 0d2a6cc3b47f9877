package io.aperture.internal.ring;

import io.aperture.CorruptSectionException;
import io.aperture.internal.section.RecordDescriptor;
import io.aperture.internal.section.RingDescriptor;
import io.aperture.internal.section.ShmSequence;

import java.nio.ByteBuffer;

import static io.aperture.internal.section.RecordDescriptor.HEADER_LENGTH;

/**
 * The one place where a committed record header is validated, for a ring of one geometry: by a subscriber's
 * {@link RingReader} and by the publisher walking its own ring ({@link RingWriter#walk}). A header comes from
 * memory another process can write: its check, type and length must be consistent and the record must lie
 * inside the ring; anything else raises {@link CorruptSectionException} naming the section, the file offset
 * and the value, and nothing past it is read.
 */
public final class RecordCheck {
    private final String sectionName;
    private final int capacity;
    private final int slotShift;
    private final int slotCount;
    private final int maxMessageLength;
    private final int maxErrorLength;
    /** Records may run past the end of the slot area (the publisher double-maps it). */
    private final boolean wraps;

    public RecordCheck(String sectionName, int capacity, int slotLength, int maxMessageLength, boolean wraps) {
        this.sectionName = sectionName;
        this.capacity = capacity;
        this.slotShift = Integer.numberOfTrailingZeros(slotLength);
        this.slotCount = capacity / slotLength;
        this.maxMessageLength = maxMessageLength;
        this.maxErrorLength = RecordDescriptor.maxErrorLength(capacity);
        this.wraps = wraps;
    }

    /**
     * Validates the committed (non-zero) header word {@code header} of the record expected at slot sequence
     * {@code sequence}, at byte {@code index} of the slot area, and returns the record's last slot sequence.
     */
    public long lastSlot(long header, long sequence, int index) {
        int check = RecordDescriptor.check(header);
        if (check != RecordDescriptor.expectedCheck(sequence)) {
            throw corrupt(index, "record check 0x" + Integer.toHexString(check) + " != expected 0x"
                + Integer.toHexString(RecordDescriptor.expectedCheck(sequence)) + " at seq " + sequence + " (header 0x"
                + Long.toHexString(header) + ")");
        }
        int length = RecordDescriptor.length(header);
        if (length < 0 || length > (wraps ? capacity / 2 : capacity - index) - HEADER_LENGTH) {
            throw corrupt(index, "record length " + length + " at index " + index + (wraps
                ? " is more than half the ring capacity " : " runs past ring capacity ") + capacity + " (seq " + sequence
                + ")");
        }
        int type = RecordDescriptor.type(header);
        switch (type) {
            case RecordDescriptor.TYPE_DATA:
            case RecordDescriptor.TYPE_FRAGMENT:
                if (length > maxMessageLength) {
                    throw corrupt(index, "record length " + length + " > max message length " + maxMessageLength
                        + " at seq " + sequence);
                }
                break;
            case RecordDescriptor.TYPE_PADDING:
                if (index + HEADER_LENGTH + length != capacity) {
                    throw corrupt(index, "padding of length " + length + " at index " + index
                        + " does not end at ring capacity " + capacity);
                }
                break;
            case RecordDescriptor.TYPE_COMPLETE:
                if (length != 0) {
                    throw corrupt(index, "COMPLETE record with length " + length + " != 0 at seq " + sequence);
                }
                break;
            case RecordDescriptor.TYPE_ERROR:
                if (length > maxErrorLength) {
                    throw corrupt(index, "ERROR record length " + length + " > max error length " + maxErrorLength
                        + " at seq " + sequence);
                }
                break;
            default:
                throw corrupt(index, "unknown record type " + type + " at seq " + sequence);
        }
        return sequence + RecordDescriptor.slots(length, slotShift) - 1;
    }

    /**
     * Walks the committed records of the ring whose slot area starts at {@code SLOTS_OFFSET} of {@code slots},
     * after slot sequence {@code after} up to {@code until} (or the first uncommitted header), counting message
     * starts (DATA records and first fragments) on top of {@code count}; returns {@code {last slot walked,
     * count}}. How the publisher, and a tool reading the ring, derive the exact end from the lazy cursor and
     * published words. The caller keeps the ring from being lapped meanwhile (the publisher holds a gating
     * sequence; a tool re-checks the lazy cursor after the walk). Every header is validated, and a walk longer
     * than the ring is corrupt.
     */
    public long[] walk(ByteBuffer slots, long after, long count, long until) {
        int slotMask = slotCount - 1;
        long sequence = after + 1;
        while (sequence <= until) {
            int index = (int) (sequence & slotMask) << slotShift;
            // Acquire: pairs with the commit of this header; the fragment offset read below is complete.
            long header = (long) ShmSequence.LONG.getAcquire(slots, RingDescriptor.SLOTS_OFFSET + index);
            if (header == RecordDescriptor.UNCOMMITTED) {
                break;
            }
            if (sequence - after > slotCount) {
                throw corrupt(index, "committed records run on for more than the ring's " + slotCount
                    + " slots after seq " + after);
            }
            long last = lastSlot(header, sequence, index);
            int type = RecordDescriptor.type(header);
            if (type == RecordDescriptor.TYPE_DATA || type == RecordDescriptor.TYPE_FRAGMENT
                && RecordDescriptor.length(header) >= RecordDescriptor.FRAGMENT_HEADER_LENGTH
                && slots.getInt(RingDescriptor.SLOTS_OFFSET + index + HEADER_LENGTH
                    + RecordDescriptor.FRAGMENT_OFFSET_OFFSET) == 0) {
                count++; // a message starts here: a DATA record, or the first fragment of one
            }
            sequence = last + 1;
        }
        return new long[] {sequence - 1, count};
    }

    /** A corruption at byte {@code index} of the slot area, reported at its offset in the ring file. */
    public CorruptSectionException corrupt(int index, String detail) {
        return new CorruptSectionException(sectionName, (long) RingDescriptor.SLOTS_OFFSET + index, detail);
    }
}
