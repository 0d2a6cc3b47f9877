package io.aperture.internal.ring;

import io.aperture.CorruptSectionException;
import io.aperture.internal.section.OwnRingSection;
import io.aperture.internal.section.RingDescriptor;
import io.aperture.internal.section.RingHeader;
import io.aperture.internal.section.SubscriberLink;
import io.aperture.internal.section.SubscriberTable;
import io.aperture.internal.section.TerminalState;

import java.nio.ByteBuffer;
import java.util.function.BooleanSupplier;

/**
 * The publisher's checks that nobody else wrote into its ring, run by the conductor once a liveness interval. The
 * publisher is the ring's only writer, so a header, cursor, subscriber-table word or terminal state other than what
 * it stored, or a record it committed that reads uncommitted, was written by another process: each ends the channel
 * with a {@link CorruptSectionException} that names the word. A value that may still be on its way (the writer stores
 * the cursor a few instructions before the position the check compares it with) is taken for corruption only when it
 * is seen twice.
 */
public final class OwnRingAudit {
    private final OwnRingSection ring;
    private final ByteBuffer section;
    private final RingWriter writer;
    private final BooleanSupplier endingOrEnded;
    private final int slotMask;
    private final int slotLength;
    /** A cursor ahead of the writer's position at the last check, or MIN_VALUE. */
    private long suspectCursor = Long.MIN_VALUE;

    /**
     * @param endingOrEnded whether a terminal state in the ring may be the publisher's own (it is ending the ring, or
     *                      its stream or session ended)
     */
    public OwnRingAudit(OwnRingSection ring, RingWriter writer, int slotCount, int slotLength,
                        BooleanSupplier endingOrEnded) {
        this.ring = ring;
        this.section = ring.buffer();
        this.writer = writer;
        this.slotMask = slotCount - 1;
        this.slotLength = slotLength;
        this.endingOrEnded = endingOrEnded;
    }

    /**
     * The header, the cursor (other than the writer's lazy position: behind it, or seen twice ahead of it), the table
     * entries of {@code admitted} and the terminal state (set while the publisher runs).
     *
     * @throws CorruptSectionException naming the word another process wrote
     */
    public void verifyRing(SubscriberLink[] admitted) {
        ring.verifyHeader();
        long position = writer.snapshot()[0];
        // Acquire, after the pair: the cursor the writer stored with this pair or a later one.
        long cursorNow = RingHeader.cursor(section);
        if (cursorNow != position) {
            if (cursorNow < position || cursorNow == suspectCursor) {
                throw new CorruptSectionException(ring.name(), RingDescriptor.CURSOR_OFFSET,
                    "cursor " + cursorNow + " != " + position + " stored by this publisher: overwritten by another process");
            }
            suspectCursor = cursorNow;
        } else {
            suspectCursor = Long.MIN_VALUE;
        }
        for (SubscriberLink link : admitted) {
            verifyEntry(link);
        }
        int terminal = RingHeader.terminalState(section);
        // The state first, then whether it may be ours: the publisher says it is ending before it stores the state.
        if (terminal != TerminalState.OPEN && !endingOrEnded.getAsBoolean()) {
            throw new CorruptSectionException(ring.name(), RingDescriptor.TERMINAL_OFFSET,
                "terminal state " + terminal + " set while this publisher runs: written by another process");
        }
    }

    /**
     * The record a subscriber reads next, when this publisher committed it, must read committed: a header that
     * another process zeroed would leave the subscriber waiting for it while this publisher waits for that
     * subscriber. Seen twice at the same consumed value (the commit may be a few instructions away after the
     * committed position is stored), it is corruption.
     *
     * @throws CorruptSectionException naming the record's slot
     */
    public void verifyNextCommitted(SubscriberLink link) {
        long consumed = link.consumed.get();
        if (consumed == SubscriberLink.NOT_STARTED || consumed >= writer.committed() || writer.committedAt(consumed + 1)) {
            link.suspectUncommitted = SubscriberLink.NOT_STARTED;
            return;
        }
        if (link.suspectUncommitted == consumed) {
            throw new CorruptSectionException(ring.name(), RingDescriptor.SLOTS_OFFSET
                + ((consumed + 1) & slotMask) * slotLength,
                "record at seq " + (consumed + 1) + " that this publisher committed (up to seq " + writer.committed()
                + ") reads uncommitted: its header was zeroed by another process");
        }
        link.suspectUncommitted = consumed;
    }

    /** An admitted subscriber's table entry holds what this publisher wrote there (it is dropped only when retired). */
    private void verifyEntry(SubscriberLink link) {
        long[] expected = {link.subscriberId, link.start(), link.base(), 0L};
        for (int word = 0; word < SubscriberTable.WORDS; word++) {
            // Acquire (in word): a dropped word seen here orders after the writer's endReason store (stored first).
            long value = SubscriberTable.word(section, link.index, word);
            if (value != expected[word] && link.endReason == null) {
                throw new CorruptSectionException(ring.name(), SubscriberTable.wordOffset(link.index, word),
                    "subscriber table word " + value + " != " + expected[word]
                    + " written by this publisher: overwritten by another process");
            }
        }
    }
}
