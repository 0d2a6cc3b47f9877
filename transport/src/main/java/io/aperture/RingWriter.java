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
 * at index 0, so every record is contiguous and codecs never see a split window. When the slot area is
 * mapped twice back to back ({@link DoubleMapping}), a record simply runs on past the end into the second
 * view, contiguous in memory, and no padding is written.
 *
 * <p>A message longer than the max message length, when fragments are allowed, is encoded into a scratch
 * buffer and written as consecutive FRAGMENT records. The write can be taken up again after an
 * {@link AlertException} (ring full past the deadline): called again with the same value, it goes on with
 * the next fragment.
 */
final class RingWriter {
    private final String channel;
    private final ByteBuffer section;
    /** The section, or its double mapping (the slot area at {@code SLOTS_OFFSET}, and again after it). */
    private final ByteBuffer slots;
    private final int slotsBase;
    /** Records may run past the end of the slot area (double mapped). */
    private final boolean wraps;
    private final ByteBuffer window;
    private final RingSequencer sequencer;
    private final ShmSequence published;
    private final Waker waker;
    private final int capacity;
    private final int slotShift;
    private final int slotMask;
    private final int maxMessageLength;
    private final int maxFragmentedLength;
    private long publishedCount;

    // The message being written in fragments (writer thread only).
    private ByteBuffer scratch;
    private Object fragmentedValue;
    private int fragmentedLength;
    private int fragmentedOffset;
    private boolean lastFragment;
    /** A fragmented message has its first fragment published and not yet its last. */
    private boolean messageOpen;

    // Deferred publication (writer thread only): records written while {@code deferring} are claimed but not
    // published; one cursor store, one snapshot and one wake check publish them all ({@link #flush}).
    private boolean deferring;
    /** Last slot of the records written and not yet published; -1: none. */
    private long pendingLast = -1;
    /** See {@link #burstThread(Thread)}; null: every record takes the full wake check. */
    private Thread burstThread;

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
        this(channel, section, null, sequencer, capacity, slotLength, maxMessageLength, 0,
            new Waker(section, RingDescriptor.WAKE_OFFSET, SubscriberDescriptor.PARKED_OFFSET));
    }

    /**
     * @param doubleMapped        the section with its slot area mapped twice ({@link DoubleMapping}), or null:
     *                            records then never wrap
     * @param maxFragmentedLength largest message written in FRAGMENT records; 0 for none
     */
    RingWriter(String channel, ByteBuffer section, ByteBuffer doubleMapped, RingSequencer sequencer, int capacity,
               int slotLength, int maxMessageLength, int maxFragmentedLength, Waker waker) {
        this.channel = channel;
        this.waker = waker;
        this.section = section;
        this.wraps = doubleMapped != null;
        this.slots = wraps ? doubleMapped : section;
        this.slotsBase = RingDescriptor.SLOTS_OFFSET;
        this.window = slots.duplicate().order(ByteOrder.nativeOrder());
        this.sequencer = sequencer;
        this.published = new ShmSequence(section, RingDescriptor.PUBLISHED_OFFSET);
        this.capacity = capacity;
        this.slotShift = Integer.numberOfTrailingZeros(slotLength);
        this.slotMask = capacity / slotLength - 1;
        this.maxMessageLength = maxMessageLength;
        this.maxFragmentedLength = maxFragmentedLength;
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
            // Opaque re-read after the fence: unchanged and even means no store of the pair overlapped the reads.
            if ((version & 1) == 0 && version == (long) SNAPSHOT_VERSION.getOpaque(this)) {
                return new long[] {cursor, count};
            }
            Thread.onSpinWait(); // the writer is between the two stores: a few nanoseconds
        }
    }

    /**
     * Messages that start from slot sequence {@code after + 1} to the record ending at {@code last} (DATA
     * records and first fragments), walked over this
     * ring's record headers (the publisher's own memory, still held by the subscribers' gating). Another
     * process may have written into it: every header is validated.
     */
    long countData(long after, long last) {
        long count = 0;
        long sequence = after + 1;
        while (sequence <= last) {
            int index = (int) (sequence & slotMask) << slotShift;
            int recordOffset = slotsBase + index;
            int length = slots.getInt(recordOffset + RecordDescriptor.LENGTH_OFFSET);
            int typeCheck = slots.getInt(recordOffset + RecordDescriptor.TYPE_CHECK_OFFSET);
            if (RecordDescriptor.check(typeCheck) != RecordDescriptor.expectedCheck(sequence) || length < 0
                || length > (wraps ? capacity / 2 : capacity - index) - HEADER_LENGTH) {
                throw new CorruptSectionException(channel + ".ring", recordOffset, "record at seq " + sequence
                    + " (length " + length + ", type/check 0x" + Integer.toHexString(typeCheck)
                    + ") is not the one this publisher wrote");
            }
            int type = RecordDescriptor.type(typeCheck);
            if (type == RecordDescriptor.TYPE_DATA || type == RecordDescriptor.TYPE_FRAGMENT
                && length >= RecordDescriptor.FRAGMENT_HEADER_LENGTH
                && slots.getInt(recordOffset + HEADER_LENGTH + RecordDescriptor.FRAGMENT_OFFSET_OFFSET) == 0) {
                count++; // a message starts here: a DATA record, or the first fragment of one
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

    /**
     * While on, DATA records (and their padding and fragments) are written but not published: the
     * Disruptor's batch publish, one release store of the cursor and one wake check for the whole batch
     * at {@link #flush}. A wait for space publishes what was written first, so the readers can free it.
     */
    void deferring(boolean on) {
        deferring = on;
    }

    /** Publishes the records written since the last publication, if any: one cursor store, one wake check. */
    void flush() {
        long last = pendingLast;
        if (last >= 0) {
            pendingLast = -1;
            publishUpTo(last, false);
        }
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
        return writeData(codec, value, deadlineNs, 0L);
    }

    /**
     * As {@link #writeData(Codec, Object, long)}, waiting for space at most {@code sliceNs} from the moment a
     * wait starts: the clock is read only when the ring is full, never per message.
     */
    <T> long writeDataWithin(Codec<T> codec, T value, long sliceNs) throws AlertException {
        return writeData(codec, value, 0L, sliceNs);
    }

    /** {@code sliceNs > 0}: the deadline is that long after the first wait starts; else {@code deadlineNs}. */
    private <T> long writeData(Codec<T> codec, T value, long deadlineNs, long sliceNs) throws AlertException {
        if (fragmentedValue != null) {
            if (fragmentedValue == value) {
                return writeFragments(deadlineNs, sliceNs); // taken up again after a wait for space ended
            }
            fragmentedValue = null; // abandoned (the channel stopped): only a new message comes after it
        }
        return write(RecordDescriptor.TYPE_DATA, codec, value, maxMessageLength, deadlineNs, sliceNs);
    }

    /** Encodes {@code value} into the scratch buffer, growing it up to the max fragmented length. */
    private <T> void encodeForFragments(Codec<T> codec, T value) {
        int size = scratch == null ? Math.min(maxFragmentedLength, Math.max(1 << 16, 2 * maxMessageLength))
            : scratch.capacity();
        while (true) {
            if (scratch == null || scratch.capacity() < size) {
                scratch = ByteBuffer.allocate(size).order(ByteOrder.nativeOrder());
            }
            scratch.clear();
            try {
                codec.encode(value, scratch);
                break;
            } catch (BufferOverflowException e) {
                if (size >= maxFragmentedLength) {
                    throw new MessageTooLargeException(channel, measure(codec, value), maxFragmentedLength);
                }
                size = (int) Math.min(maxFragmentedLength, 2L * size);
            }
        }
        scratch.flip();
        fragmentedValue = value;
        fragmentedLength = scratch.remaining();
        fragmentedOffset = 0;
    }

    /** Writes the rest of the message in the scratch buffer as FRAGMENT records; returns the first one's sequence. */
    private long writeFragments(long deadlineNs, long sliceNs) throws AlertException {
        int pieceMax = maxMessageLength - RecordDescriptor.FRAGMENT_HEADER_LENGTH;
        long first = -1;
        while (fragmentedOffset < fragmentedLength) {
            int piece = Math.min(pieceMax, fragmentedLength - fragmentedOffset);
            lastFragment = fragmentedOffset + piece == fragmentedLength;
            long sequence = write(RecordDescriptor.TYPE_FRAGMENT, fragmentCodec, piece, maxMessageLength, deadlineNs,
                sliceNs);
            first = first < 0 ? sequence : first;
            fragmentedOffset += piece;
        }
        fragmentedValue = null;
        return first;
    }

    /** Writes one piece of the scratch buffer: total length, offset, then the piece of {@code length} bytes. */
    private final Codec<Integer> fragmentCodec = new Codec<>() {
        @Override
        public String name() {
            return "fragment";
        }

        @Override
        public void encode(Integer piece, ByteBuffer window) {
            window.putInt(fragmentedLength).putInt(fragmentedOffset);
            window.put(scratch.slice(fragmentedOffset, piece));
        }

        @Override
        public Integer decode(ByteBuffer window) {
            throw new UnsupportedOperationException("fragments are reassembled by RingReader");
        }
    };

    /**
     * Writes a record of {@code type} whose payload is {@code payload} (COMPLETE: empty; ERROR: encoded error)
     * and records its sequence in the header, so that a subscriber joining after the end can read it.
     */
    long writeSignal(int type, byte[] payload, long deadlineNs) throws AlertException {
        return writeSignal(type, payload, deadlineNs, 0L);
    }

    /** As {@link #writeSignal(int, byte[], long)}, waiting for space at most {@code sliceNs} once a wait starts. */
    long writeSignalWithin(int type, byte[] payload, long sliceNs) throws AlertException {
        return writeSignal(type, payload, 0L, sliceNs);
    }

    private long writeSignal(int type, byte[] payload, long deadlineNs, long sliceNs) throws AlertException {
        long sequence = write(type, Codecs.bytes(), payload, RecordDescriptor.maxErrorLength(capacity), deadlineNs,
            sliceNs);
        // Release: the record is complete for a subscriber that reads this sequence with acquire.
        ShmSequence.LONG.setRelease(section, RingDescriptor.TERMINAL_SEQUENCE_OFFSET, sequence);
        return sequence;
    }

    private <T> long write(int type, Codec<T> codec, T value, int maxPayloadLength, long deadlineNs, long sliceNs)
        throws AlertException {
        final int maxRecordLength = HEADER_LENGTH + maxPayloadLength;
        boolean deadlineSet = sliceNs <= 0;
        while (true) {
            long sequence = sequencer.nextValue() + 1;
            int index = (int) (sequence & slotMask) << slotShift;
            int toEnd = wraps ? maxRecordLength : capacity - index; // double mapped: the end is no boundary
            long free = sequencer.freeSlots() << slotShift;
            int limit = (int) Math.min(Math.min(toEnd, free), maxRecordLength);
            if (limit >= HEADER_LENGTH) {
                int payloadOffset = slotsBase + index + HEADER_LENGTH;
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
                if (type == RecordDescriptor.TYPE_DATA && maxFragmentedLength > maxMessageLength) {
                    encodeForFragments(codec, value);
                    return writeFragments(deadlineNs, sliceNs);
                }
                throw new MessageTooLargeException(channel, measure(codec, value), maxPayloadLength);
            } else if (toEnd < maxRecordLength && toEnd <= free) {
                publish(RecordDescriptor.TYPE_PADDING, sequence, index, toEnd - HEADER_LENGTH);
            } else {
                flush(); // the readers free space only from what they can see
                if (Thread.currentThread() == burstThread) {
                    waker.settle(); // a reader must not sleep on records already published while this one waits
                }
                if (!deadlineSet) {
                    deadlineNs = System.nanoTime() + sliceNs; // the first wait of this write starts the slice
                    deadlineSet = true;
                }
                int wanted = Math.min(toEnd, maxRecordLength);
                sequencer.awaitFree((wanted + (1 << slotShift) - 1) >>> slotShift, deadlineNs);
            }
        }
    }

    private long publish(int type, long sequence, int index, int payloadLength) {
        int recordSlots = (HEADER_LENGTH + payloadLength + (1 << slotShift) - 1) >>> slotShift;
        int recordOffset = slotsBase + index;
        // Plain stores: ordered before the reader's view by the cursor's release store (publishUpTo).
        slots.putInt(recordOffset + LENGTH_OFFSET, payloadLength);
        slots.putInt(recordOffset + TYPE_CHECK_OFFSET, RecordDescriptor.typeCheck(type, sequence));
        long last = sequence + recordSlots - 1;
        sequencer.claim(last);
        if (type == RecordDescriptor.TYPE_DATA || type == RecordDescriptor.TYPE_FRAGMENT && lastFragment) {
            messageOpen = false;
            publishedCount++;
        } else if (type == RecordDescriptor.TYPE_FRAGMENT) {
            messageOpen = true;
        }
        boolean signal = type == RecordDescriptor.TYPE_COMPLETE || type == RecordDescriptor.TYPE_ERROR;
        if (deferring && !signal) {
            pendingLast = last; // published with the rest of the batch
        } else {
            pendingLast = -1;
            publishUpTo(last, signal); // publishes any deferred records before this one too
        }
        return sequence;
    }

    /**
     * Publishes every record claimed up to slot {@code last}, then wakes a reader that announced it sleeps: on the
     * burst thread, for a DATA record, with the check without a fence ({@link Waker#wakeIfSeenParked()}), which that
     * thread settles before it waits ({@link Waker#settle()}).
     */
    private void publishUpTo(long last, boolean signal) {
        sequencer.publish(last);
        // Release: a reader that sees this count also sees the records (statistics and demand accounting).
        published.set(publishedCount);
        // A subscriber that starts after this record misses an open fragmented message too: count it.
        storeSnapshot(last, publishedCount + (messageOpen ? 1 : 0));
        if (!signal && Thread.currentThread() == burstThread) {
            waker.wakeIfSeenParked();
        } else {
            waker.wakeIfParked();
        }
    }

    /**
     * The thread that writes in bursts it ends itself (the conductor, running a synchronous upstream inside its
     * {@code request}): set before that thread starts. Its records take the wake check without a fence.
     */
    void burstThread(Thread thread) {
        burstThread = thread;
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
