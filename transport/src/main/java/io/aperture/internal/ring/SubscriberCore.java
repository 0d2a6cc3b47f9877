package io.aperture.internal.ring;

import com.lmax.disruptor.AlertException;
import io.aperture.ApertureException;
import io.aperture.ChannelOptions;
import io.aperture.Codec;
import io.aperture.CorruptSectionException;
import io.aperture.IncompatibleChannelException;
import io.aperture.RemoteException;
import io.aperture.SlowSubscriberException;
import io.aperture.internal.section.ChannelLog;
import io.aperture.internal.section.ContextEntries;
import io.aperture.internal.section.DoubleMapping;
import io.aperture.internal.section.MappedSection;
import io.aperture.internal.section.SectionFaults;
import io.aperture.internal.section.OwnSubscriberSection;
import io.aperture.internal.section.PeerLiveness;
import io.aperture.internal.section.SectionPlatform;
import io.aperture.internal.section.RecordDescriptor;
import io.aperture.internal.section.RingDescriptor;
import io.aperture.internal.section.RingHeader;
import io.aperture.internal.section.SubscriberDescriptor;
import io.aperture.internal.section.SubscriberTable;
import io.aperture.internal.section.SubscriberLink;
import io.aperture.internal.section.TerminalState;
import io.aperture.internal.waiting.Backoff;
import io.aperture.internal.waiting.ParkingSpot;
import io.aperture.internal.waiting.ShmBarrier;
import io.aperture.internal.waiting.WaitStrategies;
import io.aperture.internal.waiting.Waker;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicLongFieldUpdater;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Supplier;

import static io.aperture.internal.section.SubscriberDescriptor.*;

/**
 * The subscriber end of one channel, without Reactor: the reader core under the Reactor adapter
 * ({@code bridge.SubscriberSession}, for {@link io.aperture.ChannelSubscriber#receive()}) and under the raw ring API
 * ({@link io.aperture.RingDrain}), which hand it a {@link Downstream}.
 *
 * <p>A drain thread ({@code aperture-sub-<channel>}) attaches (waiting for the ring up to the attach
 * timeout), claims a subscriber section, advertises demand, walks the committed records ({@link RingReader})
 * and signals the downstream; all signals come from that one thread (§1.3).
 * {@link #request} and {@link #cancel} may come from any thread: they update local state and unpark it; they keep
 * the Reactive Streams rules (§3.9: a non-positive request ends the stream with {@link IllegalArgumentException};
 * demand adds up to {@code Long.MAX_VALUE}; a cancel stops the signals).
 *
 * <p>Demand crosses as a replenishing window: the shared {@code requested} is at most
 * {@code min(downstream requested, delivered + window)}, raised once at most three quarters of the window
 * are outstanding ({@code advertised - delivered <= window - window / 4}), so the publisher's upstream
 * never produces more than the downstream asked for.
 */
public final class SubscriberCore<T> implements Runnable, RingReader.RecordHandler {
    /** Where the drain thread signals: every call comes from that one thread, in Reactive Streams order. */
    public interface Downstream<T> {
        /** One decoded message, within the demand requested. */
        void onNext(T value);

        /** The stream failed (the publisher's error, a dead peer, a corrupt section, a refused channel); last call. */
        void onError(Throwable error);

        /** The publisher completed and every message was delivered; last call. */
        void onComplete();
    }

    private static final long MAX_ATTACH_PARK_NS = 10_000_000L;
    /** The first step of the attach and admission back-offs. */
    private static final long FIRST_PARK_NS = 10_000L;

    @SuppressWarnings("rawtypes")
    private static final AtomicLongFieldUpdater<SubscriberCore> REQUESTED =
        AtomicLongFieldUpdater.newUpdater(SubscriberCore.class, "requested");

    private final Path directory;
    private final String channel;
    private final Codec<T> codec;
    private final ChannelOptions options;
    private final Downstream<? super T> actual;
    /** The context entries for the publisher ({@link ContextEntries}), asked once, when the section is claimed. */
    private final Supplier<byte[]> context;
    private final long intervalNs;
    /** The demand window; Long.MAX_VALUE for a {@link io.aperture.RingDrain}, whose unbounded demand crosses at once. */
    private final long window;
    private final long replenish;
    private final Thread drain;
    /** This end for the shutdown hook. */
    private final OpenChannels.End end = new OpenChannels.End() {
        @Override
        public void beginClose() {
            beginCancel();
        }

        @Override
        public Thread thread() {
            return drain;
        }
    };
    /** How long {@link #cancel()} waits for the drain thread: four liveness intervals, at least a second. */
    private final long closeWaitNs;

    private volatile long requested;
    private volatile boolean cancelled;
    /** True while the drain thread sleeps for lack of demand: request() must then wake it. */
    private volatile boolean idle;
    /** The first non-positive request amount (§3.9); valid once {@link #badRequested} is true. */
    private long badRequest;
    private volatile boolean badRequested;

    // drain thread only
    private MappedSection ring;
    /** This subscriber's double mapping of a ring whose publisher double-maps it; null: the copy path. */
    private DoubleMapping ringDoubleMapping;
    private ByteBuffer ringSection;
    private RingHeader header;
    private OwnSubscriberSection own;
    /** When the drain thread last beat the heartbeat, and the records it delivered since it last looked at the clock. */
    private long lastBeatNs;
    private int deliveredSinceClock;
    /** When {@link #clockCheck} last ended a batch (or the drain began). */
    private long batchClockNs;
    /** {@code own}'s buffer: the word this side's waker and parking spot use. */
    private ByteBuffer ownSection;
    private RingReader reader;
    /** Wakes a publisher writer waiting for space after {@code consumed}; and every sleeper at a cancel or detach. */
    private Waker waker;
    /** Wakes a publisher conductor waiting for demand after {@code requested}. */
    private Waker demandWaker;
    private PeerLiveness liveness;
    private volatile ParkingSpot spot;
    private long delivered;
    private long advertised;
    private long consumedWritten;
    private int index;
    private long subscriberId;
    private int slotCount;
    /** The ring's publisher drops slow subscribers: each record is checked against the dropped word. */
    private boolean dropsSlowest;
    /** The terminal record was read again after admission past it; only once. */
    private boolean terminalReread;
    private boolean completed;
    private Throwable terminalError;

    /**
     * @param actual          where the drain thread signals
     * @param context         the context entries for the publisher, encoded ({@link ContextEntries#encode})
     * @param unboundedDemand the downstream requests {@code Long.MAX_VALUE} at once ({@link io.aperture.RingDrain}): it
     *                        is advertised as such, with no window, so the publisher asks its source once
     */
    public SubscriberCore(Path directory, String channel, Codec<T> codec, ChannelOptions options,
                          Downstream<? super T> actual, Supplier<byte[]> context, boolean unboundedDemand) {
        this.directory = directory;
        this.channel = channel;
        this.codec = codec;
        this.options = options;
        this.actual = actual;
        this.context = context;
        this.intervalNs = options.livenessInterval().toNanos();
        this.closeWaitNs = Math.max(java.util.concurrent.TimeUnit.SECONDS.toNanos(1), 4 * intervalNs);
        this.window = unboundedDemand ? Long.MAX_VALUE : options.demandWindow();
        this.replenish = Math.max(1, window / 4);
        this.drain = new Thread(this, "aperture-sub-" + channel);
        this.drain.setDaemon(true);
    }

    /** Starts the drain thread; the adapter has handed its downstream the subscription before. */
    public void start() {
        drain.start();
        OpenChannels.opened(end);
    }

    /** Adds {@code n} to the downstream's demand (capped at {@code Long.MAX_VALUE}); any thread. */
    public void request(long n) {
        if (n <= 0) {
            if (!badRequested) {
                badRequest = n;
                badRequested = true; // volatile store publishes badRequest to the drain thread
            }
        } else {
            long current;
            long next;
            do {
                current = requested;
                next = current + n < 0 ? Long.MAX_VALUE : current + n; // capped: unbounded once it overflows
            } while (current != Long.MAX_VALUE && !REQUESTED.compareAndSet(this, current, next));
        }
        LockSupport.unpark(drain);
        wakeIfIdle();
    }

    /** Wakes the drain thread if it sleeps on the ring's futex for lack of demand (no system call otherwise). */
    private void wakeIfIdle() {
        ParkingSpot s = spot;
        if (idle && s != null) {
            s.wakeSleepers();
        }
    }

    /**
     * Cancels, and waits (at most {@link #closeWaitNs}) until the drain thread has detached and removed this
     * subscriber's section; on the drain thread itself (a cancel from {@code onNext}) it only asks.
     */
    public void cancel() {
        beginCancel();
        OpenChannels.awaitEnd(drain, closeWaitNs);
    }

    private void beginCancel() {
        cancelled = true;
        LockSupport.unpark(drain);
        ParkingSpot s = spot;
        if (s != null) {
            s.wakeSleepers(); // the drain thread may sleep on the ring's futex, which unpark does not end
        }
    }

    @Override
    public void run() {
        Throwable failure = null;
        // The JVM raises InternalError when a mapped page faults (SIGBUS: the ring's file or this subscriber's own was
        // truncated by another process), and may raise it a few instructions after the access (SectionFaults): past
        // the catch around it, or in that catch. So every step is marked done before it runs, and the loop catches
        // what the inner catch is hit by; a fault is raised once, so it ends.
        boolean drained = false;
        boolean detached = false;
        boolean signalled = false;
        while (!signalled) {
            try {
                try {
                    if (!drained) {
                        drained = true;
                        if (attach() && awaitAdmission()) {
                            drainLoop();
                        }
                    }
                    if (!detached) {
                        detached = true;
                        try {
                            sayEnd(failure);
                        } catch (Throwable t) {
                            // its section faults (truncated): the end goes unsaid; the detach below names the fault
                        }
                        try {
                            detach();
                        } finally {
                            OpenChannels.closed(end);
                        }
                    }
                    signalled = true;
                    signal(failure);
                } catch (Throwable t) {
                    failure = withFailure(failure, t);
                }
            } catch (Throwable late) {
                failure = withFailure(failure, late);
            }
        }
    }

    private Throwable withFailure(Throwable failure, Throwable next) {
        if (failure == null && own != null && ring != null && !SectionFaults.isFault(next)) {
            // A truncation of either file may be why this side failed: a word found zeroed (the tail of the last page,
            // which a truncation clears), or a publisher that ended or died on it first. The truncation names the file
            // and its new length: it is the cause to report. One fstat per file, on the failure path only.
            try {
                checkLengths();
            } catch (CorruptSectionException truncated) {
                truncated.addSuppressed(next);
                return truncated;
            } catch (RuntimeException | InternalError unreadable) {
                next.addSuppressed(unreadable);
            }
        }
        return SectionFaults.withFailure(failure, next, this::fault);
    }

    /** Says in the own section why this subscriber leaves, for the publisher's report ({@code PublishReport}). */
    private void sayEnd(Throwable failure) {
        if (own == null) {
            return;
        }
        if (badRequested) {
            own.sayEnd(SubscriberDescriptor.END_FAILED, "§3.9 violated: positive request amount required but it was "
                + badRequest);
        } else if (cancelled) {
            own.sayEnd(SubscriberDescriptor.END_CANCELLED, failure == null ? "" : failure.toString());
        } else if (failure != null) {
            own.sayEnd(SubscriberDescriptor.END_FAILED, failure.toString());
        } else if (terminalError != null || completed) {
            own.sayEnd(SubscriberDescriptor.END_READ_TO_END, terminalError == null ? "" : terminalError.toString());
        }
    }

    private void signal(Throwable failure) {
        if (failure instanceof IncompatibleChannelException) {
            ChannelLog.log().warn("channel '{}': subscriber refused the channel: {}", channel, failure.getMessage());
        } else if (failure != null && !cancelled) {
            ChannelLog.log().warn("channel '{}': subscriber {} ended with {}", channel, index, failure.toString());
        } else if (terminalError != null && !cancelled) {
            ChannelLog.log().warn("channel '{}': subscriber {} ended with the publisher's error {}", channel, index,
                terminalError.toString());
        }
        if (cancelled) {
            if (failure != null) {
                // The downstream cancelled and wants no signal; what the drain thread met while it detached (often the
                // publisher's end, found after the cancel) is logged, not raised as a dropped error.
                ChannelLog.log().debug("channel '{}': subscriber {} met {} after its downstream cancelled", channel, index,
                    failure.toString());
            }
            return;
        }
        if (badRequested) {
            actual.onError(new IllegalArgumentException("§3.9 violated: positive request amount required but it was "
                + badRequest));
        } else if (failure != null) {
            actual.onError(failure);
        } else if (terminalError != null) {
            actual.onError(terminalError);
        } else if (completed) {
            actual.onComplete();
        }
    }

    // ---------------------------------------------------------------- attach and detach

    /** Attaches ({@link RingAttachment}) and sets this side's waker, spot and liveness up; false when cancelled first. */
    private boolean attach() throws IOException {
        RingAttachment.Attached a = new RingAttachment(directory, channel, codec, options,
            () -> cancelled || badRequested,
            context).attach();
        if (a == null) {
            return false;
        }
        own = a.own();
        ownSection = own.buffer();
        index = a.index();
        subscriberId = own.subscriberId();
        ring = a.ring();
        ringSection = ring.buffer();
        header = a.header();
        ringDoubleMapping = a.doubleMapping();
        slotCount = header.capacity / header.slotLength;
        dropsSlowest = (header.flags & RingDescriptor.FLAG_DROP_SLOWEST) != 0;
        consumedWritten = SubscriberLink.NOT_STARTED; // as written at the claim, not as read back
        waker = new Waker(ownSection, WAKE_OFFSET, RingDescriptor.PARKED_OFFSET);
        waker.addPeer(ringSection);
        // requested wakes the conductor, announced in its own word: a consumed store does not wake it, nor this the writer.
        // An earlier build's publisher (no flag) announces both waits in the one parked word.
        demandWaker = new Waker(ownSection, WAKE_OFFSET, (header.flags & RingDescriptor.FLAG_DEMAND_PARKED) != 0
            ? RingDescriptor.DEMAND_PARKED_OFFSET : RingDescriptor.PARKED_OFFSET);
        demandWaker.addPeer(ringSection);
        liveness = SectionPlatform.current().liveness(a.ringName(), ring, header.publisher, ringSection,
            RingDescriptor.HEARTBEAT_OFFSET, options.heartbeatTimeout().toNanos());
        spot = new ParkingSpot(ownSection, PARKED_OFFSET, ringSection, RingDescriptor.WAKE_OFFSET, true);
        return true;
    }

    /** A drain loop that reads on every poll looks at the clock once in this many + 1 polls, for its housekeeping. */
    private static final int BUSY_CLOCK_MASK = 15;
    /**
     * The longest a batch runs (looked at every {@code BUSY_CLOCK_MASK + 1} deliveries) before it ends and stores
     * {@code consumed}: behind a slow downstream the writer regains space every millisecond (or 16 messages), not
     * once per quarter ring; a fast reader, whose quarter-ring batches take less, pays one extra store a millisecond.
     * Not on a channel that drops slow subscribers (see {@link #onData}).
     */
    private static final long MAX_BATCH_NS = 1_000_000L;

    /**
     * Waits until the publisher admits this subscriber (its id in the ring's table), then starts reading
     * where the publisher said. A subscriber that comes after the stream's end reads the terminal record.
     * Returns false when cancelled first.
     */
    private boolean awaitAdmission() {
        String ringName = channel + ".ring";
        long deadline = System.nanoTime() + options.attachTimeoutNanos();
        long nextHousekeeping = System.nanoTime() + intervalNs;
        Backoff backoff = new Backoff(FIRST_PARK_NS, MAX_ATTACH_PARK_NS / 10);
        while (true) {
            if (cancelled || badRequested) {
                return false;
            }
            long admitted = SubscriberTable.admittedId(ringSection, index); // acquire: start below is complete
            if (admitted == subscriberId) {
                long start = SubscriberTable.start(ringSection, index);
                // The cursor is the publisher's lazy position: the start it chose is within one ring of it.
                long cursor = RingHeader.cursor(ringSection);
                if (start < -1 || start - cursor > slotCount || cursor - start > slotCount) {
                    throw new CorruptSectionException(ringName, SubscriberTable.startOffset(index),
                        "start " + start + " of subscriber " + index + " outside [cursor " + cursor + " - " + slotCount
                        + ", cursor + " + slotCount + "]");
                }
                consumedWritten = start;
                // Release: from here the publisher gates the ring on this subscriber's own position.
                own.consumed().set(start);
                reader = newReader(own.consumed());
                return true;
            }
            int terminal = RingHeader.terminalState(ringSection);
            if (terminal == TerminalState.COMPLETED || terminal == TerminalState.ERRORED) {
                long sequence = RingHeader.terminalSequence(ringName, ringSection, RingHeader.cursor(ringSection), slotCount);
                if (sequence >= 0) {
                    // The stream ended before this subscriber was admitted: deliver its terminal signal (§1.4).
                    terminalReread = true;
                    reader = newReader(new com.lmax.disruptor.Sequence(sequence - 1));
                    return true;
                }
            }
            if (terminal != TerminalState.OPEN && terminal != TerminalState.COMPLETED && terminal != TerminalState.ERRORED) {
                throw new ApertureException("channel '" + channel + "': publisher " + header.publisher + " ended the channel ("
                    + TerminalState.name(terminal) + ") before admitting this subscriber");
            }
            long now = System.nanoTime();
            if (now - nextHousekeeping >= 0) {
                nextHousekeeping = now + intervalNs;
                checkLengths();
                own.heartbeat(now);
                String death = liveness.check(now);
                if (death != null && RingHeader.terminalState(ringSection) != TerminalState.OPEN) {
                    // It ended the channel, then let go of its lock, after this loop read the state: its state says why.
                    continue;
                }
                if (death != null) {
                    throw new ApertureException("channel '" + channel + "': publisher process " + death
                        + " before admitting this subscriber");
                }
                verifyOwnSection();
            }
            if (now - deadline >= 0) {
                throw new ApertureException("channel '" + channel + "': publisher " + header.publisher
                    + " did not admit this subscriber (section " + own.path().getFileName() + ") within "
                    + ChannelOptions.describe(options.attachTimeoutNanos()));
            }
            backoff.park(this, deadline - now);
        }
    }

    /** A reader of the ring from {@code consumed + 1}, in place (double mapped or not) or through the copy path. */
    private RingReader newReader(com.lmax.disruptor.Sequence consumed) {
        return new RingReader(channel + ".ring", ringSection, (header.flags & RingDescriptor.FLAG_DOUBLE_MAPPED) != 0,
            ringDoubleMapping == null ? null : ringDoubleMapping.buffer(), consumed, header.capacity, header.slotLength,
            header.maxMessageLength).fragments(header.maxFragmentedLength, options.maxFragmentedMessageLength())
            .checksums((header.flags & RingDescriptor.FLAG_PAYLOAD_CHECKSUM) != 0);
    }

    /** Throws {@link SlowSubscriberException} if the publisher dropped this subscriber. */
    private void checkDropped() {
        long lag = SubscriberTable.droppedAfterRecord(ringSection, index); // LoadLoad, then opaque: after the record

        if (lag != 0) {
            if ((header.flags & RingDescriptor.FLAG_DROP_SLOWEST) == 0 || lag < 0 || lag > header.capacity) {
                throw new CorruptSectionException(channel + ".ring", SubscriberTable.droppedOffset(index),
                    "dropped word " + lag + " of subscriber " + index + " is not a lag in [1, " + header.capacity
                    + "] of a channel that drops slow subscribers (flags " + header.flags + ")");
            }
            throw new SlowSubscriberException(channel, lag, delivered);
        }
    }

    /** Detaches; a section that faults (its file truncated) is let go all the same, and the fault thrown at the end. */
    private void detach() {
        Throwable failed = null;
        if (own != null) {
            try {
                own.detach();
                waker.wakeAll();
            } catch (Throwable t) {
                failed = SectionFaults.isFault(t) ? fault((InternalError) t) : t; // named while the files are open
            }
            own.unlink(); // again: a fault raised late may have cut detach short before its unlink
            own.close();
            own = null;
        }
        if (ring != null) {
            if (ringDoubleMapping != null) {
                ringDoubleMapping.close(); // the descriptor only: the memory goes when nothing refers to it
                ringDoubleMapping = null;
            }
            ring.close();
            ring = null;
        }
        if (failed instanceof RuntimeException e) {
            throw e;
        } else if (failed instanceof Error e) {
            throw e;
        }
    }

    /** The exception for a fault of a mapped page: the ring's file or this subscriber's was truncated. */
    private CorruptSectionException fault(InternalError fault) {
        if (own == null && ring == null) {
            // Raised past the attachment's own catch (SectionFaults): its mappings are closed, the file unknown.
            CorruptSectionException corrupt = new CorruptSectionException(channel + ".ring", 0, "a section became "
                + "inaccessible while attaching (the ring's file, or this subscriber's, was truncated by another "
                + "process): " + fault.getMessage());
            corrupt.initCause(fault);
            return corrupt;
        }
        return SectionFaults.corrupt(fault, own != null ? own.mapped() : null, ring);
    }

    // ---------------------------------------------------------------- draining

    private void drainLoop() throws Exception {
        // Waits for the header of the next record to be committed (the reader may be replaced: read it each time).
        com.lmax.disruptor.Sequence nextCommitted = new com.lmax.disruptor.Sequence() {
            @Override
            public long get() {
                return reader.committed().get();
            }
        };
        ShmBarrier dataBarrier = new ShmBarrier(WaitStrategies.of(options.waiting(), spot), nextCommitted, this::shouldWake);
        long nextHousekeeping = System.nanoTime() + intervalNs;
        batchClockNs = nextHousekeeping - intervalNs;
        String publisherDeath = null;
        long deliveredStored = 0;
        int pollsSinceClock = 0;
        while (true) {
            if (cancelled || badRequested) {
                return;
            }
            long demanded = requested;
            advertise(demanded);
            if (demanded > delivered) {
                boolean read;
                try {
                    read = reader.poll(this);
                } catch (CorruptSectionException e) {
                    checkDropped(); // overwritten because the publisher dropped this subscriber: say so
                    throw e;
                }
                long consumedBefore = consumedWritten;
                if (!terminalReread) {
                    consumedWritten = reader.expectedConsumed();
                }
                if (delivered != deliveredStored) {
                    deliveredStored = delivered;
                    own.delivered(delivered);
                }
                if (consumedWritten != consumedBefore) {
                    // consumed moved (a batch of only fragments or padding moves it too, delivering nothing): a
                    // publisher waiting for space may go on. No fence per poll: settled before a wait.
                    waker.wakeIfSeenParked();
                }
                if (reader.terminated()) {
                    return;
                }
                if (read && ((++pollsSinceClock & BUSY_CLOCK_MASK) != 0 || System.nanoTime() - nextHousekeeping < 0)) {
                    continue;
                }
                // Nothing read, or busy all along and the housekeeping is due all the same: a subscriber that is never
                // idle still beats its heartbeat and checks its publisher and its own section.
            } else {
                int next = reader.peekNextType();
                if (next == RecordDescriptor.TYPE_COMPLETE || next == RecordDescriptor.TYPE_ERROR) {
                    reader.poll(this);
                    if (reader.terminated()) {
                        return;
                    }
                }
            }
            long now = System.nanoTime();
            if (now - nextHousekeeping >= 0) {
                nextHousekeeping = now + intervalNs;
                checkLengths();
                lastBeatNs = now;
                own.heartbeat(now);
                publisherDeath = liveness.check(now);
                verifyOwnSection();
                if (!terminalReread) {
                    checkDropped();
                }
            }
            int terminal = RingHeader.terminalState(ringSection);
            if (terminal < TerminalState.OPEN || terminal > TerminalState.CLOSED) {
                throw new CorruptSectionException(channel + ".ring", RingDescriptor.TERMINAL_OFFSET,
                    "unknown terminal state " + terminal);
            }
            if ((terminal == TerminalState.COMPLETED || terminal == TerminalState.ERRORED) && !reader.hasUnread()) {
                long cursor = RingHeader.cursor(ringSection);
                long sequence = RingHeader.terminalSequence(channel + ".ring", ringSection, cursor, slotCount);
                if (sequence >= 0 && sequence < reader.nextRecord() && !terminalReread) {
                    // Admitted after the terminal record was written: read that record itself (§1.4).
                    terminalReread = true;
                    reader = newReader(new com.lmax.disruptor.Sequence(sequence - 1));
                    continue;
                }
                // The publisher commits the terminal record (release) before the state: seeing the state (acquire)
                // with no record committed at this reader's next slot means the section is inconsistent.
                throw new CorruptSectionException(channel + ".ring", RingDescriptor.TERMINAL_OFFSET, "terminal state "
                    + TerminalState.name(terminal) + " but no terminal record committed at seq " + reader.nextRecord()
                    + " (cursor " + cursor + ")");
            }
            if ((terminal != TerminalState.OPEN && terminal != TerminalState.COMPLETED && terminal != TerminalState.ERRORED)
                || publisherDeath != null) {
                // The publisher ended without a terminal record, or died: what it published is still read first.
                if (!reader.hasUnread()) {
                    verifyOwnSection(); // a third party that wrote our section may be why the publisher ended
                    throw publisherGone(terminal, publisherDeath);
                }
                if (demanded > delivered) {
                    continue;
                }
            }
            waker.settle(); // before any wait: a publisher must not sleep on space this thread already freed
            if (demanded > delivered) {
                try {
                    dataBarrier.waitFor(reader.nextRecord(), nextHousekeeping);
                } catch (AlertException e) {
                    // stop condition or housekeeping: the loop looks at each
                }
            } else {
                idleUntilDemand(nextHousekeeping - now);
            }
        }
    }

    /**
     * No downstream demand: sleep on the ring's wake word (so a terminal record, which needs no demand,
     * wakes this thread) until {@code request}, {@code cancel} or the housekeeping deadline.
     */
    private void idleUntilDemand(long timeoutNs) {
        int wake = spot.wakeValue();
        spot.announce(wake);
        idle = true; // volatile: request() reads it after its own volatile RMW of the demand (Dekker, in-process)
        try {
            if (requested > delivered || cancelled || badRequested
                || RingHeader.terminalState(ringSection) != TerminalState.OPEN || reader.hasUnread()
                && isTerminalRecordNext()) {
                return;
            }
            spot.sleep(wake, Math.max(1, timeoutNs));
        } finally {
            idle = false;
            spot.withdraw();
        }
    }

    private boolean isTerminalRecordNext() {
        int next = reader.peekNextType();
        return next == RecordDescriptor.TYPE_COMPLETE || next == RecordDescriptor.TYPE_ERROR;
    }

    private ApertureException publisherGone(int terminal, String publisherDeath) {
        // A publisher that set an end state said why it ended; its process may have exited (its lock freed) a moment
        // later, before this subscriber looked. Only a publisher that left the ring OPEN died without a word.
        if (publisherDeath != null && terminal == TerminalState.OPEN) {
            return new ApertureException("channel '" + channel + "': publisher process " + publisherDeath + " after "
                + delivered + " message(s) were delivered");
        }
        return new ApertureException("channel '" + channel + "': publisher " + header.publisher + " ended the channel ("
            + TerminalState.name(terminal) + ") without completing, after " + delivered + " message(s)");
    }

    /**
     * Beats the heartbeat if a liveness interval passed since the last beat; returns whether the batch under way
     * should end, because {@link #MAX_BATCH_NS} passed since the last batch this check ended. The drain thread only.
     */
    private boolean clockCheck() {
        long now = System.nanoTime();
        if (now - lastBeatNs >= intervalNs) {
            lastBeatNs = now;
            own.heartbeat(now);
        }
        if (now - batchClockNs >= MAX_BATCH_NS) {
            batchClockNs = now;
            return true;
        }
        return false;
    }

    /** Neither file was truncated under its mapping ({@link SectionFaults#checkLength}): one system call each. */
    private void checkLengths() {
        SectionFaults.checkLength(own.mapped());
        SectionFaults.checkLength(ring);
    }

    /** Nobody but this subscriber wrote into its section (see {@link OwnSubscriberSection#verify}). */
    private void verifyOwnSection() {
        own.verify(advertised, consumedWritten);
    }

    private boolean shouldWake() {
        return cancelled || badRequested || RingHeader.terminalState(ringSection) != TerminalState.OPEN;
    }

    /**
     * Raises the shared {@code requested} to {@code min(demanded, delivered + window)} once at least a
     * quarter of the window was delivered since the last raise (or nothing is outstanding).
     */
    private void advertise(long demanded) {
        long limit = delivered + window < 0 ? Long.MAX_VALUE : delivered + window;
        long target = Math.min(demanded, limit);
        if (target > advertised && advertised - delivered <= window - replenish) {
            advertised = target;
            // Release: the publisher reads the new demand with acquire; it orders after our consumed stores.
            own.requested().set(target);
            demandWaker.wakeIfParked();
        }
    }

    // ---------------------------------------------------------------- records (called by the poller)

    @Override
    public boolean onData(ByteBuffer payload, long sequence) {
        int length = payload.remaining();
        T value;
        try {
            value = codec.decode(payload);
        } catch (Throwable e) {
            if (SectionFaults.isFault(e)) {
                throw (InternalError) e; // a fault of the section (truncated) the payload is in: named by run()
            }
            throw new ApertureException("channel '" + channel + "': codec '" + codec.name() + "' failed to decode the "
                + length + "-byte record at seq " + sequence + ": " + e, e);
        }
        if (dropsSlowest) {
            checkDropped(); // a record overwritten while it was decoded is never delivered
        }
        if (value == null) {
            throw new ApertureException("channel '" + channel + "': codec '" + codec.name()
                + "' decoded null from the record at seq " + sequence + " (§2.13)");
        }
        delivered++;
        actual.onNext(value);
        boolean batchDue = false;
        if ((++deliveredSinceClock & BUSY_CLOCK_MASK) == 0) {
            // One poll may deliver a quarter ring to a slow downstream: the heartbeat goes on meanwhile, and the batch
            // ends once it has run for MAX_BATCH_NS, so consumed (stored at its end) returns space to the writer.
            // Not on a channel that drops slow subscribers: its writer judges the holder of a full ring by whether every
            // write waits for space, which a holder that returned space in small steps would hide (docs/multicast.md).
            batchDue = clockCheck() && !dropsSlowest;
        }
        long demanded = requested;
        if (advertised - delivered <= window - replenish) {
            advertise(demanded); // top up within a long batch, so the publisher never waits for its end
        }
        return !cancelled && demanded > delivered && !batchDue;
    }

    @Override
    public void onComplete() {
        completed = true;
    }

    @Override
    public void onError(String remoteClassName, String remoteMessage) {
        terminalError = new RemoteException(channel, remoteClassName, remoteMessage);
    }
}
