package io.aperture.inspect;

import io.aperture.ApertureException;
import io.aperture.CorruptSectionException;
import io.aperture.internal.ring.ErrorRecord;
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
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.CRC32C;

/**
 * Reads the channels of one section directory, read-only: every section is mapped read-only, nothing is written
 * into it, and every value is validated as the transport validates it ({@code RingHeader}, {@code RecordCheck},
 * {@code ErrorRecord}); a section that fails is described in its snapshot's {@code problem}, never thrown.
 *
 * <pre>{@code
 * ChannelInspector inspector = ChannelInspector.open(ChannelInspector.defaultDirectory());
 * for (ChannelSnapshot channel : inspector.list()) {
 *     System.out.println(channel.channel() + " " + channel.terminalState() + " " + channel.publishedExact());
 * }
 * }</pre>
 *
 * <p>Safe for use by several threads: it holds no state but its directory.
 */
public final class ChannelInspector {
    private static final Pattern RING_FILE = Pattern.compile("([A-Za-z0-9_][A-Za-z0-9_.-]{0,99})\\.ring");
    private static final Pattern SUBSCRIBER_FILE = Pattern.compile("([A-Za-z0-9_][A-Za-z0-9_.-]{0,99})\\.sub-(\\d{1,2})");

    private final Path directory;

    private ChannelInspector(Path directory) {
        this.directory = directory;
    }

    /**
     * An inspector of {@code directory}; it need not exist (it then has no channels).
     *
     * @param directory the section directory, as given to {@code Aperture.create(Path)}
     * @return the inspector
     */
    public static ChannelInspector open(Path directory) {
        return new ChannelInspector(Objects.requireNonNull(directory, "directory"));
    }

    /**
     * The directory the transport uses when none is given: {@code /dev/shm/aperture-<uid>} where {@code /dev/shm} is
     * writable, else {@code <java.io.tmpdir>/aperture-<uid>}.
     *
     * @return the default section directory
     */
    public static Path defaultDirectory() {
        return ChannelFiles.defaultDirectory();
    }

    /**
     * The section directory this inspector lists.
     *
     * @return the directory this inspector reads
     */
    public Path directory() {
        return directory;
    }

    /**
     * The names of the channels with a section in the directory (a ring, or subscriber sections only), sorted.
     *
     * @return the channel names
     */
    public List<String> channels() {
        return List.copyOf(scan().keySet());
    }

    /**
     * A snapshot of every channel in the directory, sorted by name.
     *
     * @return one snapshot per channel
     */
    public List<ChannelSnapshot> list() {
        List<ChannelSnapshot> snapshots = new ArrayList<>();
        scan().forEach((channel, indexes) -> snapshots.add(read(channel, indexes)));
        return snapshots;
    }

    /**
     * A snapshot of one channel; when it has no section at all, a snapshot whose problem says so.
     *
     * @param channel the channel name
     * @return its snapshot
     * @throws IllegalArgumentException when {@code channel} is not a valid channel name
     */
    public ChannelSnapshot snapshot(String channel) {
        ChannelFiles.validateChannelName(channel);
        TreeSet<Integer> indexes = scan().getOrDefault(channel, new TreeSet<>());
        return read(channel, indexes);
    }

    /**
     * Opens a tail of {@code channel}: a reader that follows its records from the newest on without registering
     * as a subscriber (see {@link Tail}).
     *
     * @param channel the channel name
     * @return the tail, to be closed
     * @throws ApertureException when the ring is missing or does not validate (a {@code CorruptSectionException}
     *     or {@code IncompatibleChannelException} names the section)
     */
    public Tail tail(String channel) {
        ChannelFiles.validateChannelName(channel);
        return Tail.open(ChannelFiles.ringPath(directory, channel));
    }

    /**
     * Removes the sections of every channel whose owners are all proved dead ({@link
     * ChannelSnapshot#allOwnersDead()}); a channel with a live owner, or one that cannot be named, is kept. A file is
     * removed only if it is still the file that was inspected (same inode).
     *
     * @param dryRun decide only: remove nothing
     * @return one decision per channel, in name order
     */
    public List<CleanDecision> clean(boolean dryRun) {
        List<CleanDecision> decisions = new ArrayList<>();
        scan().forEach((channel, indexes) -> {
            Map<Path, Object> keys = new TreeMap<>();
            Path ring = ChannelFiles.ringPath(directory, channel);
            Object ringKey = SectionPlatform.current().entryKey(ring);
            if (ringKey != null) {
                keys.put(ring, ringKey);
            }
            for (int index : indexes) {
                Path sub = ChannelFiles.subscriberPath(directory, channel, index);
                Object key = SectionPlatform.current().entryKey(sub);
                if (key != null) {
                    keys.put(sub, key);
                }
            }
            // The file identities are taken before the liveness checks: a file replaced since is not removed.
            ChannelSnapshot snapshot = read(channel, indexes);
            boolean remove = snapshot.allOwnersDead();
            String reason = remove ? "every owner is dead" : keepReason(snapshot);
            if (remove && !dryRun) {
                keys.forEach(SectionPlatform.current()::removeIfSame);
            }
            decisions.add(new CleanDecision(channel, remove, remove && !dryRun, reason, List.copyOf(keys.keySet())));
        });
        return decisions;
    }

    private static String keepReason(ChannelSnapshot s) {
        if (s.publisherAlive()) {
            return "publisher pid " + s.publisherPid() + " is alive";
        }
        if (s.publisherPid() == -1 && s.ringPresent()) {
            return "the ring's owner cannot be read (" + s.problem() + ")";
        }
        for (SubscriberSnapshot sub : s.subscribers()) {
            if (sub.pid() == -1) {
                return "the owner of " + sub.file().getFileName() + " cannot be read (" + sub.problem() + ")";
            }
            if (sub.alive()) {
                return "subscriber " + sub.index() + " pid " + sub.pid() + " is alive";
            }
        }
        return "an owner is alive";
    }

    /**
     * What {@link #clean(boolean)} decided for one channel.
     *
     * @param channel the channel
     * @param remove  every owner is dead: its files are to be removed
     * @param removed the files were removed (false on a dry run)
     * @param reason  why they are removed or kept
     * @param files   the channel's section files
     */
    public record CleanDecision(String channel, boolean remove, boolean removed, String reason, List<Path> files) {
    }

    /** Channel name to the subscriber indexes of its {@code .sub-<i>} files; the ring may or may not exist. */
    private TreeMap<String, TreeSet<Integer>> scan() {
        TreeMap<String, TreeSet<Integer>> channels = new TreeMap<>();
        List<Path> names;
        try {
            names = SectionPlatform.current().names(directory);
        } catch (NotDirectoryException e) {
            return channels; // not a section directory: no channels in it
        } catch (IOException e) {
            throw new ApertureException("cannot list section directory " + directory + ": " + e, e);
        }
        for (Path file : names) {
            String name = file.getFileName().toString();
            Matcher ring = RING_FILE.matcher(name);
            if (ring.matches()) {
                channels.computeIfAbsent(ring.group(1), c -> new TreeSet<>());
                continue;
            }
            Matcher sub = SUBSCRIBER_FILE.matcher(name);
            if (sub.matches()) {
                int index = Integer.parseInt(sub.group(2));
                if (index < RingDescriptor.MAX_SUBSCRIBERS_LIMIT) {
                    channels.computeIfAbsent(sub.group(1), c -> new TreeSet<>()).add(index);
                }
            }
        }
        return channels;
    }

    /** Raw values of one subscriber section, read before the ring's end is walked. */
    private static final class SubscriberRead {
        int index;
        Path file;
        String problem;
        ProcessIdentity owner;
        String liveness;
        boolean currentSession;
        boolean admitted;
        boolean cancelled;
        long droppedLagBytes;
        long requested;
        long delivered;
        long consumed = SubscriberSnapshot.NOT_STARTED;
        long base;
        boolean parked;
        boolean polls;
        long heartbeat;
    }

    private ChannelSnapshot read(String channel, TreeSet<Integer> indexes) {
        long now = System.nanoTime();
        Path ringPath = ChannelFiles.ringPath(directory, channel);
        RingView ring = RingView.read(ringPath);
        List<SubscriberRead> reads = new ArrayList<>();
        for (int index : indexes) {
            reads.add(readSubscriber(ChannelFiles.subscriberPath(directory, channel, index), index, ring));
        }
        // The subscribers' counters are read first, the ring's end after: a consumed value is then at or before it.
        ring.walkEnd();
        List<SubscriberSnapshot> subscribers = new ArrayList<>();
        for (SubscriberRead r : reads) {
            subscribers.add(derive(r, ring, now));
        }
        RingHeader h = ring.header;
        return new ChannelSnapshot(channel, ringPath, ring.present, ring.problem, h == null ? "" : h.codecName,
            h == null ? 0 : h.schemaId, h == null ? 0 : h.capacity, h == null ? 0 : h.slotLength,
            h == null ? 0 : h.maxMessageLength, h == null ? 0 : h.maxSubscribers, h == null ? 0 : h.flags,
            ring.owner == null ? -1 : ring.owner.pid, ring.owner != null && ring.liveness == null,
            ring.owner == null ? "unknown" : ring.liveness == null ? "alive" : ring.liveness,
            h == null ? "" : TerminalState.name(ring.terminal), ring.cursor, ring.published, ring.end,
            ring.publishedExact, ring.subscriberCount, ring.dropped, ring.parked,
            h == null ? 0 : now - ring.heartbeat, List.copyOf(subscribers), ring.error, now);
    }

    private static SubscriberRead readSubscriber(Path file, int index, RingView ring) {
        SubscriberRead r = new SubscriberRead();
        r.index = index;
        r.file = file;
        String irregular = irregular(file);
        if (irregular != null) {
            r.problem = irregular;
            return r;
        }
        MappedSection mapped;
        try {
            mapped = SectionPlatform.current().open(file, -1, false);
        } catch (ChannelFiles.OwnerGone e) {
            r.owner = new ProcessIdentity(e.pid, ProcessIdentity.UNKNOWN_START);
            r.liveness = GONE;
            r.problem = e.getReason();
            return r;
        } catch (NoSuchFileException e) {
            r.problem = "removed while read";
            return r;
        } catch (IOException | ApertureException e) {
            r.problem = "cannot map: " + e.getMessage();
            return r;
        }
        try {
            mapped.openLockProbe();
            ByteBuffer s = mapped.buffer();
            int length = s.capacity();
            if (length >= SubscriberDescriptor.START_OFFSET + 8) {
                // Acquire: pairs with the subscriber's release of its magic; the identity below is complete.
                ShmSequence.LONG.getAcquire(s, SubscriberDescriptor.MAGIC_VERSION_OFFSET);
                r.owner = new ProcessIdentity(s.getLong(SubscriberDescriptor.PID_OFFSET),
                    s.getLong(SubscriberDescriptor.START_OFFSET));
                r.liveness = deadReason(mapped, r.owner);
            }
            if (length != SubscriberDescriptor.LENGTH) {
                r.problem = new CorruptSectionException(file.getFileName().toString(), 0, "file length " + length
                    + " != expected " + SubscriberDescriptor.LENGTH).getMessage();
                return r;
            }
            // Acquire: pairs with the subscriber's release store of its magic, stored after every other field.
            long magic = (long) ShmSequence.LONG.getAcquire(s, SubscriberDescriptor.MAGIC_VERSION_OFFSET);
            if (!SubscriberDescriptor.isCompatible(magic)) {
                r.problem = "section " + file.getFileName() + " has magic and version 0x" + Long.toHexString(magic)
                    + ", expected 0x" + Long.toHexString(SubscriberDescriptor.MAGIC_VERSION) + " (not a subscriber section"
                    + " of this layout)";
                return r;
            }
            int storedIndex = s.getInt(SubscriberDescriptor.INDEX_OFFSET);
            if (storedIndex != index) {
                r.problem = new CorruptSectionException(file.getFileName().toString(), SubscriberDescriptor.INDEX_OFFSET,
                    "index " + storedIndex + " != " + index + " of the file name").getMessage();
                return r;
            }
            long id = s.getLong(SubscriberDescriptor.SUBSCRIBER_ID_OFFSET);
            r.polls = (s.getInt(SubscriberDescriptor.FLAGS_OFFSET) & SubscriberDescriptor.FLAG_POLLS) != 0;
            r.currentSession = ring.header != null
                && s.getLong(SubscriberDescriptor.RING_SESSION_ID_OFFSET) == ring.header.sessionId;
            // Acquire: pairs with the subscriber's release store of requested (docs/layout.md §7.1).
            r.requested = (long) ShmSequence.LONG.getAcquire(s, SubscriberDescriptor.REQUESTED_OFFSET);
            // Acquire: pairs with the subscriber's release store of delivered (statistics).
            r.delivered = (long) ShmSequence.LONG.getAcquire(s, SubscriberDescriptor.DELIVERED_OFFSET);
            // Acquire: pairs with the subscriber's once-per-batch release of consumed; read before the ring's end.
            r.consumed = (long) ShmSequence.LONG.getAcquire(s, SubscriberDescriptor.CONSUMED_OFFSET);
            // Acquire: the cancel flag, released after the subscriber's last counter stores.
            r.cancelled = (int) ShmSequence.INT.getAcquire(s, SubscriberDescriptor.CANCELLED_OFFSET) != 0;
            // Acquire: the heartbeat, a System.nanoTime value released by the subscriber.
            r.heartbeat = (long) ShmSequence.LONG.getAcquire(s, SubscriberDescriptor.HEARTBEAT_OFFSET);
            // Acquire: the parked word, stored (volatile) by the drain thread before it sleeps.
            r.parked = (int) ShmSequence.INT.getAcquire(s, SubscriberDescriptor.PARKED_OFFSET) != 0;
            if (r.requested < 0 || r.delivered < 0) {
                r.problem = new CorruptSectionException(file.getFileName().toString(), r.requested < 0
                    ? SubscriberDescriptor.REQUESTED_OFFSET : SubscriberDescriptor.DELIVERED_OFFSET, "requested "
                    + r.requested + " or delivered " + r.delivered + " negative").getMessage();
                return r;
            }
            if (ring.header != null && r.currentSession && index < ring.header.maxSubscribers) {
                ByteBuffer rs = ring.buffer;
                int entry = RingDescriptor.entryOffset(index);
                long admittedId = SubscriberTable.admittedId(rs, index); // acquire: base below is complete
                r.admitted = admittedId == id && id != 0;
                if (r.admitted) {
                    r.base = SubscriberTable.base(rs, index);
                    r.droppedLagBytes = SubscriberTable.dropped(rs, index); // acquire
                    if (r.base < 0 || r.droppedLagBytes < 0 || r.droppedLagBytes > ring.header.capacity) {
                        r.problem = new CorruptSectionException(ring.path.getFileName().toString(), entry,
                            "table entry " + index + " base " + r.base + " or dropped " + r.droppedLagBytes
                            + " out of range").getMessage();
                    }
                }
            }
            return r;
        } finally {
            mapped.close();
        }
    }

    private static SubscriberSnapshot derive(SubscriberRead r, RingView ring, long now) {
        long pid = r.owner == null ? -1 : r.owner.pid;
        boolean alive = r.owner != null && r.liveness == null;
        String liveness = r.owner == null ? "unknown" : alive ? "alive" : r.liveness;
        if (r.problem != null) {
            return SubscriberSnapshot.unreadable(r.index, r.file, r.problem, pid, alive, liveness);
        }
        String problem = null;
        long lagMessages = 0;
        long lagBytes = 0;
        if (r.consumed != SubscriberSnapshot.NOT_STARTED && r.currentSession && ring.header != null && ring.endExact) {
            if (r.consumed < -1 || r.consumed > ring.end) {
                problem = new CorruptSectionException(r.file.getFileName().toString(), SubscriberDescriptor.CONSUMED_OFFSET,
                    "consumed " + r.consumed + " outside [-1, end " + ring.end + "]").getMessage();
            } else {
                lagBytes = (ring.end - r.consumed) * ring.header.slotLength;
            }
        }
        if (r.admitted && ring.header != null) {
            lagMessages = Math.max(0, ring.publishedExact - r.base - r.delivered);
        }
        long outstanding = r.requested == Long.MAX_VALUE ? Long.MAX_VALUE : Math.max(0, r.requested - r.delivered);
        return new SubscriberSnapshot(r.index, r.file, problem, pid, alive, liveness, r.currentSession, r.admitted,
            r.cancelled, r.droppedLagBytes, r.requested, r.delivered, r.consumed, outstanding, lagMessages, lagBytes,
            r.parked, r.polls, now - r.heartbeat);
    }

    /** The liveness of the owner of a sealed section's link that no longer leads to its memory. */
    private static final String GONE = "dead (its sealed section is no longer held by its process)";

    /**
     * Null for a regular file or a link (not followed here: {@link SectionPlatform#open} checks that a link is a sealed
     * section's); else why it is not read. Opening a FIFO would block, and a device may be anything: the transport
     * creates only regular files and links to sealed memory.
     */
    static String irregular(Path file) {
        if (Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS) || Files.isSymbolicLink(file)) {
            return null;
        }
        return Files.exists(file, LinkOption.NOFOLLOW_LINKS) ? file.getFileName() + " is not a regular file"
            : file.getFileName() + " is missing";
    }

    /**
     * Null when the owner of {@code mapped} is alive by the transport's checks (its liveness lock on the file is
     * held, and a process with its pid and start time runs); else why it is dead.
     */
    static String deadReason(MappedSection mapped, ProcessIdentity owner) {
        if (Boolean.FALSE.equals(mapped.peerLockHeld())) {
            return "dead (its lock on " + mapped.path().getFileName() + " is free)";
        }
        if (!owner.isAlive()) {
            return "dead (no process with pid " + owner.pid + " and its start time)";
        }
        return null;
    }

    /** The ring section read once: header, counters, exact end, terminal error. */
    static final class RingView {
        final Path path;
        boolean present;
        String problem;
        RingHeader header;
        ByteBuffer buffer;
        ProcessIdentity owner;
        String liveness;
        int terminal;
        long cursor = -1;
        long published;
        long end = -1;
        long publishedExact;
        boolean endExact;
        int subscriberCount;
        long dropped;
        boolean parked;
        long heartbeat;
        ChannelError error;

        private RingView(Path path) {
            this.path = path;
        }

        static RingView read(Path path) {
            RingView v = new RingView(path);
            String name = path.getFileName().toString();
            String irregular = irregular(path);
            if (irregular != null) {
                v.present = Files.exists(path, LinkOption.NOFOLLOW_LINKS);
                v.problem = v.present ? irregular : "no ring section " + name;
                return v;
            }
            MappedSection mapped;
            try {
                mapped = SectionPlatform.current().open(path, -1, false);
            } catch (ChannelFiles.OwnerGone e) {
                v.present = true;
                v.owner = new ProcessIdentity(e.pid, ProcessIdentity.UNKNOWN_START);
                v.liveness = GONE;
                v.problem = e.getReason();
                return v;
            } catch (NoSuchFileException e) {
                v.problem = "no ring section " + name;
                return v;
            } catch (IOException | ApertureException e) {
                v.present = SectionPlatform.current().present(path);
                v.problem = "cannot map " + name + ": " + e.getMessage();
                return v;
            }
            v.present = true;
            try {
                mapped.openLockProbe();
                ByteBuffer s = mapped.buffer();
                v.buffer = s;
                long length = s.capacity();
                if (length >= RingDescriptor.PUBLISHER_START_OFFSET + 8) {
                    // Acquire: pairs with the publisher's release of the magic; the identity below is complete.
                    RingHeader.magic(s);
                    v.owner = new ProcessIdentity(s.getLong(RingDescriptor.PUBLISHER_PID_OFFSET),
                        s.getLong(RingDescriptor.PUBLISHER_START_OFFSET));
                    v.liveness = deadReason(mapped, v.owner);
                }
                if (length < RingDescriptor.SLOTS_OFFSET) {
                    v.problem = new CorruptSectionException(name, 0, "file length " + length + " < header length "
                        + RingDescriptor.SLOTS_OFFSET + " (truncated)").getMessage();
                    return v;
                }
                // Acquire (in RingHeader.magic): 0 means the publisher has not released its header yet.
                if (RingHeader.magic(s) == 0) {
                    v.problem = "ring " + name + " not ready (magic 0)";
                    return v;
                }
                try {
                    v.header = RingHeader.read(name, s, length);
                    v.counters(name);
                } catch (ApertureException e) {
                    v.problem = e.getMessage();
                }
                return v;
            } finally {
                mapped.close();
            }
        }

        private void counters(String name) {
            ByteBuffer s = buffer;
            // Acquire: a terminal state seen here orders after the terminal record and the cursor stored before it.
            terminal = RingHeader.terminalState(s);
            if (terminal < TerminalState.OPEN || terminal > TerminalState.CLOSED) {
                // As the subscriber's drain loop does: a word that is none of the states is corruption.
                throw new CorruptSectionException(name, RingDescriptor.TERMINAL_OFFSET, "unknown terminal state "
                    + terminal);
            }
            // Acquire (in RingHeader.cursor): pairs with the publisher's release of the lazy position.
            cursor = RingHeader.cursor(s);
            // Acquire (in RingHeader.published): released right after the cursor.
            published = RingHeader.published(s);
            if (cursor < -1 || published < 0) {
                throw new CorruptSectionException(name, cursor < -1 ? RingDescriptor.CURSOR_OFFSET
                    : RingDescriptor.PUBLISHED_OFFSET, "cursor " + cursor + " or published " + published + " out of range");
            }
            // Acquire: the subscriber count, released by the conductor.
            subscriberCount = (int) ShmSequence.INT.getAcquire(s, RingDescriptor.SUBSCRIBERS_OFFSET);
            if (subscriberCount < 0 || subscriberCount > header.maxSubscribers) {
                throw new CorruptSectionException(name, RingDescriptor.SUBSCRIBERS_OFFSET, "subscribers "
                    + subscriberCount + " not in [0, " + header.maxSubscribers + "]");
            }
            // Acquire: the dropped count, added atomically by the publisher.
            dropped = (long) ShmSequence.LONG.getAcquire(s, RingDescriptor.DROPPED_OFFSET);
            if (dropped < 0) {
                throw new CorruptSectionException(name, RingDescriptor.DROPPED_OFFSET, "dropped " + dropped + " < 0");
            }
            // Acquire: the parked counts (space, demand), changed in turns under a lock of the publisher's process.
            parked = (int) ShmSequence.INT.getAcquire(s, RingDescriptor.PARKED_OFFSET) > 0
                || (int) ShmSequence.INT.getAcquire(s, RingDescriptor.DEMAND_PARKED_OFFSET) > 0;
            // Acquire: the heartbeat, a System.nanoTime value released by the publisher.
            heartbeat = (long) ShmSequence.LONG.getAcquire(s, RingDescriptor.HEARTBEAT_OFFSET);
            if (terminal == TerminalState.ERRORED) {
                // Acquire (in RingHeader.terminalSequence): released after the terminal record, before the state.
                long sequence = RingHeader.terminalSequence(name, s, cursor, header.capacity / header.slotLength);
                if (sequence >= 0) {
                    error = readError(name, s, header, sequence);
                }
            }
        }

        /** Walks the committed records after the lazy position to the exact end (docs/layout.md §4.3). */
        void walkEnd() {
            end = cursor;
            publishedExact = published;
            if (header == null || problem != null) {
                return;
            }
            String name = path.getFileName().toString();
            int slotCount = header.capacity / header.slotLength;
            RecordCheck check = new RecordCheck(name, header.capacity, header.slotLength, header.maxMessageLength,
                (header.flags & RingDescriptor.FLAG_DOUBLE_MAPPED) != 0);
            try {
                long[] walked = check.walk(buffer, cursor, published, Long.MAX_VALUE);
                // Acquire: the lazy position after the walk, to tell whether the writer may have lapped it.
                long after = RingHeader.cursor(buffer);
                if (after - cursor <= slotCount / 2) {
                    end = walked[0];
                    publishedExact = walked[1];
                    endExact = true;
                }
            } catch (CorruptSectionException e) {
                // Acquire: as above; a walk the writer may have lapped read records of a later lap.
                long after = RingHeader.cursor(buffer);
                if (after - cursor <= slotCount / 2) {
                    problem = e.getMessage();
                }
            }
        }
    }

    /** Decodes the ERROR record at slot {@code sequence}, validated as a subscriber validates it. */
    static ChannelError readError(String name, ByteBuffer s, RingHeader header, long sequence) {
        int slotShift = Integer.numberOfTrailingZeros(header.slotLength);
        int index = (int) (sequence & (header.capacity / header.slotLength - 1)) << slotShift;
        boolean wraps = (header.flags & RingDescriptor.FLAG_DOUBLE_MAPPED) != 0;
        RecordCheck check = new RecordCheck(name, header.capacity, header.slotLength, header.maxMessageLength, wraps);
        // Acquire: pairs with the commit (release) of the record's header; its payload below is complete.
        long word = (long) ShmSequence.LONG.getAcquire(s, RingDescriptor.SLOTS_OFFSET + index);
        if (word == RecordDescriptor.UNCOMMITTED) {
            throw check.corrupt(index, "terminal record at seq " + sequence + " is not committed");
        }
        check.lastSlot(word, sequence, index);
        if (RecordDescriptor.type(word) != RecordDescriptor.TYPE_ERROR) {
            throw check.corrupt(index, "terminal record at seq " + sequence + " is "
                + RecordDescriptor.typeName(RecordDescriptor.type(word)) + ", not ERROR");
        }
        byte[] payload = payload(s, header.capacity, index, RecordDescriptor.length(word));
        int length = payload.length;
        if ((header.flags & RingDescriptor.FLAG_PAYLOAD_CHECKSUM) != 0) {
            length = verifiedLength(check, index, sequence, payload);
        }
        ByteBuffer view = ByteBuffer.wrap(payload, 0, length).slice().order(ByteOrder.nativeOrder());
        ErrorRecord record = ErrorRecord.decode(view, detail -> check.corrupt(index, detail + " at seq " + sequence));
        return new ChannelError(record.className(), record.message());
    }

    /** Copies a record's payload (plain loads, ordered by the acquire of its header), in two parts if it wraps. */
    static byte[] payload(ByteBuffer s, int capacity, int index, int length) {
        byte[] bytes = new byte[length];
        int start = index + RecordDescriptor.HEADER_LENGTH;
        int first = Math.max(0, Math.min(length, capacity - start));
        if (first > 0) {
            s.get(RingDescriptor.SLOTS_OFFSET + start, bytes, 0, first);
        }
        if (first < length) {
            int from = Math.max(0, start - capacity);
            s.get(RingDescriptor.SLOTS_OFFSET + from, bytes, first, length - first);
        }
        return bytes;
    }

    /** The payload's length without its trailing CRC32C, once the checksum matched (docs/layout.md §5.6). */
    static int verifiedLength(RecordCheck check, int index, long sequence, byte[] payload) {
        if (payload.length < RingDescriptor.CHECKSUM_LENGTH) {
            throw check.corrupt(index, "record at seq " + sequence + " of " + payload.length
                + " bytes has no room for its payload checksum");
        }
        int length = payload.length - RingDescriptor.CHECKSUM_LENGTH;
        CRC32C crc = new CRC32C();
        crc.update(payload, 0, length);
        int stored = ByteBuffer.wrap(payload, length, RingDescriptor.CHECKSUM_LENGTH).order(ByteOrder.nativeOrder()).getInt();
        if (stored != (int) crc.getValue()) {
            throw check.corrupt(index, "payload checksum 0x" + Integer.toHexString(stored) + " of the record at seq "
                + sequence + " (" + payload.length + " bytes) != 0x" + Integer.toHexString((int) crc.getValue())
                + " computed");
        }
        return length;
    }
}
