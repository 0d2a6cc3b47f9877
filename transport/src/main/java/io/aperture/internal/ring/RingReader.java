package io.aperture.internal.ring;

import com.lmax.disruptor.Sequence;
import io.aperture.ApertureException;
import io.aperture.CorruptSectionException;
import io.aperture.internal.section.DoubleMapping;
import io.aperture.internal.section.RecordDescriptor;
import io.aperture.internal.section.RingDescriptor;
import io.aperture.internal.section.SectionFaults;
import io.aperture.internal.section.ShmSequence;
import io.aperture.internal.section.SubscriberDescriptor;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.zip.CRC32C;

import static io.aperture.internal.section.RecordDescriptor.HEADER_LENGTH;

/**
 * The subscriber's record walk over a read-only ring section (layout 3.0), in the style of Agrona's ring
 * buffer {@code read}: from its own position, the reader acquire-loads the header word of the record it
 * expects next; zero means "not committed yet" and ends the batch; a committed header is validated
 * ({@link RecordCheck}), the record handed to the handler, and the walk goes on after it. The shared
 * {@code consumed} word, which the publisher gates on, is stored once per batch, with release. The reader
 * never reads the publisher's cursor: the only cache lines that move per record are the record's own.
 *
 * <p>Every value read from the ring is validated before use; a violation raises {@link CorruptSectionException}
 * and nothing past the bad value is read. A batch ends after at most a quarter of the ring (or when the handler
 * returns false: the subscriber session ends one that ran a millisecond behind a slow downstream), so the publisher
 * regains space while a fast reader keeps up with a fast writer.
 */
public final class RingReader {
    /** What the reader found; returning false from {@link #onData} ends the current batch. */
    public interface RecordHandler {
        boolean onData(ByteBuffer window, long sequence) throws Exception;

        void onComplete();

        void onError(String remoteClassName, String remoteMessage);
    }

    private final String sectionName;
    /** The section, or this reader's double mapping of it (the slot area at {@code SLOTS_OFFSET}, and again after it). */
    private final ByteBuffer slots;
    private final int slotsBase;
    /** Records that run past the end are contiguous in {@link #slots} (this reader double-maps too). */
    private final boolean contiguous;
    /** For a wrapping record when this reader does not double-map: its payload copied in one piece. */
    private ByteBuffer joined;
    private final ByteBuffer window;
    private final int capacity;
    private final int slotShift;
    private final int slotMask;
    /** Slots one poll reads at most before it stores {@code consumed}. */
    private final int batchSlots;
    private final RecordCheck check;
    private final Sequence consumed;
    /** The handler of the poll under way. */
    private RecordHandler currentHandler;
    /** What this reader last stored in {@code consumed}: the last slot of the last record it read. */
    private long expectedConsumed;
    /** Slot sequence of the next record to read. */
    private long nextRecord;
    private boolean terminated;
    /** The wait condition of the drain thread: {@link #nextRecord} once its header is committed. */
    private final Sequence committed = new Sequence() {
        @Override
        public long get() {
            long next = nextRecord;
            return headerAt(next) != RecordDescriptor.UNCOMMITTED ? next : next - 1;
        }
    };

    // Fragmented messages: the publisher's bound (from its header), this subscriber's own bound, and the
    // message being assembled. Pieces of a message started before this reader's first record are skipped.
    private int maxFragmentedLength;
    private int maxAssembledLength;
    private ByteBuffer assembly;
    /** Records end with a CRC32C of their payload ({@link #checksums(boolean)}). */
    private boolean checksums;
    private final CRC32C crc = new CRC32C();
    /** A read-only view of the slots for the checksum; the window given to codecs is left as it is. */
    private ByteBuffer crcView;
    private final byte[] crcScratch = new byte[4096];
    private boolean assembling;
    private int assemblyTotal;
    private long assemblyFirst;
    private boolean atStart = true;

    public RingReader(String sectionName, ByteBuffer section, Sequence consumed, int capacity, int slotLength,
               int maxMessageLength) {
        this(sectionName, section, false, null, consumed, capacity, slotLength, maxMessageLength);
    }

    /**
     * @param wrapping     the publisher double-maps its slot area: a record may run past the end
     * @param doubleMapped this reader's own double mapping of the section ({@link DoubleMapping}), or null: a
     *                     record that runs past the end is then copied into one piece (the copy path)
     */
    public RingReader(String sectionName, ByteBuffer section, boolean wrapping, ByteBuffer doubleMapped, Sequence consumed,
               int capacity, int slotLength, int maxMessageLength) {
        this.sectionName = sectionName;
        this.contiguous = doubleMapped != null;
        this.slots = contiguous ? doubleMapped : section;
        this.slotsBase = RingDescriptor.SLOTS_OFFSET;
        this.window = slots.asReadOnlyBuffer().order(ByteOrder.nativeOrder());
        this.capacity = capacity;
        this.slotShift = Integer.numberOfTrailingZeros(slotLength);
        int slotCount = capacity / slotLength;
        this.slotMask = slotCount - 1;
        this.batchSlots = Math.max(1, slotCount / 4);
        this.check = new RecordCheck(sectionName, capacity, slotLength, maxMessageLength, wrapping);
        this.consumed = consumed;
        this.expectedConsumed = consumed.get();
        this.nextRecord = expectedConsumed + 1;
    }

    /**
     * Accepts FRAGMENT records of messages up to {@code publisherMax} bytes (the ring header's bound; above
     * it a piece is corrupt), and assembles those up to {@code ownMax} (above it the message is refused with
     * a clear error). Without this call a FRAGMENT record is corrupt.
     */
    public RingReader fragments(int publisherMax, int ownMax) {
        this.maxFragmentedLength = publisherMax;
        this.maxAssembledLength = ownMax;
        return this;
    }

    /**
     * Delivers committed records to {@code handler} until it returns false, a terminal record is read, the
     * next record is not committed, or a quarter of the ring was read; then stores {@code consumed} once.
     *
     * @return whether any record was read
     */
    public boolean poll(RecordHandler handler) throws Exception {
        // Acquire load of our own word: only this reader writes it, so another value was written by another
        // process, and reading on from it would skip or repeat records.
        long value = consumed.get();
        if (value != expectedConsumed) {
            throw new CorruptSectionException("the subscriber's own section", SubscriberDescriptor.CONSUMED_OFFSET,
                "consumed " + value + " != " + expectedConsumed + " stored by this reader: moved by another process");
        }
        currentHandler = handler;
        long first = nextRecord;
        try {
            while (!terminated && nextRecord - first < batchSlots) {
                long sequence = nextRecord;
                int index = (int) (sequence & slotMask) << slotShift;
                // Acquire: pairs with the writer's release store of this header; the payload below is complete.
                long header = headerAt(sequence);
                if (header == RecordDescriptor.UNCOMMITTED) {
                    break;
                }
                long last = check.lastSlot(header, sequence, index);
                if (last - value > slotMask) {
                    // The writer is gated by the consumed value stored: it never writes a ring (less the headroom) past it.
                    throw check.corrupt(index, "record of " + (last - sequence + 1) + " slots at seq " + sequence
                        + " ends more than " + slotMask + " slots after consumed " + value);
                }
                if (!handle(RecordDescriptor.type(header), sequence, index, RecordDescriptor.length(header), last)) {
                    break;
                }
            }
        } finally {
            if (nextRecord != first) {
                expectedConsumed = nextRecord - 1;
                // Release, once per batch: the publisher may overwrite these slots once it acquires this value.
                consumed.set(expectedConsumed);
            }
        }
        return nextRecord != first;
    }

    /** The header word of the record at {@code sequence}, acquire-loaded; {@link RecordDescriptor#UNCOMMITTED} if none. */
    private long headerAt(long sequence) {
        int index = (int) (sequence & slotMask) << slotShift;
        // Acquire: pairs with the writer's release store of the header (the commit).
        return (long) ShmSequence.LONG.getAcquire(slots, slotsBase + index);
    }

    /** The value this reader last stored in {@code consumed}. */
    public long expectedConsumed() {
        return expectedConsumed;
    }

    public boolean terminated() {
        return terminated;
    }

    /** Slot sequence of the next record to read. */
    public long nextRecord() {
        return nextRecord;
    }

    /** The drain thread's wait condition: reaches {@link #nextRecord()} once that record is committed. */
    public Sequence committed() {
        return committed;
    }

    /** True when the next record is committed (it may be PADDING). */
    public boolean hasUnread() {
        return headerAt(nextRecord) != RecordDescriptor.UNCOMMITTED;
    }

    /**
     * Type of the next committed record, after any PADDING (which needs no demand and is stepped over),
     * else -1. Used while there is no demand, to deliver a terminal record (which needs none) without
     * consuming a DATA record (which does).
     */
    public int peekNextType() {
        while (true) {
            long sequence = nextRecord;
            int index = (int) (sequence & slotMask) << slotShift;
            long header = headerAt(sequence);
            if (header == RecordDescriptor.UNCOMMITTED) {
                return -1;
            }
            long last = check.lastSlot(header, sequence, index);
            int type = RecordDescriptor.type(header);
            if (type != RecordDescriptor.TYPE_PADDING) {
                return type;
            }
            nextRecord = last + 1; // consumed moves past it with the next batch
        }
    }

    /**
     * Checks the records' payload checksums (the ring header's {@code FLAG_PAYLOAD_CHECKSUM}): each DATA, FRAGMENT and
     * ERROR record then ends with a CRC32C of the bytes before it.
     */
    public RingReader checksums(boolean on) {
        checksums = on;
        crcView = on ? slots.asReadOnlyBuffer().order(ByteOrder.nativeOrder()) : null;
        return this;
    }

    /** The payload's length without its checksum, once the checksum matched. */
    private int checked(int type, int index, int length, long sequence) {
        if (!checksums || type == RecordDescriptor.TYPE_PADDING || type == RecordDescriptor.TYPE_COMPLETE) {
            return length;
        }
        if (length < RingDescriptor.CHECKSUM_LENGTH) {
            throw check.corrupt(index, "record at seq " + sequence + " of " + length + " bytes has no room for its "
                + RingDescriptor.CHECKSUM_LENGTH + "-byte payload checksum");
        }
        int data = length - RingDescriptor.CHECKSUM_LENGTH;
        ByteBuffer payload = payload(index, length);
        int start = payload.position();
        crc.reset();
        if (payload == window) {
            // Through the heap: CRC32C over mapped memory runs in a stub whose fault crashes the JVM (SectionFaults).
            SectionFaults.update(crc, crcView, start, start + data, crcScratch);
        } else {
            crc.update(payload.duplicate().limit(start + data)); // the copy path's joined buffer (rare, on the heap)
        }
        int stored = payload.getInt(start + data);
        int computed = (int) crc.getValue();
        if (stored != computed) {
            throw check.corrupt(index, "payload checksum 0x" + Integer.toHexString(stored) + " of the record at seq "
                + sequence + " (" + data + " bytes) != 0x" + Integer.toHexString(computed)
                + " computed: its payload was changed by another process");
        }
        return data;
    }

    /** Handles one validated record; returns whether the batch goes on. */
    private boolean handle(int type, long sequence, int index, int length, long last) throws Exception {
        length = checked(type, index, length, sequence);
        switch (type) {
            case RecordDescriptor.TYPE_DATA:
                if (assembling) {
                    throw check.corrupt(index, "DATA record at seq " + sequence + " inside the fragmented message "
                        + "that started at seq " + assemblyFirst);
                }
                atStart = false;
                nextRecord = last + 1;
                return currentHandler.onData(payload(index, length), sequence);
            case RecordDescriptor.TYPE_FRAGMENT:
                ByteBuffer whole = fragment(index, payload(index, length), sequence);
                nextRecord = last + 1; // only once valid: a corrupt piece is reported again by the next poll
                return whole == null || currentHandler.onData(whole, assemblyFirst);
            case RecordDescriptor.TYPE_PADDING:
                nextRecord = last + 1;
                return true;
            case RecordDescriptor.TYPE_COMPLETE:
                nextRecord = last + 1;
                terminated = true;
                currentHandler.onComplete();
                return false;
            default: // TYPE_ERROR: the only other type RecordCheck lets through
                decodeError(index, payload(index, length), sequence, last);
                return false;
        }
    }

    /**
     * Validates a FRAGMENT record and copies its piece into the assembly buffer; returns the whole message
     * (a read-only view) with its last piece, else null.
     */
    private ByteBuffer fragment(int index, ByteBuffer payload, long sequence) {
        if (maxFragmentedLength == 0) {
            throw check.corrupt(index, "FRAGMENT record at seq " + sequence + " on a ring that carries no fragments");
        }
        int start = payload.position();
        int pieceLength = payload.remaining() - RecordDescriptor.FRAGMENT_HEADER_LENGTH;
        int total = pieceLength < 1 ? 0 : payload.getInt(start + RecordDescriptor.FRAGMENT_TOTAL_OFFSET);
        int offset = pieceLength < 1 ? 0 : payload.getInt(start + RecordDescriptor.FRAGMENT_OFFSET_OFFSET);
        if (pieceLength < 1 || total <= 0 || total > maxFragmentedLength || offset < 0 || offset > total - pieceLength) {
            throw check.corrupt(index, "FRAGMENT record at seq " + sequence + " with total " + total + ", offset "
                + offset + " and piece " + pieceLength + " (max fragmented message length " + maxFragmentedLength + ")");
        }
        if (!assembling) {
            if (offset != 0) {
                if (atStart) {
                    return null; // the rest of a message that started before this subscriber: not ours
                }
                throw check.corrupt(index, "FRAGMENT at offset " + offset + " (seq " + sequence
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
            throw check.corrupt(index, "FRAGMENT at seq " + sequence + " with total " + total + " and offset " + offset
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

    private void decodeError(int index, ByteBuffer payload, long sequence, long last) {
        ErrorRecord error = ErrorRecord.decode(payload, detail -> check.corrupt(index, detail + " at seq " + sequence));
        // Read only once valid: a corrupt ERROR record is reported again by the next poll, never skipped as read.
        nextRecord = last + 1;
        terminated = true;
        currentHandler.onError(error.className, error.message);
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
}
