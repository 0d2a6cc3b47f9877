package io.aperture.internal.section;

import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;

import static io.aperture.internal.section.RingDescriptor.ENTRY_BASE_OFFSET;
import static io.aperture.internal.section.RingDescriptor.ENTRY_DROPPED_OFFSET;
import static io.aperture.internal.section.RingDescriptor.ENTRY_ID_OFFSET;
import static io.aperture.internal.section.RingDescriptor.ENTRY_START_OFFSET;
import static io.aperture.internal.section.RingDescriptor.entryOffset;

/**
 * The ring's subscriber table ({@link RingDescriptor#SUBSCRIBER_TABLE_OFFSET}), with the ordering of each access next
 * to its word, as the descriptors of {@code docs/layout.md} name them. The publisher writes an entry when it admits a
 * subscriber (start and base, then the id with a release store) and marks it dropped; subscribers and tools read it.
 * Every value read here comes from shared memory: callers validate it before use.
 */
public final class SubscriberTable {
    /** The words of one entry, in order, as {@link #word} reads them. */
    public static final int WORDS = RingDescriptor.SUBSCRIBER_ENTRY_LENGTH / Long.BYTES;

    /**
     * Publisher: admits subscriber {@code index} as {@code id}, to start after {@code start} with its demand counted
     * from {@code base}, not dropped.
     */
    public static void admit(ByteBuffer ring, int index, long id, long start, long base) {
        int entry = entryOffset(index);
        ring.putLong(entry + ENTRY_START_OFFSET, start);
        ring.putLong(entry + ENTRY_BASE_OFFSET, base);
        ring.putLong(entry + ENTRY_DROPPED_OFFSET, 0L);
        // Release: start, base and dropped are complete for the subscriber that acquires its id.
        ShmSequence.LONG.setRelease(ring, entry + ENTRY_ID_OFFSET, id);
    }

    /**
     * Publisher's writer: marks subscriber {@code index} dropped with a lag of {@code lagBytes} (not zero), before it
     * overwrites a slot that subscriber did not read.
     */
    public static void markDropped(ByteBuffer ring, int index, long lagBytes) {
        // Release, then StoreStore: the subscriber sees the drop before this thread overwrites a slot it did
        // not read; it checks the word after reading each record (LoadLoad), so it never delivers a torn one.
        ShmSequence.LONG.setRelease(ring, entryOffset(index) + ENTRY_DROPPED_OFFSET, lagBytes);
        VarHandle.storeStoreFence();
    }

    /** The id admitted at {@code index}: when it is the reader's own, the entry's other words are complete. */
    public static long admittedId(ByteBuffer ring, int index) {
        // Acquire: pairs with the publisher's release of the id; start and base are read after it.
        return (long) ShmSequence.LONG.getAcquire(ring, entryOffset(index) + ENTRY_ID_OFFSET);
    }

    /** The start of the entry at {@code index}; read after {@link #admittedId} named the reader. */
    public static long start(ByteBuffer ring, int index) {
        return ring.getLong(entryOffset(index) + ENTRY_START_OFFSET); // plain: ordered by the acquire of the id
    }

    /** The base of the entry at {@code index}; read after {@link #admittedId} named the reader. */
    public static long base(ByteBuffer ring, int index) {
        return ring.getLong(entryOffset(index) + ENTRY_BASE_OFFSET); // plain: ordered by the acquire of the id
    }

    /**
     * Subscriber, after each record: the dropped word, ordered after the record's loads; zero while it is served.
     */
    public static long droppedAfterRecord(ByteBuffer ring, int index) {
        // LoadLoad: the record just read (plain loads) is read before the word that says whether it was intact.
        VarHandle.loadLoadFence();
        // Opaque after the fence: ordered after the record's loads; pairs with the writer's release + StoreStore.
        return (long) ShmSequence.LONG.getOpaque(ring, entryOffset(index) + ENTRY_DROPPED_OFFSET);
    }

    /** The dropped word, for monitoring and for the publisher's own checks. */
    public static long dropped(ByteBuffer ring, int index) {
        // Acquire: the dropped word, released by the publisher before it overwrites unread slots.
        return (long) ShmSequence.LONG.getAcquire(ring, entryOffset(index) + ENTRY_DROPPED_OFFSET);
    }

    /** Word {@code word} (0 to {@link #WORDS} - 1: id, start, base, dropped) of the entry at {@code index}. */
    public static long word(ByteBuffer ring, int index, int word) {
        // Acquire: a dropped word seen here orders after what its writer stored before it.
        return (long) ShmSequence.LONG.getAcquire(ring, wordOffset(index, word));
    }

    /** The offset of word {@code word} of the entry at {@code index}, to name it in an exception. */
    public static int wordOffset(int index, int word) {
        return entryOffset(index) + Long.BYTES * word;
    }

    /** The offset of the dropped word of the entry at {@code index}, to name it in an exception. */
    public static int droppedOffset(int index) {
        return entryOffset(index) + ENTRY_DROPPED_OFFSET;
    }

    /** The offset of the start word of the entry at {@code index}, to name it in an exception. */
    public static int startOffset(int index) {
        return entryOffset(index) + ENTRY_START_OFFSET;
    }

    private SubscriberTable() {
    }
}
