package io.aperture;

import com.lmax.disruptor.DataProvider;
import com.lmax.disruptor.EventPoller;
import com.lmax.disruptor.Sequence;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

import static io.aperture.RecordDescriptor.HEADER_LENGTH;

/**
 * The subscriber's record protocol over a read-only ring section. It drains with the stock Disruptor
 * {@link EventPoller}: the poller walks slot sequences from {@code consumed + 1} to the published cursor,
 * this class is its {@link DataProvider} (a flyweight over the slot) and its handler (record start slots
 * are validated and dispatched, continuation slots skipped), and the poller's progress sequence is the
 * subscriber's shared {@code consumed} word, which the publisher gates on.
 *
 * <p>Every value read from the ring is validated before use: the cursor must not go backwards nor run more
 * than one ring ahead of {@code consumed}; a record's sequence check, type and length must be consistent
 * and the record must lie inside the ring and inside the published range. A violation raises
 * {@link CorruptSectionException}; nothing past the bad value is read.
 */
final class RingReader implements DataProvider<RingReader>, EventPoller.Handler<RingReader> {
    /** What the reader found; returning false from {@link #onData} ends the current batch. */
    interface RecordHandler {
        boolean onData(ByteBuffer window, long sequence) throws Exception;

        void onComplete();

        void onError(String remoteClassName, String remoteMessage);
    }

    static final int ERROR_CLASS_MAX_BYTES = RecordDescriptor.ERROR_CLASS_MAX_BYTES;
    static final int ERROR_MESSAGE_MAX_BYTES = RecordDescriptor.ERROR_MESSAGE_MAX_BYTES;

    private final String sectionName;
    private final ByteBuffer section;
    /** The section, or this reader's double mapping of it (the slot area at {@code SLOTS_OFFSET}, and again after it). */
    private final ByteBuffer slots;
    private final int slotsBase;
    /** Records may run past the end of the slot area (the publisher double-maps it). */
    private final boolean wrapping;
    /** Records that run past the end are contiguous in {@link #slots} (this reader double-maps too). */
    private final boolean contiguous;
    /** For a wrapping record when this reader does not double-map: its payload copied in one piece. */
    private ByteBuffer joined;
    private final ByteBuffer window;
    private final int capacity;
    private final int slotShift;
    private final int slotMask;
    private final int slotCount;
    private final int maxMessageLength;
    private final EventPoller<RingReader> poller;
    private final ShmSequence cursorSequence;
    private final Sequence consumed;
    private RecordHandler handler;
    /** What the poller last stored in {@code consumed}: the last sequence it handed to {@link #onEvent}. */
    private long expectedConsumed;

    private long lastCursor;
    private long nextRecord;
    private boolean terminated;
    /** The handler asked to stop at a record of several slots: stop at its last slot, so consumed is a record end. */
    private boolean stopAtRecordEnd;

    // Fragmented messages: the publisher's bound (from its header), this subscriber's own bound, and the
    // message being assembled. Pieces of a message started before this reader's first record are skipped.
    private int maxFragmentedLength;
    private int maxAssembledLength;
    private ByteBuffer assembly;
    private boolean assembling;
    private int assemblyTotal;
    private long assemblyFirst;
    private boolean atStart = true;

    RingReader(String sectionName, ByteBuffer section, Sequence consumed, int capacity, int slotLength,
               int maxMessageLength) {
        this(sectionName, section, false, null, consumed, capacity, slotLength, maxMessageLength);
    }

    /**
     * @param wrapping     the publisher double-maps its slot area: a record may run past the end
     * @param doubleMapped this reader's own double mapping of the section ({@link DoubleMapping}), or null: a
     *                     record that runs past the end is then copied into one piece (the copy path)
     */
    RingReader(String sectionName, ByteBuffer section, boolean wrapping, ByteBuffer doubleMapped, Sequence consumed,
               int capacity, int slotLength, int maxMessageLength) {
        this.sectionName = sectionName;
        this.section = section;
        this.wrapping = wrapping;
        this.contiguous = doubleMapped != null;
        this.slots = contiguous ? doubleMapped : section;
        this.slotsBase = RingDescriptor.SLOTS_OFFSET;
        this.window = slots.asReadOnlyBuffer().order(ByteOrder.nativeOrder());
        this.capacity = capacity;
        this.slotShift = Integer.numberOfTrailingZeros(slotLength);
        this.slotCount = capacity / slotLength;
        this.slotMask = slotCount - 1;
        this.maxMessageLength = maxMessageLength;
        ShmSequence cursor = new ShmSequence(section, RingDescriptor.CURSOR_OFFSET);
        this.cursorSequence = cursor;
        this.poller = new EventPoller<>(this, new CursorView(cursor), consumed, cursor);
        this.consumed = consumed;
        this.lastCursor = consumed.get();
        this.expectedConsumed = lastCursor;
        this.nextRecord = lastCursor + 1;
    }

    /**
     * Accepts FRAGMENT records of messages up to {@code publisherMax} bytes (the ring header's bound; above
     * it a piece is corrupt), and assembles those up to {@code ownMax} (above it the message is refused with
     * a clear error). Without this call a FRAGMENT record is corrupt.
     */
    RingReader fragments(int publisherMax, int ownMax) {
        this.maxFragmentedLength = publisherMax;
        this.maxAssembledLength = ownMax;
        return this;
    }

    /**
     * Delivers published records to {@code handler} until it returns false, a terminal record is read, or
     * nothing more is published.
     *
     * @return the poller's state: PROCESSING when records were read, IDLE when none was published
     */
    EventPoller.PollState poll(RecordHandler handler) throws Exception {
        this.handler = handler;
        // Acquire load of our own word: only the poller writes it, so another value was written by another
        // process, and polling from it would skip or repeat records (or see none, forever).
        long value = consumed.get();
        if (value != expectedConsumed) {
            throw new CorruptSectionException("the subscriber's own section", SubscriberDescriptor.CONSUMED_OFFSET,
                "consumed " + value + " != " + expectedConsumed + " stored by this reader: moved by another process");
        }
        return poller.poll(this);
    }

    /** The value this reader's poller last stored in {@code consumed}. */
    long expectedConsumed() {
        return expectedConsumed;
    }

    boolean terminated() {
        return terminated;
    }

    /** Slot sequence of the next record to read. */
    long nextRecord() {
        return nextRecord;
    }

    long lastCursor() {
        return lastCursor;
    }

    /**
     * Type of the next record if it is published, else -1. Used while there is no demand, to deliver a
     * terminal record (which needs none) without consuming a DATA record (which does).
     */
    int peekNextType() {
        while (true) {
            // Acquire: pairs with the publisher's release of the cursor; the record header below is complete.
            long cursor = cursorSequence.get();
            if (cursor < nextRecord) {
                return -1;
            }
            validateCursor(nextRecord, cursor);
            int index = (int) (nextRecord & slotMask) << slotShift;
            int recordOffset = slotsBase + index;
            int typeCheck = slots.getInt(recordOffset + RecordDescriptor.TYPE_CHECK_OFFSET);
            if (RecordDescriptor.check(typeCheck) != RecordDescriptor.expectedCheck(nextRecord)) {
                throw corruptSlot(recordOffset, "record check 0x" + Integer.toHexString(RecordDescriptor.check(typeCheck))
                    + " != expected 0x" + Integer.toHexString(RecordDescriptor.expectedCheck(nextRecord)) + " at seq "
                    + nextRecord);
            }
            int type = RecordDescriptor.type(typeCheck);
            if (type != RecordDescriptor.TYPE_PADDING) {
                return type;
            }
            // Step over the padding (it needs no demand); the poller skips its slots as already read.
            int length = slots.getInt(recordOffset + RecordDescriptor.LENGTH_OFFSET);
            if (index + HEADER_LENGTH + length != capacity || length < 0) {
                throw corruptSlot(recordOffset, "padding of length " + length + " at index " + index
                    + " does not end at ring capacity " + capacity);
            }
            nextRecord += (capacity - index) >>> slotShift;
        }
    }

    /** The published cursor, read with acquire (not validated: for comparisons only). */
    long cursor() {
        return cursorSequence.get();
    }

    /** True when the publisher has published records not read yet. */
    boolean hasUnread() {
        return cursorSequence.get() >= nextRecord;
    }

    @Override
    public RingReader get(long sequence) {
        return this;
    }

    @Override
    public boolean onEvent(RingReader self, long sequence, boolean endOfBatch) throws Exception {
        boolean more = handle(sequence);
        // The poller stores the last sequence handled without an exception (a throw stores nothing).
        expectedConsumed = sequence;
        return more;
    }

    private boolean handle(long sequence) throws Exception {
        if (sequence < nextRecord) {
            // A continuation slot of a record already read. Stopping only at a record's last slot keeps the
            // shared consumed on record boundaries, where a subscriber that joins at the oldest record starts.
            if (stopAtRecordEnd && sequence == nextRecord - 1) {
                stopAtRecordEnd = false;
                return false;
            }
            return true;
        }
        if (terminated) {
            return false;
        }
        if (sequence != nextRecord) {
            // The poller starts at consumed + 1: a consumed word moved past our next record was not moved by us.
            throw corrupt(RingDescriptor.SLOTS_OFFSET + ((int) (sequence & slotMask) << slotShift), "poll reached seq "
                + sequence + " but the next record starts at seq " + nextRecord
                + ": the consumed counter was moved by another process");
        }
        int index = (int) (sequence & slotMask) << slotShift;
        int recordOffset = slotsBase + index;
        int length = slots.getInt(recordOffset + RecordDescriptor.LENGTH_OFFSET);
        int typeCheck = slots.getInt(recordOffset + RecordDescriptor.TYPE_CHECK_OFFSET);
        int type = RecordDescriptor.type(typeCheck);
        int check = RecordDescriptor.check(typeCheck);
        if (check != RecordDescriptor.expectedCheck(sequence)) {
            throw corruptSlot(recordOffset, "record check 0x" + Integer.toHexString(check) + " != expected 0x"
                + Integer.toHexString(RecordDescriptor.expectedCheck(sequence)) + " at seq " + sequence);
        }
        if (length < 0 || length > (wrapping ? capacity / 2 : capacity - index) - HEADER_LENGTH) {
            throw corruptSlot(recordOffset, "record length " + length + " at index " + index + (wrapping
                ? " is more than half the ring capacity " : " runs past ring capacity ") + capacity + " (seq " + sequence
                + ")");
        }
        long recordSlots = (HEADER_LENGTH + length + (1 << slotShift) - 1) >>> slotShift;
        long last = sequence + recordSlots - 1;
        if (last > lastCursor) {
            throw corruptSlot(recordOffset, "record of " + recordSlots + " slots at seq " + sequence
                + " extends past the published cursor " + lastCursor);
        }
        switch (type) {
            case RecordDescriptor.TYPE_DATA:
                checkMessageLength(recordOffset, length, sequence);
                if (assembling) {
                    throw corruptSlot(recordOffset, "DATA record at seq " + sequence + " inside the fragmented message "
                        + "that started at seq " + assemblyFirst);
                }
                atStart = false;
                nextRecord = last + 1;
                return deliver(payload(index, length), sequence, last == sequence);
            case RecordDescriptor.TYPE_FRAGMENT:
                checkMessageLength(recordOffset, length, sequence);
                ByteBuffer whole = fragment(recordOffset, payload(index, length), sequence);
                nextRecord = last + 1; // only once valid: a corrupt piece is reported again by the next poll
                return whole == null || deliver(whole, assemblyFirst, last == sequence);
            case RecordDescriptor.TYPE_PADDING:
                if (index + HEADER_LENGTH + length != capacity) {
                    throw corruptSlot(recordOffset, "padding of length " + length + " at index " + index
                        + " does not end at ring capacity " + capacity);
                }
                nextRecord = last + 1;
                return true;
            case RecordDescriptor.TYPE_COMPLETE:
                if (length != 0) {
                    throw corruptSlot(recordOffset, "COMPLETE record with length " + length + " != 0 at seq " + sequence);
                }
                nextRecord = last + 1;
                terminated = true;
                handler.onComplete();
                return false;
            case RecordDescriptor.TYPE_ERROR:
                if (length > RecordDescriptor.maxErrorLength(capacity)) {
                    throw corruptSlot(recordOffset, "ERROR record length " + length + " > max error length "
                        + RecordDescriptor.maxErrorLength(capacity) + " at seq " + sequence);
                }
                decodeError(recordOffset, payload(index, length), sequence, last);
                return false;
            default:
                throw corruptSlot(recordOffset, "unknown record type " + type + " at seq " + sequence);
        }
    }

    /** Hands a message to the handler; when it asks to stop inside a record of several slots, stops at the record's end. */
    private boolean deliver(ByteBuffer message, long sequence, boolean singleSlot) throws Exception {
        if (handler.onData(message, sequence)) {
            return true;
        }
        if (singleSlot) {
            return false;
        }
        stopAtRecordEnd = true;
        return true;
    }

    /**
     * Validates a FRAGMENT record and copies its piece into the assembly buffer; returns the whole message
     * (a read-only view) with its last piece, else null.
     */
    private ByteBuffer fragment(int recordOffset, ByteBuffer payload, long sequence) {
        if (maxFragmentedLength == 0) {
            throw corruptSlot(recordOffset, "FRAGMENT record at seq " + sequence + " on a ring that carries no fragments");
        }
        int start = payload.position();
        int pieceLength = payload.remaining() - RecordDescriptor.FRAGMENT_HEADER_LENGTH;
        int total = payload.getInt(start + RecordDescriptor.FRAGMENT_TOTAL_OFFSET);
        int offset = payload.getInt(start + RecordDescriptor.FRAGMENT_OFFSET_OFFSET);
        if (pieceLength < 1 || total <= 0 || total > maxFragmentedLength || offset < 0 || offset > total - pieceLength) {
            throw corruptSlot(recordOffset, "FRAGMENT record at seq " + sequence + " with total " + total + ", offset "
                + offset + " and piece " + pieceLength + " (max fragmented message length " + maxFragmentedLength + ")");
        }
        if (!assembling) {
            if (offset != 0) {
                if (atStart) {
                    return null; // the rest of a message that started before this subscriber: not ours
                }
                throw corruptSlot(recordOffset, "FRAGMENT at offset " + offset + " (seq " + sequence
                    + ") without the first piece of its message");
            }
            atStart = false;
            if (total > maxAssembledLength) {
                throw new ApertureException("the message of " + total + " bytes at seq " + sequence + " of "
                    + sectionName + " is longer than this subscriber's max fragmented message length "
                    + maxAssembledLength + " (ChannelOptions.withMaxFragmentedMessageLength)");
            }
            if (assembly == null || assembly.capacity() < total) {
                try {
                    assembly = ByteBuffer.allocate(total).order(ByteOrder.nativeOrder());
                } catch (OutOfMemoryError e) {
                    assembly = null;
                    throw new ApertureException("cannot allocate " + total + " bytes to assemble the message at seq "
                        + sequence + " of " + sectionName + " (lower the max fragmented message length or give the "
                        + "JVM more heap): " + e);
                }
            }
            assembly.clear();
            assembling = true;
            assemblyTotal = total;
            assemblyFirst = sequence;
        } else if (total != assemblyTotal || offset != assembly.position()) {
            throw corruptSlot(recordOffset, "FRAGMENT at seq " + sequence + " with total " + total + " and offset " + offset
                + " does not continue the message of " + assemblyTotal + " bytes at offset " + assembly.position());
        }
        assembly.put(assembly.position(), payload, start + RecordDescriptor.FRAGMENT_HEADER_LENGTH, pieceLength);
        assembly.position(assembly.position() + pieceLength);
        if (assembly.position() < total) {
            return null;
        }
        assembling = false;
        return assembly.asReadOnlyBuffer().order(ByteOrder.nativeOrder()).flip();
    }

    private void checkMessageLength(int recordOffset, int length, long sequence) {
        if (length > maxMessageLength) {
            throw corruptSlot(recordOffset, "record length " + length + " > max message length " + maxMessageLength
                + " at seq " + sequence);
        }
    }

    private void decodeError(int recordOffset, ByteBuffer payload, long sequence, long last) {
        // ERROR payload: u16 class length, class (UTF-8), u16 message length (0xFFFF: none), message (UTF-8).
        int offset = payload.position();
        int length = payload.remaining();
        int end = offset + length;
        int classLength = length >= 2 ? Short.toUnsignedInt(payload.getShort(offset)) : -1;
        if (classLength < 0 || classLength > ERROR_CLASS_MAX_BYTES || offset + 2 + classLength + 2 > end) {
            throw corruptSlot(recordOffset, "ERROR record class length " + classLength + " invalid for payload " + length
                + " at seq " + sequence);
        }
        String className = utf8(payload, offset + 2, classLength);
        int messageOffset = offset + 2 + classLength;
        int messageLength = Short.toUnsignedInt(payload.getShort(messageOffset));
        String message = null;
        if (messageLength != 0xFFFF) {
            if (messageLength > ERROR_MESSAGE_MAX_BYTES || messageOffset + 2 + messageLength > end) {
                throw corruptSlot(recordOffset, "ERROR record message length " + messageLength + " invalid for payload "
                    + length + " at seq " + sequence);
            }
            message = utf8(payload, messageOffset + 2, messageLength);
        }
        // Read only once valid: a corrupt ERROR record is reported again by the next poll, never skipped as read.
        nextRecord = last + 1;
        terminated = true;
        handler.onError(className, message);
    }

    private static String utf8(ByteBuffer buffer, int offset, int length) {
        byte[] bytes = new byte[length];
        buffer.get(offset, bytes);
        return new String(bytes, java.nio.charset.StandardCharsets.UTF_8);
    }

    /**
     * The payload of the record at {@code index} as one read-only window: in place, unless the record runs
     * past the end of the slot area and this reader does not double-map; then copied into one piece.
     */
    private ByteBuffer payload(int index, int length) {
        int start = slotsBase + index + HEADER_LENGTH;
        if (contiguous || index + HEADER_LENGTH + length <= capacity) {
            window.limit(start + length).position(start);
            return window;
        }
        // The copy path: [index + 8, capacity) then [0, rest) of the slot area, into one buffer.
        if (joined == null) {
            joined = ByteBuffer.allocate(capacity / 2).order(ByteOrder.nativeOrder());
        }
        int first = capacity - index - HEADER_LENGTH;
        joined.clear();
        joined.put(0, slots, start, first).put(first, slots, slotsBase, length - first);
        return joined.asReadOnlyBuffer().order(ByteOrder.nativeOrder()).limit(length);
    }

    /** A corruption at {@code bufferOffset} of the slot buffer, reported at its offset in the ring file. */
    private CorruptSectionException corruptSlot(int bufferOffset, String detail) {
        return corrupt(bufferOffset - slotsBase + RingDescriptor.SLOTS_OFFSET, detail);
    }

    private CorruptSectionException corrupt(long offset, String detail) {
        return new CorruptSectionException(sectionName, offset, detail);
    }

    /** Validates the published cursor seen by the poller before it walks the slots. */
    long validateCursor(long nextSequence, long cursor) {
        if (cursor < lastCursor) {
            throw corrupt(RingDescriptor.CURSOR_OFFSET, "cursor went backwards from " + lastCursor + " to " + cursor);
        }
        long consumed = nextSequence - 1;
        long ahead = cursor - consumed; // negative only if it overflowed: consumed -1 and cursor Long.MAX_VALUE
        if (ahead > slotCount || ahead < 0) {
            throw corrupt(RingDescriptor.CURSOR_OFFSET, "cursor " + cursor + " is more than the ring's " + slotCount
                + " slots ahead of consumed " + consumed);
        }
        lastCursor = cursor;
        return cursor;
    }

    /** The read side's view of the sequencer: only what {@link EventPoller} asks, validated. */
    private final class CursorView extends ReadOnlySequencer {
        CursorView(ShmSequence cursor) {
            super(slotCount, cursor);
        }

        @Override
        public long getHighestPublishedSequence(long nextSequence, long availableSequence) {
            return validateCursor(nextSequence, availableSequence);
        }
    }
}
