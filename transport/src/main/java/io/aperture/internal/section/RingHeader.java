package io.aperture.internal.section;

import io.aperture.ChannelOptions;
import io.aperture.Codec;
import io.aperture.CorruptSectionException;
import io.aperture.IncompatibleChannelException;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

import static io.aperture.internal.section.RingDescriptor.*;

/** Writes and validates the ring header. Every field read here comes from another process and is checked. */
public final class RingHeader {
    public final long sessionId;
    public final int capacity;
    public final int slotLength;
    public final int maxMessageLength;
    public final int maxSubscribers;
    public final ProcessIdentity publisher;
    public final int flags;
    public final int schemaId;
    public final String codecName;
    /** The largest message the publisher sends in fragments; 0 when it sends none. */
    public final int maxFragmentedLength;

    private RingHeader(long sessionId, int capacity, int slotLength, int maxMessageLength, int maxSubscribers,
                       ProcessIdentity publisher, int flags, int schemaId, String codecName, int maxFragmentedLength) {
        this.sessionId = sessionId;
        this.capacity = capacity;
        this.slotLength = slotLength;
        this.maxMessageLength = maxMessageLength;
        this.maxSubscribers = maxSubscribers;
        this.publisher = publisher;
        this.flags = flags;
        this.schemaId = schemaId;
        this.codecName = codecName;
        this.maxFragmentedLength = maxFragmentedLength;
    }

    public static byte[] codecNameBytes(Codec<?> codec) {
        byte[] name = codec.name().getBytes(StandardCharsets.UTF_8);
        if (name.length == 0 || name.length > CODEC_NAME_MAX_LENGTH) {
            throw new IllegalArgumentException("codec name '" + codec.name() + "' must be 1 to " + CODEC_NAME_MAX_LENGTH
                + " bytes of UTF-8, is " + name.length);
        }
        return name;
    }

    /** Initialises a fresh section (slot area not double mapped); see the overload. */
    public static void initialise(ByteBuffer section, long sessionId, ChannelOptions options, int maxSubscribers, Codec<?> codec) {
        initialise(section, sessionId, options, maxSubscribers, codec, false);
    }

    /** Initialises a fresh section; the magic is stored last with release, which makes the section "ready". */
    public static void initialise(ByteBuffer section, long sessionId, ChannelOptions options, int maxSubscribers, Codec<?> codec,
                           boolean doubleMapped) {
        byte[] name = codecNameBytes(codec);
        section.putLong(SESSION_ID_OFFSET, sessionId);
        section.putInt(CAPACITY_OFFSET, options.ringCapacity());
        section.putInt(SLOT_LENGTH_OFFSET, options.slotLength());
        section.putInt(MAX_MESSAGE_LENGTH_OFFSET, options.maxMessageLength());
        section.putInt(MAX_SUBSCRIBERS_OFFSET, maxSubscribers);
        section.putLong(PUBLISHER_PID_OFFSET, ProcessIdentity.CURRENT.pid);
        section.putLong(PUBLISHER_START_OFFSET, ProcessIdentity.CURRENT.startEpochMs);
        section.putInt(FLAGS_OFFSET, (options.slowConsumerPolicy() == ChannelOptions.SlowConsumerPolicy.DROP_SLOWEST
            ? FLAG_DROP_SLOWEST : 0) | (doubleMapped ? FLAG_DOUBLE_MAPPED : 0)
            | (options.payloadChecksums() ? FLAG_PAYLOAD_CHECKSUM : 0) | FLAG_DEMAND_PARKED);
        section.putInt(CODEC_SCHEMA_ID_OFFSET, codec.schemaId());
        section.putInt(CODEC_NAME_LENGTH_OFFSET, name.length);
        section.put(CODEC_NAME_OFFSET, name);
        section.putInt(MAX_FRAGMENTED_LENGTH_OFFSET, options.maxFragmentedMessageLength());
        section.putLong(CURSOR_OFFSET, -1L);
        section.putLong(PUBLISHED_OFFSET, 0L);
        section.putInt(TERMINAL_OFFSET, TerminalState.OPEN);
        section.putLong(TERMINAL_SEQUENCE_OFFSET, -1L);
        section.putInt(SUBSCRIBERS_OFFSET, 0);
        section.putLong(DROPPED_OFFSET, 0L);
        section.putLong(HEARTBEAT_OFFSET, System.nanoTime());
        // Release: every field above is visible to a reader that acquires the magic.
        ShmSequence.LONG.setRelease(section, MAGIC_VERSION_OFFSET, MAGIC_VERSION);
    }

    /** Reads the magic with acquire; 0 means "not ready yet". */
    public static long magic(ByteBuffer section) {
        // Acquire: pairs with the release store of the magic; the header fields read after it are complete.
        return (long) ShmSequence.LONG.getAcquire(section, MAGIC_VERSION_OFFSET);
    }

    /** Validates and reads a ready header; {@code fileLength} is the mapped file's length. */
    public static RingHeader read(String sectionName, ByteBuffer section, long fileLength) {
        long magicVersion = magic(section);
        int magic = (int) (magicVersion >>> 32);
        int major = (int) (magicVersion >>> 16) & 0xFFFF;
        int minor = (int) magicVersion & 0xFFFF;
        if (magic != MAGIC) {
            throw new IncompatibleChannelException("section " + sectionName + " has magic 0x" + Integer.toHexString(magic)
                + ", expected 0x" + Integer.toHexString(MAGIC) + " (not an Aperture ring)");
        }
        if (major != VERSION_MAJOR) {
            throw new IncompatibleChannelException("section " + sectionName + " has layout version " + major + "." + minor
                + ", this library reads " + VERSION_MAJOR + "." + VERSION_MINOR);
        }
        int capacity = section.getInt(CAPACITY_OFFSET);
        if (capacity < MIN_CAPACITY || capacity > MAX_CAPACITY || Integer.bitCount(capacity) != 1) {
            throw new CorruptSectionException(sectionName, CAPACITY_OFFSET, "capacity " + capacity
                + " is not a power of two in [" + MIN_CAPACITY + ", " + MAX_CAPACITY + "]");
        }
        if (fileLength != fileLength(capacity)) {
            throw new CorruptSectionException(sectionName, CAPACITY_OFFSET, "file length " + fileLength
                + " != header length " + SLOTS_OFFSET + " + capacity " + capacity);
        }
        int slotLength = section.getInt(SLOT_LENGTH_OFFSET);
        if (slotLength < MIN_SLOT_LENGTH || slotLength > MAX_SLOT_LENGTH || Integer.bitCount(slotLength) != 1
            || slotLength * 2 > capacity) {
            throw new CorruptSectionException(sectionName, SLOT_LENGTH_OFFSET, "slot length " + slotLength
                + " is not a power of two in [" + MIN_SLOT_LENGTH + ", min(" + MAX_SLOT_LENGTH + ", capacity / 2)]");
        }
        if (capacity / slotLength > MAX_SLOTS) {
            throw new CorruptSectionException(sectionName, SLOT_LENGTH_OFFSET, "capacity " + capacity + " / slot length "
                + slotLength + " > " + MAX_SLOTS + " slots");
        }
        int maxMessageLength = section.getInt(MAX_MESSAGE_LENGTH_OFFSET);
        if (maxMessageLength < 0 || maxMessageLength > maxMessageLengthFor(capacity)) {
            throw new CorruptSectionException(sectionName, MAX_MESSAGE_LENGTH_OFFSET, "max message length "
                + maxMessageLength + " not in [0, " + maxMessageLengthFor(capacity) + "]");
        }
        int maxSubscribers = section.getInt(MAX_SUBSCRIBERS_OFFSET);
        if (maxSubscribers < 1 || maxSubscribers > MAX_SUBSCRIBERS_LIMIT) {
            throw new CorruptSectionException(sectionName, MAX_SUBSCRIBERS_OFFSET, "max subscribers " + maxSubscribers
                + " not in [1, " + MAX_SUBSCRIBERS_LIMIT + "]");
        }
        int flags = section.getInt(FLAGS_OFFSET);
        if ((flags & ~(FLAG_DOUBLE_MAPPED | FLAG_DROP_SLOWEST | FLAG_PAYLOAD_CHECKSUM | FLAG_DEMAND_PARKED)) != 0) {
            // A flag this library does not know may change what a record holds (as the checksum flag does).
            throw new IncompatibleChannelException("section " + sectionName + " has flags 0x" + Integer.toHexString(flags)
                + ", of which this library knows 0x" + Integer.toHexString(FLAG_DOUBLE_MAPPED | FLAG_DROP_SLOWEST
                | FLAG_PAYLOAD_CHECKSUM | FLAG_DEMAND_PARKED) + " only");
        }
        if ((flags & FLAG_PAYLOAD_CHECKSUM) != 0 && maxMessageLength <= CHECKSUM_LENGTH) {
            throw new CorruptSectionException(sectionName, MAX_MESSAGE_LENGTH_OFFSET, "max message length "
                + maxMessageLength + " leaves no room for the " + CHECKSUM_LENGTH + "-byte payload checksum");
        }
        int nameLength = section.getInt(CODEC_NAME_LENGTH_OFFSET);
        if (nameLength < 1 || nameLength > CODEC_NAME_MAX_LENGTH) {
            throw new CorruptSectionException(sectionName, CODEC_NAME_LENGTH_OFFSET, "codec name length " + nameLength
                + " not in [1, " + CODEC_NAME_MAX_LENGTH + "]");
        }
        byte[] name = new byte[nameLength];
        section.get(CODEC_NAME_OFFSET, name);
        int maxFragmented = section.getInt(MAX_FRAGMENTED_LENGTH_OFFSET);
        if (maxFragmented != 0 && (maxFragmented <= maxMessageLength
            || maxMessageLength <= RecordDescriptor.FRAGMENT_HEADER_LENGTH)) {
            throw new CorruptSectionException(sectionName, MAX_FRAGMENTED_LENGTH_OFFSET, "max fragmented message length "
                + maxFragmented + " neither 0 nor above max message length " + maxMessageLength);
        }
        return new RingHeader(section.getLong(SESSION_ID_OFFSET), capacity, slotLength, maxMessageLength, maxSubscribers,
            new ProcessIdentity(section.getLong(PUBLISHER_PID_OFFSET), section.getLong(PUBLISHER_START_OFFSET)),
            section.getInt(FLAGS_OFFSET), section.getInt(CODEC_SCHEMA_ID_OFFSET),
            new String(name, StandardCharsets.UTF_8), maxFragmented);
    }

    /** Refuses a subscriber whose codec differs from the publisher's, naming both. */
    public void checkCodec(String channel, Codec<?> codec) {
        if (!codecName.equals(codec.name()) || schemaId != codec.schemaId()) {
            throw new IncompatibleChannelException("channel '" + channel + "': publisher codec '" + codecName
                + "' schema " + schemaId + ", subscriber codec '" + codec.name() + "' schema " + codec.schemaId());
        }
    }

    /**
     * The slot sequence of the terminal record, validated against the cursor: -1 when none is recorded; an
     * exception when the value is not a slot of the ring's last lap.
     */
    public static long terminalSequence(String sectionName, ByteBuffer section, long cursor, int slotCount) {
        // Acquire: pairs with the publisher's release after writing the terminal record.
        long sequence = (long) ShmSequence.LONG.getAcquire(section, TERMINAL_SEQUENCE_OFFSET);
        if (sequence == -1L) {
            return -1L;
        }
        if (sequence < 0 || sequence > cursor || cursor - sequence >= slotCount) {
            throw new CorruptSectionException(sectionName, TERMINAL_SEQUENCE_OFFSET, "terminal record sequence "
                + sequence + " outside the last lap (" + Math.max(0, cursor - slotCount + 1) + ".." + cursor + ")");
        }
        return sequence;
    }

    /** The published cursor (acquire; not validated: for comparisons and bounds that are checked after). */
    public static long cursor(ByteBuffer section) {
        // Acquire: pairs with the publisher's release of the cursor.
        return (long) ShmSequence.LONG.getAcquire(section, CURSOR_OFFSET);
    }

    /** The lazy published count (acquire: pairs with the writer's release store); for messages and monitors only. */
    public static long published(ByteBuffer section) {
        return (long) ShmSequence.LONG.getAcquire(section, PUBLISHED_OFFSET);
    }

    public static int terminalState(ByteBuffer section) {
        // Acquire: a terminal state seen here orders after the publisher's last record store.
        return (int) ShmSequence.INT.getAcquire(section, TERMINAL_OFFSET);
    }

    /**
     * Moves the terminal state from OPEN to {@code state}; false if another state was set first. Two publisher threads
     * (writer and conductor) may race to end the ring: they take turns under the section's lock, never by a CAS on
     * mapped memory (a CAS on a truncated file's page crashes the JVM: {@link SectionFaults}).
     */
    public static boolean setTerminalState(ByteBuffer section, int state) {
        synchronized (SectionFaults.lockOf(section)) {
            // Acquire: under the lock, the state the other publisher thread set is seen here.
            if ((int) ShmSequence.INT.getAcquire(section, TERMINAL_OFFSET) != TerminalState.OPEN) {
                return false;
            }
            // Volatile (release + StoreLoad): the records before are visible with it; the wakes that follow read after it.
            ShmSequence.INT.setVolatile(section, TERMINAL_OFFSET, state);
            return true;
        }
    }
}
