package io.aperture.inspect;

import io.aperture.ApertureException;
import io.aperture.Codec;
import io.aperture.Codecs;
import io.aperture.CorruptSectionException;
import io.aperture.internal.ring.RecordCheck;
import io.aperture.internal.section.ChannelFiles;
import io.aperture.internal.section.MappedSection;
import io.aperture.internal.section.ProcessIdentity;
import io.aperture.internal.section.RecordDescriptor;
import io.aperture.internal.section.RingDescriptor;
import io.aperture.internal.section.RingHeader;
import io.aperture.internal.section.SectionPlatform;
import io.aperture.internal.section.ShmSequence;
import io.aperture.internal.section.SubscriberDescriptor;
import io.aperture.internal.section.SubscriberTable;
import io.aperture.internal.section.TerminalState;

import java.io.IOException;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;

/**
 * Follows the records of a channel as they are committed, without taking part in it: a tail never claims a
 * subscriber section and never writes anything, so the publisher neither waits for it nor knows of it, whatever
 * the channel's slow-subscriber policy. It maps the ring read-only and walks the committed record headers from the
 * exact end at the time it was opened (the reader walk of docs/layout.md §6.2, without the {@code consumed} store),
 * each header validated by the transport's {@code RecordCheck}.
 *
 * <p>Because nothing holds the publisher back, it may lap a tail that falls behind. A record is reported only when,
 * after its payload was copied out, its header still holds the same word and either the publisher's lazy position is
 * less than half a ring past it (the rule docs/layout.md §4.3 gives monitoring tools) or a live subscriber the
 * publisher gates on has not consumed it yet (the publisher overwrites no slot before that); otherwise, and whenever the record
 * expected next is gone (a header of another lap, or a zeroed one behind the lazy position), the tail reports a
 * {@link Missed} event with the count of messages it skipped and resynchronises at the publisher's lazy position.
 * It never reports a value read from a slot that was being overwritten as a message. A header that is invalid while
 * the publisher has not passed it is corruption: a {@link Corrupt} event, and the tail ends.
 *
 * <p>Messages are decoded by the codec named in the ring header when one of that name and schema id is known
 * ({@link Codecs#byName(String)}: the built-ins, and {@code CodecProvider} services on the class path); otherwise
 * {@link Message#value()} is null and the payload bytes are all there is.
 *
 * <p>Not thread-safe: one thread polls.
 */
public final class Tail implements AutoCloseable {
    /** What a {@link #poll} found. */
    public sealed interface Event permits Message, Missed, End, Corrupt {
    }

    /**
     * A message, in channel order.
     *
     * @param number        the message's position in the channel, counting from 0 (after a {@link Missed} event the
     *                      count resumes from the publisher's lazy published count)
     * @param sequence      the slot sequence of its (last) record
     * @param payload       the encoded bytes (a copy; without the payload checksum)
     * @param value         the decoded value, or null when no codec of the channel's name is known or decoding failed
     * @param decodeProblem null, or why the known codec could not decode the bytes
     */
    public record Message(long number, long sequence, byte[] payload, Object value, String decodeProblem)
        implements Event {
    }

    /**
     * The publisher lapped the tail: records between {@code fromSequence} and {@code toSequence} were overwritten
     * before they were read.
     *
     * @param messages     messages skipped, by the publisher's published count
     * @param fromSequence the first slot sequence not read
     * @param toSequence   the last slot sequence skipped (the publisher's lazy position); reading goes on after it
     */
    public record Missed(long messages, long fromSequence, long toSequence) implements Event {
    }

    /**
     * The channel ended: after a COMPLETE or ERROR record, or, without one, when its terminal state is CANCELLED,
     * CLOSED or unknown and nothing more was committed.
     *
     * @param terminalState the terminal state's name
     * @param error         the decoded error record when it ended with an error, else null
     */
    public record End(String terminalState, ChannelError error) implements Event {
    }

    /**
     * The ring failed validation; the tail reads nothing further.
     *
     * @param problem the file, offset and value that failed
     */
    public record Corrupt(String problem) implements Event {
    }

    private final MappedSection mapped;
    private final ByteBuffer ring;
    private final String name;
    private final RingHeader header;
    private final RecordCheck check;
    private final ProcessIdentity owner;
    private final Codec<?> codec;
    private final int slotCount;
    private final int slotShift;
    private final boolean checksums;
    private long next;
    /** The slot sequence of the record being read by the current step. */
    private long reading;
    private long count;
    private boolean ended;
    private byte[] assembly;
    private int assembled;

    /** The subscriber sections last looked at for {@link #gated}, and when the directory was last listed. */
    private final List<Gate> gates = new ArrayList<>();
    private long gatesListedAt;
    private final Path directory;
    private final String channel;

    private Tail(MappedSection mapped, RingHeader header) {
        this.mapped = mapped;
        this.directory = mapped.path().toAbsolutePath().getParent();
        String file = mapped.path().getFileName().toString();
        this.channel = file.substring(0, file.length() - ".ring".length());
        this.ring = mapped.buffer();
        this.name = mapped.path().getFileName().toString();
        this.header = header;
        this.slotCount = header.capacity / header.slotLength;
        this.slotShift = Integer.numberOfTrailingZeros(header.slotLength);
        this.check = new RecordCheck(name, header.capacity, header.slotLength, header.maxMessageLength,
            (header.flags & RingDescriptor.FLAG_DOUBLE_MAPPED) != 0);
        this.checksums = (header.flags & RingDescriptor.FLAG_PAYLOAD_CHECKSUM) != 0;
        this.owner = header.publisher;
        this.codec = codecFor(header);
    }

    private static Codec<?> codecFor(RingHeader header) {
        try {
            Codec<?> codec = Codecs.byName(header.codecName);
            return codec.schemaId() == header.schemaId ? codec : null;
        } catch (RuntimeException e) {
            return null; // unknown name, or a provider that cannot build it: the payloads are shown as bytes
        }
    }

    static Tail open(Path ringPath) {
        String irregular = ChannelInspector.irregular(ringPath);
        if (irregular != null) {
            throw new ApertureException("cannot tail: " + irregular);
        }
        MappedSection mapped;
        try {
            mapped = SectionPlatform.current().open(ringPath, -1, false);
        } catch (IOException e) {
            throw new ApertureException("cannot map " + ringPath + ": " + e, e);
        }
        try {
            mapped.openLockProbe();
            long length = mapped.buffer().capacity();
            String name = ringPath.getFileName().toString();
            if (length < RingDescriptor.SLOTS_OFFSET) {
                throw new CorruptSectionException(name, 0, "file length " + length + " < header length "
                    + RingDescriptor.SLOTS_OFFSET + " (truncated)");
            }
            // Acquire (in RingHeader.magic): 0 means the publisher has not released its header yet.
            if (RingHeader.magic(mapped.buffer()) == 0) {
                throw new ApertureException("ring " + name + " not ready (magic 0)");
            }
            Tail tail = new Tail(mapped, RingHeader.read(name, mapped.buffer(), length));
            tail.startAtEnd();
            return tail;
        } catch (RuntimeException e) {
            mapped.close();
            throw e;
        }
    }

    /** Starts after the exact end: the lazy position, then the committed records after it (docs/layout.md §4.3). */
    private void startAtEnd() {
        for (int attempt = 0; ; attempt++) {
            long[] lazy = lazyPosition();
            try {
                long[] walked = check.walk(ring, lazy[0], lazy[1], Long.MAX_VALUE);
                // Acquire: the lazy position after the walk; a walk the writer may have lapped is discarded.
                if (RingHeader.cursor(ring) - lazy[0] <= slotCount / 2) {
                    next = walked[0] + 1;
                    count = walked[1];
                    return;
                }
                if (attempt >= 100) {
                    next = lazy[0] + 1; // lapped on every attempt: start at the lazy position, which is a record's end
                    count = lazy[1];
                    return;
                }
            } catch (CorruptSectionException e) {
                // Acquire: as above; only a walk the writer did not lap proves corruption.
                if (RingHeader.cursor(ring) - lazy[0] <= slotCount / 2 || attempt >= 100) {
                    throw e;
                }
            }
        }
    }

    /** A {cursor, published} pair: published read between two equal loads of the cursor. */
    private long[] lazyPosition() {
        while (true) {
            // Acquire: pairs with the publisher's release of the cursor; published is released right after it.
            long before = RingHeader.cursor(ring);
            // Acquire: pairs with the release of published, stored after the cursor it counts up to.
            long published = RingHeader.published(ring);
            // Acquire: the cursor again; an unchanged value means published was read for (about) that position.
            long after = RingHeader.cursor(ring);
            if (before == after) {
                return new long[] {after, published};
            }
        }
    }

    /**
     * The name of the codec the channel's publisher wrote with.
     *
     * @return the codec name in the ring header
     */
    public String codecName() {
        return header.codecName;
    }

    /**
     * Whether messages are decoded, or shown as bytes only.
     *
     * @return true when the channel's codec is known here and messages are decoded
     */
    public boolean decodes() {
        return codec != null;
    }

    /**
     * Whether the tail has ended.
     *
     * @return true once an {@link End} or {@link Corrupt} event was delivered
     */
    public boolean ended() {
        return ended;
    }

    /**
     * Where the tail reads next.
     *
     * @return the slot sequence of the next record to read
     */
    public long nextSequence() {
        return next;
    }

    /**
     * Whether the publisher is alive by the transport's checks (its lock on the ring is held, a process with its pid
     * and start time runs).
     *
     * @return true while it is
     */
    public boolean publisherAlive() {
        return ChannelInspector.deadReason(mapped, owner) == null;
    }

    /**
     * Reads the records committed since the last poll, up to {@code maxRecords}, and hands what it found to
     * {@code sink}. Never blocks and never waits: a caller that wants to follow the channel polls again later.
     *
     * @param sink       receives the events, in order
     * @param maxRecords the most records to read in this call
     * @return the number of events delivered
     */
    public int poll(Consumer<? super Event> sink, int maxRecords) {
        int events = 0;
        for (int records = 0; records < maxRecords && !ended; records++) {
            Event event;
            try {
                event = step();
            } catch (CorruptSectionException e) {
                event = lapped(reading) ? resync(reading) : corrupt(e.getMessage());
            }
            if (event == null) {
                break;
            }
            if (event != SKIPPED) {
                sink.accept(event);
                events++;
            }
        }
        return events;
    }

    /** A record was read and yields no event (PADDING, a fragment before the last). */
    private static final Event SKIPPED = new Corrupt("skipped");

    private Event corrupt(String problem) {
        ended = true;
        return new Corrupt(problem);
    }

    /** The next event, {@link #SKIPPED}, or null when nothing new is committed. */
    private Event step() {
        long sequence = next;
        reading = sequence;
        int index = (int) (sequence & (slotCount - 1)) << slotShift;
        long word = headerAt(index);
        if (word == RecordDescriptor.UNCOMMITTED) {
            if (lapped(sequence)) {
                return resync(sequence);
            }
            return endedWithoutRecord(sequence, index);
        }
        long last = check.lastSlot(word, sequence, index);
        int type = RecordDescriptor.type(word);
        int length = RecordDescriptor.length(word);
        byte[] payload = type == RecordDescriptor.TYPE_PADDING || type == RecordDescriptor.TYPE_COMPLETE
            ? new byte[0] : ChannelInspector.payload(ring, header.capacity, index, length);
        // Acquire fence: the payload loads above are ordered before the loads that check it was not overwritten.
        VarHandle.acquireFence();
        if (headerAt(index) != word || lapped(sequence)) {
            return resync(sequence);
        }
        next = last + 1;
        switch (type) {
            case RecordDescriptor.TYPE_PADDING:
                return SKIPPED;
            case RecordDescriptor.TYPE_DATA: {
                byte[] bytes = checksummed(index, sequence, payload);
                return message(last, bytes);
            }
            case RecordDescriptor.TYPE_FRAGMENT:
                return fragment(index, sequence, last, checksummed(index, sequence, payload));
            case RecordDescriptor.TYPE_COMPLETE:
                ended = true;
                return new End(TerminalState.name(TerminalState.COMPLETED), null);
            default: { // ERROR: RecordCheck accepts no other type
                ended = true;
                ChannelError error = ChannelInspector.readError(name, ring, header, sequence);
                return new End(TerminalState.name(TerminalState.ERRORED), error);
            }
        }
    }

    private byte[] checksummed(int index, long sequence, byte[] payload) {
        return checksums ? Arrays.copyOf(payload, ChannelInspector.verifiedLength(check, index, sequence, payload))
            : payload;
    }

    private Event message(long sequence, byte[] bytes) {
        Object value = null;
        String problem = null;
        if (codec != null) {
            try {
                value = codec.decode(ByteBuffer.wrap(bytes).asReadOnlyBuffer().order(ByteOrder.nativeOrder()));
            } catch (RuntimeException e) {
                problem = e.toString();
            }
        }
        return new Message(count++, sequence, bytes, value, problem);
    }

    /** One FRAGMENT record (docs/layout.md §5.4): assembled; pieces of a message begun before the tail are skipped. */
    private Event fragment(int index, long sequence, long last, byte[] piece) {
        if (piece.length <= RecordDescriptor.FRAGMENT_HEADER_LENGTH || header.maxFragmentedLength == 0) {
            throw check.corrupt(index, "FRAGMENT record of " + piece.length + " bytes at seq " + sequence
                + (header.maxFragmentedLength == 0 ? " on a ring without fragments" : ""));
        }
        ByteBuffer b = ByteBuffer.wrap(piece).order(ByteOrder.nativeOrder());
        int total = b.getInt(RecordDescriptor.FRAGMENT_TOTAL_OFFSET);
        int offset = b.getInt(RecordDescriptor.FRAGMENT_OFFSET_OFFSET);
        int pieceLength = piece.length - RecordDescriptor.FRAGMENT_HEADER_LENGTH;
        if (offset == 0) {
            if (total <= 0 || total > header.maxFragmentedLength) {
                throw check.corrupt(index, "fragmented message total " + total + " not in (0, "
                    + header.maxFragmentedLength + "] at seq " + sequence);
            }
            assembly = new byte[total];
            assembled = 0;
        } else if (assembly == null) {
            return SKIPPED; // a message begun before this tail started (or before a resynchronisation)
        }
        if (total != assembly.length || offset != assembled || pieceLength > total - offset) {
            throw check.corrupt(index, "fragment total " + total + " offset " + offset + " length " + pieceLength
                + " does not continue the message (" + assembled + " of " + assembly.length + ") at seq " + sequence);
        }
        System.arraycopy(piece, RecordDescriptor.FRAGMENT_HEADER_LENGTH, assembly, offset, pieceLength);
        assembled += pieceLength;
        if (assembled < assembly.length) {
            return SKIPPED;
        }
        byte[] message = assembly;
        assembly = null;
        return message(last, message);
    }

    /** Nothing committed at {@code sequence}: the end, when the channel ended without a record there. */
    private Event endedWithoutRecord(long sequence, int index) {
        // Acquire: a terminal state seen here orders after the publisher's last record and terminal sequence.
        int state = RingHeader.terminalState(ring);
        if (state == TerminalState.OPEN) {
            return null;
        }
        if (headerAt(index) != RecordDescriptor.UNCOMMITTED) {
            return SKIPPED; // committed just before the terminal state: read it on the next step
        }
        if (state == TerminalState.COMPLETED || state == TerminalState.ERRORED) {
            // Acquire (in RingHeader.cursor): the terminal sequence is validated against the position stored before it.
            long terminal = RingHeader.terminalSequence(name, ring, RingHeader.cursor(ring), slotCount);
            if (terminal >= sequence) {
                return null; // its record is ahead: it is read when committed, which it already is (a lap check follows)
            }
            ended = true;
            return new End(TerminalState.name(state), state == TerminalState.ERRORED && terminal >= 0
                ? ChannelInspector.readError(name, ring, header, terminal) : null);
        }
        ended = true;
        return new End(TerminalState.name(state), null);
    }

    private long headerAt(int index) {
        // Acquire: pairs with the publisher's release store of the header word (the record's commit).
        return (long) ShmSequence.LONG.getAcquire(ring, RingDescriptor.SLOTS_OFFSET + index);
    }

    /**
     * Whether the publisher may have overwritten slot {@code sequence}: its lazy position has passed it while the
     * tail found no valid record there, or is half a ring or more beyond it while no live subscriber holds the
     * publisher before it.
     */
    private boolean lapped(long sequence) {
        // Acquire: pairs with the publisher's release of the lazy position.
        long cursor = RingHeader.cursor(ring);
        if (cursor < sequence) {
            return false;
        }
        if (headerAt((int) (sequence & (slotCount - 1)) << slotShift) == RecordDescriptor.UNCOMMITTED
            || !valid(sequence)) {
            return true;
        }
        return cursor - sequence >= slotCount / 2 && !gated(sequence);
    }

    /**
     * True when a subscriber the publisher gates on has not consumed slot {@code sequence} yet: the publisher
     * overwrites a slot only once every subscriber it gates on consumed it (docs/layout.md §6.1), so the record
     * there, read before this check, was intact. A subscriber counts when, read after the record, it is admitted in
     * this session, has not left, was not dropped and holds its liveness lock: such a subscriber was gating when
     * the record was read too (consumed only grows, and those states only move one way).
     */
    private boolean gated(long sequence) {
        long now = System.nanoTime();
        if (gates.isEmpty() || now - gatesListedAt > 100_000_000L) {
            gatesListedAt = now;
            gates.forEach(g -> g.section.close());
            gates.clear();
            for (int i = 0; i < header.maxSubscribers; i++) {
                Path file = ChannelFiles.subscriberPath(directory, channel, i);
                if (ChannelInspector.irregular(file) != null) {
                    continue;
                }
                Object key = SectionPlatform.current().entryKey(file);
                try {
                    MappedSection section = SectionPlatform.current().open(file, SubscriberDescriptor.LENGTH,
                        false);
                    section.openLockProbe();
                    gates.add(new Gate(section, file, key));
                } catch (IOException | ApertureException e) {
                    // gone or unreadable: it cannot vouch for the record
                }
            }
        }
        for (Gate gate : gates) {
            if (holdsBefore(gate, sequence)) {
                return true;
            }
        }
        return false;
    }

    /** A subscriber section looked at by {@link #gated}, with the identity of its file when it was opened. */
    private record Gate(MappedSection section, Path file, Object key) {
    }

    private boolean holdsBefore(Gate gate, long sequence) {
        MappedSection section = gate.section;
        ByteBuffer s = section.buffer();
        // Acquire: pairs with the subscriber's release of its magic; its index, id and session below are complete.
        long magic = (long) ShmSequence.LONG.getAcquire(s, SubscriberDescriptor.MAGIC_VERSION_OFFSET);
        int index = s.getInt(SubscriberDescriptor.INDEX_OFFSET);
        if (!SubscriberDescriptor.isCompatible(magic) || index < 0
            || index >= header.maxSubscribers
            || s.getLong(SubscriberDescriptor.RING_SESSION_ID_OFFSET) != header.sessionId) {
            return false;
        }
        long id = s.getLong(SubscriberDescriptor.SUBSCRIBER_ID_OFFSET);
        boolean admitted = id != 0 && SubscriberTable.admittedId(ring, index) == id; // acquire
        // Acquire: the consumed word, released by the subscriber once per batch; read before the flags below.
        long consumed = (long) ShmSequence.LONG.getAcquire(s, SubscriberDescriptor.CONSUMED_OFFSET);
        // Acquire: the cancel flag, released when the subscriber leaves.
        boolean cancelled = (int) ShmSequence.INT.getAcquire(s, SubscriberDescriptor.CANCELLED_OFFSET) != 0;
        boolean dropped = SubscriberTable.dropped(ring, index) != 0; // acquire: released before it stops gating
        // Still linked under its name: the publisher unlinks the section of a subscriber it let go as dead or hung
        // right after it stops gating on it, and a leaving subscriber unlinks its own before it sets its cancel flag.
        return admitted && !cancelled && !dropped && consumed != Long.MIN_VALUE && consumed < sequence
            && Boolean.TRUE.equals(section.peerLockHeld()) && gate.key != null
            && gate.key.equals(SectionPlatform.current().entryKey(gate.file));
    }

    private boolean valid(long sequence) {
        int index = (int) (sequence & (slotCount - 1)) << slotShift;
        try {
            check.lastSlot(headerAt(index), sequence, index);
            return true;
        } catch (CorruptSectionException e) {
            return false;
        }
    }

    /** Skips to the publisher's lazy position, counting the messages passed by. */
    private Event resync(long sequence) {
        long[] lazy = lazyPosition();
        if (lazy[0] < sequence) {
            return null; // not lapped after all: read again on the next poll
        }
        long missed = Math.max(0, lazy[1] - count);
        next = lazy[0] + 1;
        count = Math.max(count, lazy[1]);
        assembly = null;
        return new Missed(missed, sequence, lazy[0]);
    }

    @Override
    public void close() {
        gates.forEach(g -> g.section.close());
        gates.clear();
        mapped.close();
    }
}
