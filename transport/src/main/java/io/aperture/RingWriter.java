package io.aperture;

import com.lmax.disruptor.AlertException;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.BufferOverflowException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

import static io.aperture.RecordDescriptor.HEADER_LENGTH;
import static io.aperture.RecordDescriptor.LENGTH_OFFSET;
import static io.aperture.RecordDescriptor.TYPE_CHECK_OFFSET;

/**
 * The publisher's record protocol over a ring section, for the single producer thread:
 * <ol>
 *   <li>claim the free, contiguous space after the last record (never past the ring end);</li>
 *   <li>let the codec encode in place, bounded by that space and the maximum message length;</li>
 *   <li>write the record header;</li>
 *   <li>publish with one release store of the cursor.</li>
 * </ol>
 * A record that does not fit before the ring end is preceded by a PADDING record to the end and written
 * at index 0, so every record is contiguous and codecs never see a split window.
 */
final class RingWriter {
    private final String channel;
    private final ByteBuffer section;
    private final ByteBuffer window;
    private final RingSequencer sequencer;
    private final ShmSequence published;
    private final Waker waker;
    private final int capacity;
    private final int slotShift;
    private final int slotMask;
    private final int maxMessageLength;
    private long publishedCount;

    // A seqlock over the last (cursor, published count) pair, for the conductor: the two shared words are
    // stored one after the other, so a reader of both could pair a cursor with the count of another record.
    private static final VarHandle SNAPSHOT_VERSION;
    @SuppressWarnings("unused") // accessed through SNAPSHOT_VERSION
    private long snapshotVersion;
    private long snapshotCursor = -1;
    private long snapshotCount;

    static {
        try {
            SNAPSHOT_VERSION = MethodHandles.lookup().findVarHandle(RingWriter.class, "snapshotVersion", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    RingWriter(String channel, ByteBuffer section, RingSequencer sequencer, int capacity, int slotLength,
               int maxMessageLength) {
        this(channel, section, sequencer, capacity, slotLength, maxMessageLength,
            new Waker(section, RingDescriptor.WAKE_OFFSET, SubscriberDescriptor.PARKED_OFFSET));
    }

    RingWriter(String channel, ByteBuffer section, RingSequencer sequencer, int capacity, int slotLength,
               int maxMessageLength, Waker waker) {
        this.channel = channel;
        this.waker = waker;
        this.section = section;
        this.window = section.duplicate().order(ByteOrder.nativeOrder());
        this.sequencer = sequencer;
        this.published = new ShmSequence(section, RingDescriptor.PUBLISHED_OFFSET);
        this.capacity = capacity;
        this.slotShift = Integer.numberOfTrailingZeros(slotLength);
        this.slotMask = capacity / slotLength - 1;
        this.maxMessageLength = maxMessageLength;
        this.publishedCount = published.getPlain();
        this.snapshotCursor = sequencer.getCursor();
        this.snapshotCount = publishedCount;
    }

    /**
     * The cursor after the last record published and the DATA messages published up to it, read as one
     * consistent pair from any thread: {@code {cursor, count}}.
     */
    long[] snapshot() {
        while (true) {
            // Acquire: the pair read below is at least as new as this version.
            long version = (long) SNAPSHOT_VERSION.getAcquire(this);
            long cursor = snapshotCursor;
            long count = snapshotCount;
            // LoadLoad: the pair is read before the version is read again.
            VarHandle.loadLoadFence();
            if ((version & 1) == 0 && version == (long) SNAPSHOT_VERSION.getOpaque(this)) {
                return new long[] {cursor, count};
            }
            Thread.onSpinWait(); // the writer is between the two stores: a few nanoseconds
        }
    }

    /**
     * DATA records from slot sequence {@code after + 1} to the record ending at {@code last}, walked over this
     * ring's record headers (the publisher's own memory, still held by the subscribers' gating). Another
     * process may have written into it: every header is validated.
     */
    long countData(long after, long last) {
        long count = 0;
        long sequence = after + 1;
        while (sequence <= last) {
            int index = (int) (sequence & slotMask) << slotShift;
            int recordOffset = RingDescriptor.SLOTS_OFFSET + index;
            int length = section.getInt(recordOffset + RecordDescriptor.LENGTH_OFFSET);
            int typeCheck = section.getInt(recordOffset + RecordDescriptor.TYPE_CHECK_OFFSET);
            if (RecordDescriptor.check(typeCheck) != RecordDescriptor.expectedCheck(sequence) || length < 0
                || length > capacity - index - HEADER_LENGTH) {
                throw new CorruptSectionException(channel + ".ring", recordOffset, "record at seq " + sequence
                    + " (length " + length + ", type/check 0x" + Integer.toHexString(typeCheck)
                    + ") is not the one this publisher wrote");
            }
            if (RecordDescriptor.type(typeCheck) == RecordDescriptor.TYPE_DATA) {
                count++;
            }
            sequence += (HEADER_LENGTH + length + (1 << slotShift) - 1) >>> slotShift;
        }
        return count;
    }

    private void storeSnapshot(long cursor, long count) {
        long version = (long) SNAPSHOT_VERSION.get(this);
        // Opaque, then StoreStore: a reader that sees the new pair also sees the odd version.
        SNAPSHOT_VERSION.setOpaque(this, version + 1);
        VarHandle.storeStoreFence();
        snapshotCursor = cursor;
        snapshotCount = count;
        // Release: the pair is visible before the even version that vouches for it.
        SNAPSHOT_VERSION.setRelease(this, version + 2);
    }

    long publishedCount() {
        return publishedCount;
    }

    int maxMessageLength() {
        return maxMessageLength;
    }

    /**
     * Encodes {@code value} as a DATA record and publishes it.
     *
     * @throws AlertException when waiting for space was ended by the channel's stop condition or deadline
     * @throws MessageTooLargeException when the value does not fit in the maximum message length
     */
    <T> long writeData(Codec<T> codec, T value, long deadlineNs) throws AlertException {
        return write(RecordDescriptor.TYPE_DATA, codec, value, maxMessageLength, deadlineNs);
    }

    /**
     * Writes a record of {@code type} whose payload is {@code payload} (COMPLETE: empty; ERROR: encoded error)
     * and records its sequence in the header, so that a subscriber joining after the end can read it.
     */
    long writeSignal(int type, byte[] payload, long deadlineNs) throws AlertException {
        long sequence = write(type, Codecs.bytes(), payload, RecordDescriptor.maxErrorLength(capacity), deadlineNs);
        // Release: the record is complete for a subscriber that reads this sequence with acquire.
        ShmSequence.LONG.setRelease(section, RingDescriptor.TERMINAL_SEQUENCE_OFFSET, sequence);
        return sequence;
    }

    private <T> long write(int type, Codec<T> codec, T value, int maxPayloadLength, long deadlineNs)
        throws AlertException {
        final int maxRecordLength = HEADER_LENGTH + maxPayloadLength;
        while (true) {
            long sequence = sequencer.nextValue() + 1;
            int index = (int) (sequence & slotMask) << slotShift;
            int toEnd = capacity - index;
            long free = sequencer.freeSlots() << slotShift;
            int limit = (int) Math.min(Math.min(toEnd, free), maxRecordLength);
            if (limit >= HEADER_LENGTH) {
                int payloadOffset = RingDescriptor.SLOTS_OFFSET + index + HEADER_LENGTH;
                window.order(ByteOrder.nativeOrder());
                window.limit(payloadOffset - HEADER_LENGTH + limit).position(payloadOffset);
                boolean fits;
                try {
                    codec.encode(value, window);
                    fits = true;
                } catch (BufferOverflowException e) {
                    fits = false;
                }
                if (fits) {
                    int end = window.position();
                    if (end < payloadOffset || window.limit() != payloadOffset - HEADER_LENGTH + limit) {
                        throw new IllegalStateException("codec '" + codec.name() + "' left the window at position "
                            + (end - payloadOffset) + " with limit " + (window.limit() - payloadOffset)
                            + "; it must only advance the position within the limit " + (limit - HEADER_LENGTH));
                    }
                    return publish(type, sequence, index, end - payloadOffset);
                }
            }
            if (maxRecordLength <= toEnd && maxRecordLength <= free) {
                throw new MessageTooLargeException(channel, measure(codec, value), maxPayloadLength);
            } else if (toEnd < maxRecordLength && toEnd <= free) {
                publish(RecordDescriptor.TYPE_PADDING, sequence, index, toEnd - HEADER_LENGTH);
            } else {
                int wanted = Math.min(toEnd, maxRecordLength);
                sequencer.awaitFree((wanted + (1 << slotShift) - 1) >>> slotShift, deadlineNs);
            }
        }
    }

    private long publish(int type, long sequence, int index, int payloadLength) {
        int slots = (HEADER_LENGTH + payloadLength + (1 << slotShift) - 1) >>> slotShift;
        int recordOffset = RingDescriptor.SLOTS_OFFSET + index;
        // Plain stores: ordered before the reader's view by the cursor's release store below.
        section.putInt(recordOffset + LENGTH_OFFSET, payloadLength);
        section.putInt(recordOffset + TYPE_CHECK_OFFSET, RecordDescriptor.typeCheck(type, sequence));
        long last = sequence + slots - 1;
        sequencer.claim(last);
        sequencer.publish(last);
        if (type == RecordDescriptor.TYPE_DATA) {
            // Release: a reader that sees this count also sees the record (statistics and demand accounting).
            published.set(++publishedCount);
        }
        storeSnapshot(last, publishedCount);
        waker.wakeIfParked();
        return sequence;
    }

    /** Encoded length of a value too large for the ring, for the error message; -1 if it exceeds 16 MiB. */
    private static <T> long measure(Codec<T> codec, T value) {
        for (int size = 1 << 16; size <= 1 << 24; size <<= 2) {
            ByteBuffer scratch = ByteBuffer.allocate(size).order(ByteOrder.nativeOrder());
            try {
                codec.encode(value, scratch);
                return scratch.position();
            } catch (BufferOverflowException e) {
                // try a larger scratch buffer
            }
        }
        return -1;
    }
}
