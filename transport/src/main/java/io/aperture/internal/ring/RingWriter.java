package io.aperture.internal.ring;

import com.lmax.disruptor.AlertException;
import io.aperture.Codec;
import io.aperture.Codecs;
import io.aperture.MessageTooLargeException;
import io.aperture.internal.section.DoubleMapping;
import io.aperture.internal.section.RecordDescriptor;
import io.aperture.internal.section.RingDescriptor;
import io.aperture.internal.section.SectionFaults;
import io.aperture.internal.section.ShmSequence;
import io.aperture.internal.section.SubscriberDescriptor;
import io.aperture.internal.waiting.Waker;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.BufferOverflowException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.zip.CRC32C;

import static io.aperture.internal.section.RecordDescriptor.HEADER_LENGTH;

/**
 * The publisher's record protocol over a ring section (layout 3.0), for the single producer thread:
 * <ol>
 *   <li>claim the free, contiguous space after the last record (never past the ring end);</li>
 *   <li>let the codec encode in place, bounded by that space and the maximum message length;</li>
 *   <li>zero the header word of the slot after the record (plain), so a reader that gets there first
 *       finds it uncommitted;</li>
 *   <li>commit: store the record's header word with one release store.</li>
 * </ol>
 * Nothing else is stored in shared memory per record. The {@code cursor} and {@code published} words of the
 * ring are advanced lazily: at the end of a batch, before a wait for space, with a terminal record, and
 * otherwise once a quarter of the ring was written since the last time; they serve late joiners, liveness
 * and monitoring, which derive the exact end by walking the committed headers after them ({@link #latest()}).
 *
 * <p>A record that does not fit before the ring end is preceded by a PADDING record to the end and written
 * at index 0, so every record is contiguous and codecs never see a split window. When the slot area is
 * mapped twice back to back ({@link DoubleMapping}), a record simply runs on past the end into the second
 * view, contiguous in memory, and no padding is written.
 *
 * <p>A batch ({@link #deferring(boolean)}) commits as one: the headers of its records after the first are
 * stored plainly as they are written, and the first record's header is stored last, with release, at
 * {@link #flush()}; a reader, which stops at the first uncommitted header, sees all of the batch or none. Only the
 * slot after the batch must read uncommitted at that commit: the flush zeroes it, and the batch takes no run of
 * zeroing ahead.
 *
 * <p>A message longer than the max message length, when fragments are allowed, is encoded into a scratch
 * buffer and written as consecutive FRAGMENT records. The write can be taken up again after an
 * {@link AlertException} (ring full past the deadline): called again with the same value, it goes on with
 * the next fragment.
 */
public final class RingWriter {
    private final String channel;
    /** The section, or its double mapping (the slot area at {@code SLOTS_OFFSET}, and again after it). */
    private final ByteBuffer slots;
    private final int slotsBase;
    /** Records may run past the end of the slot area (double mapped). */
    private final boolean wraps;
    private final ByteBuffer window;
    private final RingSequencer sequencer;
    private final ShmSequence cursorWord;
    private final ShmSequence publishedWord;
    private final ShmSequence terminalSequenceWord;
    private final RecordCheck check;
    private final Waker waker;
    private final int capacity;
    private final int slotShift;
    private final int slotMask;
    private final int slotCount;
    /** The lazy position is advanced once this many slots were committed since it last was. */
    private final int positionInterval;
    private final int maxMessageLength;
    private final int maxFragmentedLength;
    private long publishedCount;
    /** Headers of the slots after the last claim up to this one read uncommitted (writer thread only). */
    private long zeroedUpTo = -1;
    /** Slots {@link #zeroAhead} zeroes in one run. */
    private static final int ZERO_AHEAD_SLOTS = 64;
    /** The last position stored in the shared cursor word. */
    private long lazyPosition = -1;

    // The message being written in fragments (writer thread only).
    private ByteBuffer scratch;
    private Object fragmentedValue;
    private int fragmentedLength;
    private int fragmentedOffset;
    private boolean lastFragment;
    /** A fragmented message has its first fragment written and not yet its last. */
    private boolean messageOpen;

    // A batch (writer thread only): records written while {@code deferring} are committed together by {@link #flush}.
    private boolean deferring;
    /** Buffer offset of the batch's first record, whose header commits the batch; -1: no batch open. */
    private int pendingOffset = -1;
    private long pendingHeader;
    /** DATA, FRAGMENT and ERROR records end with a CRC32C of their payload ({@link #checksums(boolean)}). */
    private boolean checksums;
    private final CRC32C crc = new CRC32C();
    /** A view of the slots for the checksum, so that the encoding window's position and limit stay as they are. */
    private ByteBuffer crcView;
    private final byte[] crcScratch = new byte[CRC_CHUNK];
    private static final int CRC_CHUNK = 4096;
    /** See {@link #burstThread(Thread)}; null: every record takes the full wake check. */
    private Thread burstThread;

    private static final VarHandle COMMITTED;
    private static final VarHandle SNAPSHOT_VERSION;
    /** Last slot of the last committed record; opaque store by the writer before the commit, read by the conductor. */
    @SuppressWarnings("unused") // accessed through COMMITTED
    private long committed = -1;

    // A seqlock over the lazy (position, messages started) pair, for the conductor: stored with the lazy
    // position only, never per record.
    @SuppressWarnings("unused") // accessed through SNAPSHOT_VERSION
    private long snapshotVersion;
    private long snapshotPosition = -1;
    private long snapshotCount;

    static {
        try {
            MethodHandles.Lookup lookup = MethodHandles.lookup();
            COMMITTED = lookup.findVarHandle(RingWriter.class, "committed", long.class);
            SNAPSHOT_VERSION = lookup.findVarHandle(RingWriter.class, "snapshotVersion", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    public RingWriter(String channel, ByteBuffer section, RingSequencer sequencer, int capacity, int slotLength,
               int maxMessageLength) {
        this(channel, section, null, sequencer, capacity, slotLength, maxMessageLength, 0,
            new Waker(section, RingDescriptor.WAKE_OFFSET, SubscriberDescriptor.PARKED_OFFSET));
    }

    /**
     * @param doubleMapped        the section with its slot area mapped twice ({@link DoubleMapping}), or null:
     *                            records then never wrap
     * @param maxFragmentedLength largest message written in FRAGMENT records; 0 for none
     */
    public RingWriter(String channel, ByteBuffer section, ByteBuffer doubleMapped, RingSequencer sequencer, int capacity,
               int slotLength, int maxMessageLength, int maxFragmentedLength, Waker waker) {
        this.channel = channel;
        this.waker = waker;
        this.wraps = doubleMapped != null;
        this.slots = wraps ? doubleMapped : section;
        this.slotsBase = RingDescriptor.SLOTS_OFFSET;
        this.window = slots.duplicate().order(ByteOrder.nativeOrder());
        this.sequencer = sequencer;
        this.cursorWord = new ShmSequence(section, RingDescriptor.CURSOR_OFFSET);
        this.publishedWord = new ShmSequence(section, RingDescriptor.PUBLISHED_OFFSET);
        this.terminalSequenceWord = new ShmSequence(section, RingDescriptor.TERMINAL_SEQUENCE_OFFSET);
        this.check = new RecordCheck(channel + ".ring", capacity, slotLength, maxMessageLength, wraps);
        this.capacity = capacity;
        this.slotShift = Integer.numberOfTrailingZeros(slotLength);
        this.slotCount = capacity / slotLength;
        this.slotMask = slotCount - 1;
        this.positionInterval = Math.max(1, slotCount / 4);
        this.maxMessageLength = maxMessageLength;
        this.maxFragmentedLength = maxFragmentedLength;
    }

    /**
     * The last slot of the last committed record, for another thread of this process (opaque: stored before
     * each commit, so a subscriber's {@code consumed} acquired after reading a record never exceeds it).
     */
    public long committed() {
        return (long) COMMITTED.getOpaque(this);
    }

    /**
     * The end of the committed records and the messages started up to it, {@code {position, count}}, read
     * from any thread while the caller holds the ring (a gating sequence no later than the lazy position):
     * the lazy pair, then a walk over the committed headers after it, each validated.
     */
    public long[] latest() {
        long[] lazy = snapshot();
        return check.walk(slots, lazy[0], lazy[1], Long.MAX_VALUE);
    }

    /**
     * Messages started after slot sequence {@code after} up to {@code last} (both record ends of this ring,
     * held by the caller's gating), walked over the committed headers.
     */
    public long countStarts(long after, long last) {
        long[] end = check.walk(slots, after, 0, last);
        if (end[0] != last) {
            throw check.corrupt((int) ((end[0] + 1) & slotMask) << slotShift, "walk from seq " + after
                + " stopped at seq " + end[0] + " short of seq " + last + " that this publisher committed");
        }
        return end[1];
    }

    /**
     * Whether the record starting at slot {@code sequence} reads committed (a non-zero header word), from any
     * thread: for the conductor's check that nobody uncommitted a record a subscriber waits for.
     */
    public boolean committedAt(long sequence) {
        // Acquire: a load of this process's own header word; ordering only against the caller's earlier loads.
        return (long) ShmSequence.LONG.getAcquire(slots, headerOffset(sequence))
            != RecordDescriptor.UNCOMMITTED;
    }

    /** The lazy pair {@code {position, messages started}} as one consistent pair, from any thread. */
    public long[] snapshot() {
        while (true) {
            // Acquire: the pair read below is at least as new as this version.
            long version = (long) SNAPSHOT_VERSION.getAcquire(this);
            long position = snapshotPosition;
            long count = snapshotCount;
            // LoadLoad: the pair is read before the version is read again.
            VarHandle.loadLoadFence();
            // Opaque re-read after the fence: unchanged and even means no store of the pair overlapped the reads.
            if ((version & 1) == 0 && version == (long) SNAPSHOT_VERSION.getOpaque(this)) {
                return new long[] {position, count};
            }
            Thread.onSpinWait(); // the writer is between the two stores: a few nanoseconds
        }
    }

    /**
     * Advances the lazy position to {@code last}: the shared {@code cursor} and {@code published} words, then
     * the conductor's pair. Every record up to {@code last} is committed.
     */
    private void advancePosition(long last) {
        lazyPosition = last;
        // Release: statistics and late joiners; the records up to it were committed (released) before.
        cursorWord.set(last);
        // Release: statistics for tools; no decision depends on it.
        publishedWord.set(publishedCount);
        long version = (long) SNAPSHOT_VERSION.get(this);
        // Opaque, then StoreStore: a reader that sees the new pair also sees the odd version.
        SNAPSHOT_VERSION.setOpaque(this, version + 1);
        VarHandle.storeStoreFence();
        snapshotPosition = last;
        // A subscriber that starts after this record misses an open fragmented message too: count it.
        snapshotCount = publishedCount + (messageOpen ? 1 : 0);
        // Release: the pair is visible before the even version that vouches for it.
        SNAPSHOT_VERSION.setRelease(this, version + 2);
    }

    public long publishedCount() {
        return publishedCount;
    }

    /**
     * While on, DATA records (and their padding and fragments) are written but not committed: the batch
     * commits as one at {@link #flush}, with one release store and one wake check. A wait for space commits
     * what was written first, so the readers can free it.
     */
    public void deferring(boolean on) {
        deferring = on;
    }

    /** Commits the batch written since the last commit, if any, and advances the lazy position: the batch's end. */
    public void flush() {
        if (pendingOffset >= 0) {
            commitBatch(false);
        }
        long last = sequencer.nextValue();
        if (last != lazyPosition) {
            advancePosition(last);
        }
    }

    public int maxMessageLength() {
        return maxMessageLength;
    }

    /**
     * Encodes {@code value} as a DATA record and commits it.
     *
     * @throws AlertException when waiting for space was ended by the channel's stop condition or deadline
     * @throws MessageTooLargeException when the value does not fit in the maximum message length
     */
    public <T> long writeData(Codec<T> codec, T value, long deadlineNs) throws AlertException {
        return writeData(codec, value, deadlineNs, 0L);
    }

    /**
     * As {@link #writeData(Codec, Object, long)}, waiting for space at most {@code sliceNs} from the moment a
     * wait starts: the clock is read only when the ring is full, never per message.
     */
    public <T> long writeDataWithin(Codec<T> codec, T value, long sliceNs) throws AlertException {
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
        int pieceMax = maxMessageLength - RecordDescriptor.FRAGMENT_HEADER_LENGTH
            - (checksums ? RingDescriptor.CHECKSUM_LENGTH : 0);
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
    public long writeSignal(int type, byte[] payload, long deadlineNs) throws AlertException {
        return writeSignal(type, payload, deadlineNs, 0L);
    }

    /** As {@link #writeSignal(int, byte[], long)}, waiting for space at most {@code sliceNs} once a wait starts. */
    public long writeSignalWithin(int type, byte[] payload, long sliceNs) throws AlertException {
        return writeSignal(type, payload, 0L, sliceNs);
    }

    private long writeSignal(int type, byte[] payload, long deadlineNs, long sliceNs) throws AlertException {
        long sequence = write(type, Codecs.bytes(), payload, RecordDescriptor.maxErrorLength(capacity), deadlineNs,
            sliceNs);
        // Release: the record is committed, and the cursor past it, for a subscriber that acquires this sequence.
        terminalSequenceWord.set(sequence);
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
            int reserve = checksums ? RingDescriptor.CHECKSUM_LENGTH : 0; // type is never PADDING here
            if (limit >= HEADER_LENGTH + reserve) {
                int payloadOffset = slotsBase + index + HEADER_LENGTH;
                window.order(ByteOrder.nativeOrder());
                window.limit(payloadOffset - HEADER_LENGTH + limit - reserve).position(payloadOffset);
                boolean fits;
                try {
                    codec.encode(value, window);
                    fits = true;
                } catch (BufferOverflowException e) {
                    fits = false;
                }
                if (fits) {
                    int end = window.position();
                    if (end < payloadOffset || window.limit() != payloadOffset - HEADER_LENGTH + limit - reserve) {
                        throw new IllegalStateException("codec '" + codec.name() + "' left the window at position "
                            + (end - payloadOffset) + " with limit " + (window.limit() - payloadOffset)
                            + "; it must only advance the position within the limit " + (limit - HEADER_LENGTH - reserve));
                    }
                    if (reserve != 0 && type != RecordDescriptor.TYPE_COMPLETE) {
                        end = appendChecksum(payloadOffset, end);
                    }
                    return publish(type, sequence, index, end - payloadOffset);
                }
            }
            if (maxRecordLength <= toEnd && maxRecordLength <= free) {
                if (type == RecordDescriptor.TYPE_DATA && maxFragmentedLength > maxMessageLength) {
                    encodeForFragments(codec, value);
                    return writeFragments(deadlineNs, sliceNs);
                }
                throw new MessageTooLargeException(channel, measure(codec, value), maxPayloadLength - reserve);
            } else if (toEnd < maxRecordLength && toEnd <= free) {
                publish(RecordDescriptor.TYPE_PADDING, sequence, index, toEnd - HEADER_LENGTH);
            } else {
                flush(); // the readers free space only from what they can see; monitors see the position
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

    /** Stores the CRC32C of the payload [{@code from}, {@code to}) after it (plain: committed with the record); returns the new end. */
    private int appendChecksum(int from, int to) {
        crc.reset();
        SectionFaults.update(crc, crcView, from, to, crcScratch); // through the heap: a fault must not crash (SectionFaults)
        crcView.putInt(to, (int) crc.getValue());
        return to + RingDescriptor.CHECKSUM_LENGTH;
    }

    private long publish(int type, long sequence, int index, int payloadLength) {
        long last = sequence + RecordDescriptor.slots(payloadLength, slotShift) - 1;
        boolean signal = type == RecordDescriptor.TYPE_COMPLETE || type == RecordDescriptor.TYPE_ERROR;
        // A record of a batch is committed with the batch: only the slot after the batch must read uncommitted then,
        // which commitBatch sees to. The batch's lines are stored once per lap: no zeroing ahead of them.
        boolean batched = deferring && !signal;
        if (!batched && last + 1 > zeroedUpTo) {
            zeroAhead(last + 1);
        }
        sequencer.claim(last);
        if (type == RecordDescriptor.TYPE_DATA || type == RecordDescriptor.TYPE_FRAGMENT && lastFragment) {
            messageOpen = false;
            publishedCount++;
        } else if (type == RecordDescriptor.TYPE_FRAGMENT) {
            messageOpen = true;
        }
        long header = RecordDescriptor.header(type, sequence, payloadLength);
        int recordOffset = slotsBase + index;
        if (pendingOffset >= 0) {
            // Plain: a record after the batch's first is committed with the batch, by the first one's header.
            slots.putLong(recordOffset, header);
            if (!deferring || signal) {
                commitBatch(signal);
            }
        } else if (batched) {
            pendingOffset = recordOffset; // the batch's commit, stored at its end
            pendingHeader = header;
        } else {
            commit(recordOffset, header, last, signal);
        }
        return sequence;
    }

    /**
     * Zeroes the header words of the free slots from {@code next} on, up to {@link #ZERO_AHEAD_SLOTS} of them and
     * never a slot a subscriber may still read (at most one ring after the cached gating minimum, which the
     * sequencer's headroom keeps {@code next} within). Plain stores, ordered before the reader's view by the next
     * commit's release: the slot after every committed record reads "uncommitted", so a reader that gets there finds
     * no header of an earlier lap. Done ahead, in a run, like Aeron's cleaning of a term before reuse: a reader
     * waiting at the slot after the newest record sees its line written once per run, not once per record. A batch's
     * records take no run: {@link #commitBatch} zeroes the one slot after the batch.
     */
    private void zeroAhead(long next) {
        long end = Math.min(next + ZERO_AHEAD_SLOTS - 1, sequencer.cachedGating() + slotCount);
        for (long sequence = next; sequence <= end; sequence++) {
            // Plain: see above.
            slots.putLong(headerOffset(sequence), RecordDescriptor.UNCOMMITTED);
        }
        zeroedUpTo = end;
    }

    /** Buffer offset of the header word of the slot at {@code sequence}. */
    private int headerOffset(long sequence) {
        return slotsBase + ((int) (sequence & slotMask) << slotShift);
    }

    /** Commits the open batch through its first header; every record claimed so far is in it. */
    private void commitBatch(boolean signal) {
        int offset = pendingOffset;
        pendingOffset = -1;
        long last = sequencer.nextValue();
        if (last + 1 > zeroedUpTo) {
            // Plain, ordered before the reader's view by the commit's release below: the slot after the batch reads
            // uncommitted. It is free: the sequencer's headroom keeps one slot after the last claim unread.
            slots.putLong(headerOffset(last + 1), RecordDescriptor.UNCOMMITTED);
            zeroedUpTo = last + 1;
        }
        commit(offset, pendingHeader, last, signal);
    }

    /**
     * Commits the record (or batch) whose first header is {@code header} at {@code offset} and whose last slot is
     * {@code last}, then wakes a reader that announced it sleeps: on the burst thread, for a DATA record, with the
     * check without a fence ({@link Waker#wakeIfSeenParked()}), which that thread settles before it waits
     * ({@link Waker#settle()}).
     */
    private void commit(int offset, long header, long last, boolean signal) {
        // Opaque, before the commit: a subscriber's consumed read after this record is never above it.
        COMMITTED.setOpaque(this, last);
        // Release: the payload, the next slot's zeroed header and a batch's later headers are visible before this
        // word, the commit.
        ShmSequence.LONG.setRelease(slots, offset, header);
        if (signal || last - lazyPosition >= positionInterval) {
            advancePosition(last);
        }
        if (!signal && Thread.currentThread() == burstThread) {
            waker.wakeIfSeenParked();
        } else {
            waker.wakeIfParked();
        }
    }

    /** Ends every DATA, FRAGMENT and ERROR record with a CRC32C of its payload (the ring header's checksum flag). */
    public void checksums(boolean on) {
        checksums = on;
        crcView = on ? window.duplicate().order(ByteOrder.nativeOrder()) : null;
    }

    /**
     * The thread that writes in bursts it ends itself (the conductor, running a synchronous upstream inside its
     * {@code request}): set before that thread starts. Its records take the wake check without a fence.
     */
    public void burstThread(Thread thread) {
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
