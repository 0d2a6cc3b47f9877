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

    RingReader(String sectionName, ByteBuffer section, Sequence consumed, int capacity, int slotLength,
               int maxMessageLength) {
        this.sectionName = sectionName;
        this.section = section;
        this.window = section.asReadOnlyBuffer().order(ByteOrder.nativeOrder());
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
            int recordOffset = RingDescriptor.SLOTS_OFFSET + index;
            int typeCheck = section.getInt(recordOffset + RecordDescriptor.TYPE_CHECK_OFFSET);
            if (RecordDescriptor.check(typeCheck) != RecordDescriptor.expectedCheck(nextRecord)) {
                throw corrupt(recordOffset, "record check 0x" + Integer.toHexString(RecordDescriptor.check(typeCheck))
                    + " != expected 0x" + Integer.toHexString(RecordDescriptor.expectedCheck(nextRecord)) + " at seq "
                    + nextRecord);
            }
            int type = RecordDescriptor.type(typeCheck);
            if (type != RecordDescriptor.TYPE_PADDING) {
                return type;
            }
            // Step over the padding (it needs no demand); the poller skips its slots as already read.
            int length = section.getInt(recordOffset + RecordDescriptor.LENGTH_OFFSET);
            if (index + HEADER_LENGTH + length != capacity || length < 0) {
                throw corrupt(recordOffset, "padding of length " + length + " at index " + index
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
        int recordOffset = RingDescriptor.SLOTS_OFFSET + index;
        int length = section.getInt(recordOffset + RecordDescriptor.LENGTH_OFFSET);
        int typeCheck = section.getInt(recordOffset + RecordDescriptor.TYPE_CHECK_OFFSET);
        int type = RecordDescriptor.type(typeCheck);
        int check = RecordDescriptor.check(typeCheck);
        if (check != RecordDescriptor.expectedCheck(sequence)) {
            throw corrupt(recordOffset, "record check 0x" + Integer.toHexString(check) + " != expected 0x"
                + Integer.toHexString(RecordDescriptor.expectedCheck(sequence)) + " at seq " + sequence);
        }
        if (length < 0 || length > capacity - index - HEADER_LENGTH) {
            throw corrupt(recordOffset, "record length " + length + " at index " + index + " runs past ring capacity "
                + capacity + " (seq " + sequence + ")");
        }
        long slots = (HEADER_LENGTH + length + (1 << slotShift) - 1) >>> slotShift;
        long last = sequence + slots - 1;
        if (last > lastCursor) {
            throw corrupt(recordOffset, "record of " + slots + " slots at seq " + sequence
                + " extends past the published cursor " + lastCursor);
        }
        switch (type) {
            case RecordDescriptor.TYPE_DATA:
                checkMessageLength(recordOffset, length, sequence);
                nextRecord = last + 1;
                window.limit(recordOffset + HEADER_LENGTH + length).position(recordOffset + HEADER_LENGTH);
                if (handler.onData(window, sequence)) {
                    return true;
                }
                if (last == sequence) {
                    return false;
                }
                stopAtRecordEnd = true;
                return true;
            case RecordDescriptor.TYPE_PADDING:
                if (index + HEADER_LENGTH + length != capacity) {
                    throw corrupt(recordOffset, "padding of length " + length + " at index " + index
                        + " does not end at ring capacity " + capacity);
                }
                nextRecord = last + 1;
                return true;
            case RecordDescriptor.TYPE_COMPLETE:
                if (length != 0) {
                    throw corrupt(recordOffset, "COMPLETE record with length " + length + " != 0 at seq " + sequence);
                }
                nextRecord = last + 1;
                terminated = true;
                handler.onComplete();
                return false;
            case RecordDescriptor.TYPE_ERROR:
                if (length > RecordDescriptor.maxErrorLength(capacity)) {
                    throw corrupt(recordOffset, "ERROR record length " + length + " > max error length "
                        + RecordDescriptor.maxErrorLength(capacity) + " at seq " + sequence);
                }
                decodeError(recordOffset + HEADER_LENGTH, length, sequence, last);
                return false;
            default:
                throw corrupt(recordOffset, "unknown record type " + type + " at seq " + sequence);
        }
    }

    private void checkMessageLength(int recordOffset, int length, long sequence) {
        if (length > maxMessageLength) {
            throw corrupt(recordOffset, "record length " + length + " > max message length " + maxMessageLength
                + " at seq " + sequence);
        }
    }

    private void decodeError(int offset, int length, long sequence, long last) {
        // ERROR payload: u16 class length, class (UTF-8), u16 message length (0xFFFF: none), message (UTF-8).
        int end = offset + length;
        int classLength = length >= 2 ? Short.toUnsignedInt(section.getShort(offset)) : -1;
        if (classLength < 0 || classLength > ERROR_CLASS_MAX_BYTES || offset + 2 + classLength + 2 > end) {
            throw corrupt(offset, "ERROR record class length " + classLength + " invalid for payload " + length
                + " at seq " + sequence);
        }
        String className = utf8(offset + 2, classLength);
        int messageOffset = offset + 2 + classLength;
        int messageLength = Short.toUnsignedInt(section.getShort(messageOffset));
        String message = null;
        if (messageLength != 0xFFFF) {
            if (messageLength > ERROR_MESSAGE_MAX_BYTES || messageOffset + 2 + messageLength > end) {
                throw corrupt(offset, "ERROR record message length " + messageLength + " invalid for payload " + length
                    + " at seq " + sequence);
            }
            message = utf8(messageOffset + 2, messageLength);
        }
        // Read only once valid: a corrupt ERROR record is reported again by the next poll, never skipped as read.
        nextRecord = last + 1;
        terminated = true;
        handler.onError(className, message);
    }

    private String utf8(int offset, int length) {
        byte[] bytes = new byte[length];
        section.get(offset, bytes);
        return new String(bytes, java.nio.charset.StandardCharsets.UTF_8);
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
