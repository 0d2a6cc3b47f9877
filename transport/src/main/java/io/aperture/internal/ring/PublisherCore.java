package io.aperture.internal.ring;

import com.lmax.disruptor.AlertException;
import com.lmax.disruptor.Sequence;
import io.aperture.ApertureException;
import io.aperture.ChannelOptions;
import io.aperture.Codec;
import io.aperture.CorruptSectionException;
import io.aperture.PublishReport;
import io.aperture.SubscriberEnd;
import io.aperture.MessageTooLargeException;
import io.aperture.internal.section.ChannelLog;
import io.aperture.internal.section.MappedSection;
import io.aperture.internal.section.OwnRingSection;
import io.aperture.internal.section.RecordDescriptor;
import io.aperture.internal.section.RingDescriptor;
import io.aperture.internal.section.RingHeader;
import io.aperture.internal.section.SectionFaults;
import io.aperture.internal.section.SectionPlatform;
import io.aperture.internal.section.ShmSequence;
import io.aperture.internal.section.SubscriberDescriptor;
import io.aperture.internal.section.SubscriberLink;
import io.aperture.internal.section.SubscriberTable;
import io.aperture.internal.section.TerminalState;
import io.aperture.internal.waiting.Backoff;
import io.aperture.internal.waiting.ParkingSpot;
import io.aperture.internal.waiting.PeerSet;
import io.aperture.internal.waiting.ShmBarrier;
import io.aperture.internal.waiting.WaitStrategies;
import io.aperture.internal.waiting.Waker;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.LockSupport;

/**
 * The publisher end of one channel, without Reactor: the ring, its subscribers and its writer. The Reactor adapter
 * ({@link PublisherSession}, for {@link io.aperture.ChannelPublisher#publish}) and the raw ring API
 * ({@link io.aperture.RingPublisher}) are thin layers over it; each tells it what produces the values through
 * {@link Upstream}, and hears how the channel ended through {@link Outcome}.
 *
 * <p>Two threads work here. The <em>conductor</em> ({@code aperture-pub-<channel>}) creates the ring,
 * waits for a first subscriber, starts the upstream once its first demand crossed (or at admission), admits later
 * subscribers, turns their shared {@code requested} counters into {@link Upstream#request} (never more than the
 * slowest allows), watches for cancel and death, and beats the heartbeat. The <em>writer</em> is whatever thread
 * produces ({@link #onNext}, {@link #offer}, {@link #onComplete}, {@link #onError}): it encodes each value in place
 * in the ring, waiting for space when the ring is full, like a Disruptor producer. Terminal signals are in-band
 * records written by the writer, so they follow the last element.
 *
 * <p><b>Admission.</b> A subscriber claims its section with {@code consumed = NOT_STARTED} and waits. The
 * conductor holds the ring at a floor no later than any live subscriber's position, adds the newcomer's
 * gating sequence, then chooses its start: the writer's last (cursor, count) pair ({@link ChannelOptions.JoinAt#LATEST}),
 * or the oldest position a live subscriber still holds ({@link ChannelOptions.JoinAt#OLDEST}, counting the DATA records
 * after it). It writes start and base in the ring's subscriber table, then the subscriber's id (release):
 * the subscriber stores {@code consumed = start} and reads from there. Its demand counts from {@code base}.
 *
 * <p><b>Demand.</b> Upstream demand never exceeds {@code min over admitted subscribers (base + requested)}:
 * the slowest subscriber's demand bounds what the upstream is asked for. Demand already requested upstream
 * cannot be taken back: a subscriber admitted later with less demand is served from the ring, gated as usual.
 *
 * <p><b>Slow subscribers.</b> Under {@link ChannelOptions.SlowConsumerPolicy#BLOCK} the slowest subscriber
 * gates the ring. Under {@code DROP_SLOWEST} the writer, waiting for space, drops the subscriber that holds
 * the ring once its lag exceeds the drop lag or the wait the drop time: it marks the table entry dropped
 * (release, then a store-store fence) before it can overwrite a slot that subscriber did not read.
 */
public final class PublisherCore<T> implements Runnable {
    /**
     * What produces the values, as the core sees it: a Reactive Streams source behind {@link PublisherSession}, or
     * the calling threads of {@link io.aperture.RingPublisher}. Its {@code request} and {@code cancel} are never
     * called at the same time (§2.7).
     */
    public interface Upstream {
        /**
         * Conductor thread: the first subscriber was admitted (with {@code startAtAdmission}) or its first demand
         * crossed; the upstream may produce from now on. It calls {@link PublisherCore#upstreamReady()} once it can
         * take requests (at once, or when a source's onSubscribe arrives).
         */
        void start();

        /** Conductor thread: the subscribers allow {@code delta} more ({@code Long.MAX_VALUE}: unbounded). */
        void request(long delta);

        /** Stop producing; may be called more than once. */
        void cancel();
    }

    /** How the channel ended, for whoever started it; and failures that no one else can be told of. */
    public interface Outcome {
        /** The stream ended (completed, or every subscriber left, or it was closed). */
        void completed();

        /** The channel failed. */
        void failed(Throwable failure);

        /** A failure after the outcome was signalled, or while the channel ended: Reactor's onErrorDropped. */
        void dropped(Throwable failure);
    }

    private static final int RUNNING = 0;
    private static final int COMPLETED = 1;
    private static final int ERRORED = 2;
    private static final long MAX_SCAN_PARK_NS = 1_000_000L;
    /** The first step of the back-offs for a first subscriber and for the upstream's onSubscribe. */
    private static final long FIRST_PARK_NS = 10_000L;
    /** On a synchronous upstream the conductor writes; it looks at the clock for housekeeping this often. */
    private static final int HOUSEKEEPING_CHECK_MASK = 255;


    private final Path directory;
    private final String channel;
    private final Codec<T> codec;
    private final ChannelOptions options;
    private final Upstream upstream;
    private final Outcome done;
    /** Start the upstream at the first admission ({@link io.aperture.RingPublisher}); else once the first demand crossed. */
    private final boolean subscribeAtAdmission;
    /** The upstream was started; conductor thread only. */
    private boolean sourceSubscribed;
    /** The upstream can take requests ({@link #upstreamReady}). */
    private volatile boolean upstreamIsReady;
    private final long intervalNs;
    private final boolean dropsSlowest;
    /** The writer waits for space in slices this long: the liveness interval, or the drop time if shorter. */
    private final long writeSliceNs;

    private OwnRingSection ring;
    private ByteBuffer section;
    private RingSequencer sequencer;
    private RingWriter writer;
    /** Finds, admits and retires the subscribers, and keeps how each one's part ended. */
    private SubscriberRoster roster;
    /** Checks, once a liveness interval, that nobody else wrote into this publisher's ring. */
    private OwnRingAudit audit;
    private Waker waker;
    private volatile Thread conductor;
    /** This end for the shutdown hook. */
    private final OpenChannels.End end = new OpenChannels.End() {
        @Override
        public void beginClose() {
            PublisherCore.this.beginClose();
        }

        @Override
        public Thread thread() {
            return conductor;
        }
    };
    /** How long {@link #close()} waits for the conductor: four liveness intervals, at least a second. */
    private final long closeWaitNs;
    /** The writer sleeps here for space, on the word of a subscriber that holds the ring. */
    private ParkingSpot writerSpot;
    /** The conductor sleeps here for demand, on the word of the subscriber that allows least. */
    private ParkingSpot conductorSpot;

    /**
     * The admitted subscribers, the one set the writer gates on, the waker wakes, both spots sleep on and the
     * conductor serves: changed by the conductor (admission, retirement) and the writer (a drop).
     */
    private final PeerSet<SubscriberLink> subscribers =
        new PeerSet<>(SubscriberDescriptor.WAKE_OFFSET, SubscriberDescriptor.PARKED_OFFSET, SubscriberLink[]::new);
    private volatile boolean closing;
    /** This publisher is setting its ring's terminal state (any thread): stored before the state itself. */
    private volatile boolean endingRing;
    /** Set by the conductor once the stream ended and the ring stays for {@code linger}. */
    private volatile boolean lingering;
    private volatile boolean cancelFromConductor;
    /** The Reactor context entries of the first admitted subscriber, for the upstream's context. */
    private volatile Map<String, String> remoteContext = Map.of();
    /** Set once the upstream was cancelled: {@link Upstream#cancel} is called once. */
    private volatile boolean upstreamCancelled;
    private volatile int sinkState = RUNNING;
    private volatile Throwable sinkFailure;
    private long upstreamRequested;
    private long nextHousekeeping;
    private int writesSinceClock;
    /** Writer thread: the element {@link #dataWrite} writes (one reusable write, no lambda per element). */
    private T dataValue;
    private final RecordWrite dataWrite;
    /** Writer thread: since when every write has had to wait for space (0: the last one did not). */
    private long ringFullSinceNs;
    /** This incarnation's session id, kept here: the mapped copy may be overwritten by another process. */
    private long sessionId;
    /** Min over the admitted subscribers of what each allows the upstream to have produced. */
    private final Sequence demand = new Sequence() {
        @Override
        public long get() {
            long min = Long.MAX_VALUE;
            for (SubscriberLink link : links()) {
                min = Math.min(min, link.allowed.get());
            }
            return min;
        }
    };

    public PublisherCore(Path directory, String channel, Codec<T> codec, ChannelOptions options, Upstream upstream,
                         Outcome done, boolean subscribeAtAdmission) {
        this.subscribeAtAdmission = subscribeAtAdmission;
        this.directory = directory;
        this.channel = channel;
        this.codec = codec;
        this.options = options;
        this.upstream = upstream;
        this.done = done;
        this.intervalNs = options.livenessInterval().toNanos();
        this.closeWaitNs = Math.max(java.util.concurrent.TimeUnit.SECONDS.toNanos(1), 4 * intervalNs);
        this.dropsSlowest = options.slowConsumerPolicy() == ChannelOptions.SlowConsumerPolicy.DROP_SLOWEST;
        this.writeSliceNs = dropsSlowest ? Math.min(intervalNs, options.dropTime().toNanos()) : intervalNs;
        this.dataWrite = slice -> writer.writeDataWithin(codec, dataValue, slice);
    }

    /** Creates the ring section and starts the conductor. Failures are thrown to the caller. */
    public void start() {
        // Before the ring exists: a shutdown from here on waits for the conductor, which removes the ring.
        OpenChannels.opened(end);
        try {
            createRingAndStart();
        } catch (RuntimeException | Error e) {
            OpenChannels.closed(end);
            throw e;
        }
    }

    private void createRingAndStart() {
        options.validateRing();
        RingHeader.codecNameBytes(codec);
        ring = OwnRingSection.create(directory, channel, options, codec);
        section = ring.buffer();
        sessionId = ring.sessionId();
        writerSpot = new ParkingSpot(section, RingDescriptor.PARKED_OFFSET, false, subscribers, PeerSet.Peer::gating);
        // Its own parked word: a subscriber's consumed stores (per batch) wake the writer only, not this demand wait.
        conductorSpot = new ParkingSpot(section, RingDescriptor.DEMAND_PARKED_OFFSET, false, subscribers,
            PeerSet.Peer::demand);
        sequencer = new RingSequencer(options.ringCapacity() / options.slotLength(),
            WaitStrategies.of(options.waiting(), writerSpot), this::writerShouldStop, subscribers);
        waker = new Waker(section, RingDescriptor.WAKE_OFFSET, subscribers);
        writer = new RingWriter(channel, section, ring.doubledSlots(), sequencer,
            options.ringCapacity(), options.slotLength(), options.maxMessageLength(),
            options.maxFragmentedMessageLength(), waker);
        writer.checksums(options.payloadChecksums());
        roster = new SubscriberRoster(directory, channel, options, section, sessionId, writer, waker, subscribers);
        audit = new OwnRingAudit(ring, writer, options.ringCapacity() / options.slotLength(), options.slotLength(),
            this::endingOrEnded);
        Thread thread = new Thread(this, "aperture-pub-" + channel);
        thread.setDaemon(true);
        writer.burstThread(thread); // published to the conductor by its start
        thread.start();
        conductor = thread; // once started: whoever joins it (close, the shutdown hook) waits for its end
    }

    @Override
    public void run() {
        conductor = Thread.currentThread(); // also stored by start(): whichever comes first, the same thread
        Runnable outcome = null;
        Throwable failure = null;
        boolean conducted = false;
        boolean ended = false;
        // A fault may be raised a few instructions after its access (SectionFaults): past the catch around it, or in
        // that catch. Each step is marked done before it runs, and the loop catches what the inner catch is hit by.
        while (outcome == null) {
            try {
                try {
                    if (!conducted) {
                        conducted = true;
                        outcome = conduct();
                    } else if (failure != null) {
                        if (!ended) {
                            ended = true;
                            cancelUpstream();
                            endRing(TerminalState.CLOSED);
                        }
                        Throwable reported = failure;
                        ChannelLog.log().warn("channel '" + channel + "': publisher ended with " + reported, reported);
                        outcome = () -> done.failed(reported);
                    }
                } catch (Throwable t) {
                    failure = withFailure(failure, t);
                }
            } catch (Throwable late) {
                failure = withFailure(failure, late);
            }
        }
        finish(outcome);
        OpenChannels.closed(end);
    }

    private Throwable withFailure(Throwable failure, Throwable next) {
        return SectionFaults.withFailure(failure, next, this::fault);
    }

    /**
     * Signals {@code outcome} and removes the channel's files, whatever faults on the way. The JVM may raise the
     * fault of an access to a truncated section a few instructions after it ({@link SectionFaults}), outside the
     * catch around it: so the steps are retried, each done once, and a truncated ring is no longer touched.
     */
    private void finish(Runnable outcome) {
        boolean lingerFirst = false;
        boolean decided = false;
        boolean signalled = false;
        boolean cleaned = false;
        List<Throwable> faults = new ArrayList<>(0);
        while (!(signalled && cleaned)) { // each step is marked done before it runs: at most one try each
            try {
                try {
                    if (!decided) {
                        decided = true;
                        int state = ringTruncated() ? TerminalState.CLOSED : RingHeader.terminalState(section);
                        lingerFirst = !options.linger().isZero()
                            && (state == TerminalState.COMPLETED || state == TerminalState.ERRORED);
                    }
                    if (lingerFirst) {
                        if (!signalled) {
                            lingering = true; // the sink's dispose hook, run by the outcome, must not end the linger
                            signalled = true;
                            outcome.run(); // the stream is over for the user; the ring stays for late subscribers
                            if (!ringTruncated()) {
                                linger();
                            }
                        }
                        if (!cleaned) {
                            cleaned = true;
                            Throwable cleanupFailure = cleanupReporting();
                            if (cleanupFailure != null) {
                                faults.add(cleanupFailure);
                            }
                        }
                    } else {
                        if (!cleaned) {
                            cleaned = true;
                            Throwable cleanupFailure = cleanupReporting();
                            if (cleanupFailure != null) {
                                faults.add(cleanupFailure);
                            }
                        }
                        if (!signalled) {
                            signalled = true;
                            for (Throwable fault : faults) {
                                done.dropped(fault); // after a success subscribers saw
                            }
                            faults.clear();
                            outcome.run();
                        }
                    }
                } catch (Throwable e) {
                    faults.add(e);
                }
            } catch (Throwable late) { // a fault raised late, on entry to the catch above
                faults.add(late);
            }
        }
        for (Throwable fault : faults) {
            done.dropped(fault);
        }
    }

    /** {@code failure}, or the {@link CorruptSectionException} it is: a fault of a section another process truncated. */
    private Throwable named(Throwable failure) {
        return SectionFaults.isFault(failure) && truncatedSection() != null ? fault((InternalError) failure) : failure;
    }

    /** The ring or subscriber section whose file another process truncated, or null. */
    private MappedSection truncatedSection() {
        SubscriberLink[] current = links();
        MappedSection[] sections = new MappedSection[current.length + 1];
        sections[0] = ring.mapped();
        for (int i = 0; i < current.length; i++) {
            sections[i + 1] = current[i].mapped();
        }
        return SectionFaults.truncated(sections);
    }

    /** Whether another process truncated the ring's file: its memory past the new end is gone, and is not touched. */
    private boolean ringTruncated() {
        return ring.mapped().lengthIfTruncated() >= 0;
    }

    /**
     * The exception for a fault of a mapped page on this publisher's thread: its ring's file, or a subscriber's, was
     * truncated by another process ({@link SectionFaults}).
     */
    private CorruptSectionException fault(InternalError fault) {
        SubscriberLink[] current = links();
        MappedSection[] sections = new MappedSection[current.length + 1];
        sections[0] = ring.mapped();
        for (int i = 0; i < current.length; i++) {
            sections[i + 1] = current[i].mapped();
        }
        return SectionFaults.corrupt(fault, sections);
    }

    /**
     * A fault of a mapped page while the channel runs: a subscriber whose section was truncated is let go, and the
     * channel goes on for the others; a truncated ring (or a fault nobody's file explains) ends the channel.
     *
     * @throws CorruptSectionException naming the ring, when the channel cannot go on
     */
    private void onFault(InternalError fault) {
        if (ring.mapped().lengthIfTruncated() >= 0) {
            throw fault(fault);
        }
        boolean retiredOne = false;
        for (SubscriberLink link : links()) {
            if (link.mapped().lengthIfTruncated() >= 0) {
                retire(link, SubscriberEnd.Kind.FAILED, "its section " + link.name() + " was truncated by another process");
                retiredOne = true;
            }
        }
        if (!retiredOne) {
            throw fault(fault);
        }
    }

    private Runnable conduct() {
        SubscriberLink first = awaitFirstSubscriber();
        if (first == null) {
            endRing(TerminalState.CLOSED);
            return () -> { };
        }
        roster.admit(first);
        remoteContext = first.context; // volatile: before the source is subscribed, on this thread or on demand
        if (subscribeAtAdmission) {
            sourceSubscribed = true;
            upstream.start();
        }

        ShmBarrier demandBarrier = new ShmBarrier(WaitStrategies.of(options.waiting(), conductorSpot), demand,
            this::conductorShouldWake);
        // All demand requested upstream: no subscriber's store can end this wait, only a stop or the deadline.
        ShmBarrier idleBarrier = new ShmBarrier(WaitStrategies.stopOnly(options.waiting(), conductorSpot), new Sequence(-1L),
            this::conductorShouldWake);
        nextHousekeeping = System.nanoTime() + intervalNs;
        Backoff awaitUpstream = new Backoff(FIRST_PARK_NS, intervalNs);
        while (true) {
            try {
                int state = sinkState;
                if (state == COMPLETED) {
                    return done::completed;
                }
                if (state == ERRORED) {
                    if (cancelFromConductor) {
                        cancelUpstream();
                    }
                    Throwable failure = sinkFailure;
                    return () -> done.failed(failure);
                }
                if (closing) {
                    cancelUpstream();
                    endRing(TerminalState.CLOSED);
                    return () -> { };
                }
                for (SubscriberLink link : links()) {
                    if (link.cancelled()) {
                        retireCancelled(link);
                    }
                }
                roster.closeRetired();
                if (links().length == 0) {
                    // No live subscriber remains: cancel upstream and end the ring.
                    cancelUpstream();
                    // Its subscribers may have left because another process truncated the ring: then that is the end.
                    SectionFaults.checkLength(ring.mapped());
                    endRing(TerminalState.CANCELLED);
                    return done::completed;
                }
                if (!sourceSubscribed && allowedNow() > 0) {
                    // The first demand has crossed: a source that emits on subscription now has somewhere to emit.
                    sourceSubscribed = true;
                    upstream.start();
                }
                boolean ready = upstreamIsReady;
                if (sourceSubscribed && !ready) {
                    // onSubscribe is on its way from the upstream (§1.9); upstreamReady unparks this thread.
                    awaitUpstream.park(this);
                    continue;
                }
                if (ready && requestUpstream()) {
                    continue;
                }
                long now = System.nanoTime();
                if (now - nextHousekeeping >= 0) {
                    housekeeping(now);
                    continue;
                }
                try {
                    if (upstreamRequested == Long.MAX_VALUE) {
                        idleBarrier.waitFor(0L, nextHousekeeping);
                    } else {
                        demandBarrier.waitFor(upstreamRequested + 1, nextHousekeeping);
                    }
                } catch (AlertException e) {
                    // a stop condition, or time for housekeeping: the loop looks at each
                }
            } catch (InternalError e) {
                if (!SectionFaults.isFault(e)) {
                    throw e;
                }
                onFault(e); // a subscriber's section truncated: that subscriber goes; a truncated ring ends the channel
            }
        }
    }

    /**
     * Passes on what the subscribers allow beyond what was requested upstream; conductor thread only. Returns
     * whether it requested anything.
     */
    private boolean requestUpstream() {
        long allowed = allowedNow();
        if (allowed <= upstreamRequested) {
            return false;
        }
        long delta = allowed == Long.MAX_VALUE ? Long.MAX_VALUE : allowed - upstreamRequested;
        upstreamRequested = allowed;
        upstream.request(delta); // may run onNext on this thread, synchronously
        waker.settle(); // the end of a synchronous burst: the full wake check its records owe
        return true;
    }

    /** Min over the admitted subscribers of {@code base + requested}, each validated (it may only grow). */
    private long allowedNow() {
        long min = Long.MAX_VALUE;
        for (SubscriberLink link : links()) {
            min = Math.min(min, link.allowedValidated());
        }
        return min;
    }

    /**
     * Once a liveness interval, on the conductor thread: heartbeat, own-ring checks, each subscriber's
     * consumed and liveness (a dead one is let go and its file removed), and new subscribers.
     */
    private void housekeeping(long now) {
        nextHousekeeping = now + intervalNs;
        SectionFaults.checkLength(ring.mapped()); // truncated: named now, even where no access faults
        beat();
        audit.verifyRing(links());
        for (SubscriberLink link : links()) {
            if (link.mapped().lengthIfTruncated() >= 0) {
                retire(link, SubscriberEnd.Kind.FAILED, "its section " + link.name() + " was truncated by another process");
                continue;
            }
            link.validateConsumed(writer::committed);
            audit.verifyNextCommitted(link);
            String death = link.liveness.check(now);
            if (death != null) {
                retire(link, SubscriberEnd.Kind.DIED, death);
                SectionPlatform.current().removeIfSame(link.path, link.fileKey);
            }
        }
        roster.closeRetired();
        roster.scan(); // housekeeping runs only once the first subscriber is admitted
    }

    /**
     * Waits for a first subscriber; null when closed first.
     *
     * @throws ApertureException when none came within {@link ChannelOptions#withFirstSubscriberTimeout}
     */
    private SubscriberLink awaitFirstSubscriber() {
        Backoff backoff = new Backoff(FIRST_PARK_NS, MAX_SCAN_PARK_NS);
        long nextBeat = System.nanoTime();
        long timeoutNs = options.firstSubscriberTimeoutNanos();
        long deadline = nextBeat + timeoutNs;
        while (!closing) {
            SubscriberLink found = roster.findFirst();
            if (found != null) {
                return found;
            }
            if (System.nanoTime() - nextBeat >= 0) {
                beat();
                // A subscriber that read an overwritten header would attach to a session nobody serves.
                ring.verifyHeader();
                nextBeat = System.nanoTime() + intervalNs;
            }
            long remaining = deadline - System.nanoTime();
            if (remaining <= 0) {
                throw new ApertureException("channel '" + channel + "' in " + directory + ": no subscriber within "
                    + ChannelOptions.describe(timeoutNs) + " (ChannelOptions.withFirstSubscriberTimeout)");
            }
            backoff.park(this, remaining);
        }
        return null;
    }

    /** The admitted subscribers now: one snapshot of the set. */
    private SubscriberLink[] links() {
        SubscriberRoster r = roster; // set before the conductor starts; null only if the ring could not be created
        return r == null ? new SubscriberLink[0] : r.links();
    }

    /** Stops serving {@code link} ({@link SubscriberRoster#retire}); wakes the conductor to close it. Any thread. */
    private void retire(SubscriberLink link, SubscriberEnd.Kind kind, String detail) {
        if (roster.retire(link, kind, detail) && Thread.currentThread() != conductor) {
            wakeConductor();
        }
    }

    /** A subscriber that left: the end it said in its section, if any, names how. */
    private void retireCancelled(SubscriberLink link) {
        SubscriberLink.SaidEnd said;
        try {
            said = link.saidEnd();
        } catch (InternalError e) {
            said = new SubscriberLink.SaidEnd(0, ""); // its section is truncated: it said nothing readable
        }
        switch (said.kind()) {
            case SubscriberDescriptor.END_FAILED -> retire(link, SubscriberEnd.Kind.FAILED, said.message());
            case SubscriberDescriptor.END_READ_TO_END -> retire(link,
                said.message().isEmpty() ? SubscriberEnd.Kind.COMPLETED : SubscriberEnd.Kind.ERRORED, said.message());
            case SubscriberDescriptor.END_CANCELLED -> retire(link, SubscriberEnd.Kind.CANCELLED, said.message());
            case SubscriberDescriptor.END_REFUSED -> retire(link, SubscriberEnd.Kind.REFUSED, said.message());
            default -> retire(link, SubscriberEnd.Kind.CANCELLED, "it left without saying why");
        }
    }

    /** How the channel's end reads for a subscriber still attached at it. */
    private SubscriberEnd.Kind endOfChannel() {
        int state = sinkState;
        return state == COMPLETED ? SubscriberEnd.Kind.COMPLETED
            : state == ERRORED ? SubscriberEnd.Kind.ERRORED : SubscriberEnd.Kind.CLOSED;
    }

    private String endOfChannelDetail() {
        Throwable failure = sinkState == ERRORED ? sinkFailure : null;
        return failure == null ? "" : failure.toString();
    }

    /** What the stream came to so far, subscriber by subscriber. */
    public PublishReport report() {
        return roster.report();
    }

    /**
     * {@code DROP_SLOWEST}, on the writer thread while it waits for space: drops the subscriber holding the
     * ring if it lags the cursor by more than the drop lag, or if the ring has been full for the drop time
     * (every write since then had to wait for space, however slowly the holder moves). True if it dropped one.
     */
    private boolean dropSlowest(long fullForNs) {
        SubscriberLink slowest = null;
        long position = Long.MAX_VALUE;
        for (SubscriberLink link : links()) {
            long gating = link.gating.get();
            if (gating < position) {
                position = gating;
                slowest = link;
            }
        }
        if (slowest == null) {
            return false;
        }
        long lagBytes = Math.min(options.ringCapacity(), Math.max(1, (sequencer.nextValue() - position) * options.slotLength()));
        if (lagBytes <= options.dropLagBytes() && fullForNs < options.dropTime().toNanos()) {
            return false;
        }
        String reason = "dropped as too slow (lagged by " + lagBytes + " bytes)";
        slowest.endReason = reason; // volatile, before the dropped word: the conductor's entry check reads it after
        SubscriberTable.markDropped(section, slowest.index, lagBytes); // released and fenced before any overwrite
        synchronized (SectionFaults.lockOf(section)) { // both publisher threads may count; no RMW on mapped memory
            // Acquire, then release: a monitoring count, in turn under the lock with the other publisher thread.
            long dropped = (long) ShmSequence.LONG.getAcquire(section, RingDescriptor.DROPPED_OFFSET);
            ShmSequence.LONG.setRelease(section, RingDescriptor.DROPPED_OFFSET, dropped + 1);
        }
        retire(slowest, SubscriberEnd.Kind.DROPPED, reason);
        return true;
    }

    /**
     * Keeps the ring for late subscribers after the end, beating the heartbeat, until the linger passes. A
     * subscriber that comes then reads the terminal record by itself: nothing is admitted or written.
     */
    private void linger() {
        long deadline = System.nanoTime() + options.linger().toNanos();
        long now;
        while ((now = System.nanoTime()) - deadline < 0) {
            beat();
            LockSupport.parkNanos(this, Math.min(intervalNs, deadline - now));
        }
    }

    private void beat() {
        // Release: a plain monotonic timestamp; any publisher thread may store it, last store wins.
        ShmSequence.LONG.setRelease(section, RingDescriptor.HEARTBEAT_OFFSET, System.nanoTime());
    }

    private boolean conductorShouldWake() {
        if (sinkState != RUNNING || closing) {
            return true;
        }
        for (SubscriberLink link : links()) {
            if (link.cancelled()) {
                return true;
            }
        }
        return false;
    }

    private boolean writerShouldStop() {
        return closing || links().length == 0;
    }

    /** Whether a terminal state in the ring may be this publisher's own: it is ending it, or the stream or session ended. */
    private boolean endingOrEnded() {
        // endingRing first: the upstream's thread may set the state (onComplete) while the audit runs; its flag is
        // stored before the state, and sinkState only after, so reading sinkState alone took our own end for corruption.
        return endingRing || sinkState != RUNNING || closing;
    }

    /** Sets the ring's terminal state (first one wins) and wakes subscribers sleeping on the ring. */
    private void endRing(int state) {
        // Volatile, before the state: a conductor that acquires the state this thread sets sees it ours (verifyOwnRing).
        endingRing = true;
        if (ringTruncated()) {
            return; // its memory is gone, and its subscribers' reads of it fault too
        }
        try {
            RingHeader.setTerminalState(section, state);
            waker.wakeAll();
        } catch (InternalError e) {
            if (!SectionFaults.isFault(e)) {
                throw e;
            }
            // The ring's file was truncated: its memory is gone, and its subscribers' reads of it fault too.
        }
    }

    /**
     * §2.7: request and cancel must be serial, and the conductor may be calling request right now; so a
     * writer on another thread leaves the cancel to the conductor, which it wakes.
     */
    private void cancelUpstreamFromWriter() {
        if (Thread.currentThread() == conductor) {
            cancelUpstream();
        } else {
            cancelFromConductor = true; // volatile, stored before fail() publishes the ERRORED state
        }
    }

    private void cancelUpstream() {
        if (!upstreamCancelled) {
            upstreamCancelled = true; // the conductor, or the writer on the conductor's thread: one thread at a time
            upstream.cancel();
        }
    }

    /**
     * Called when the {@code publish} Mono is cancelled or disposed: ends the channel and waits (at most
     * {@link #closeWaitNs}) until the conductor has ended the ring and removed its files; a lingering ring is left
     * to its linger. Not waited for on the conductor itself.
     */
    public void close() {
        if (!lingering) {
            closing = true;
            wakeConductor();
            OpenChannels.awaitEnd(conductor, closeWaitNs);
        }
    }

    private void beginClose() {
        if (!lingering) {
            closing = true;
            wakeConductor();
        }
    }

    private void cleanup() {
        for (SubscriberLink link : links()) {
            retire(link, endOfChannel(), endOfChannelDetail());
        }
        roster.closeRetired();
        ring.remove();
        ring.close();
    }

    /** {@link #cleanup}, every step of it whatever fails; returns what failed, or null. */
    private Throwable cleanupReporting() {
        try {
            cleanup();
            return null;
        } catch (Throwable e) {
            try {
                ring.remove(); // the files go whatever else failed
                ring.close();
            } catch (Throwable again) {
                e.addSuppressed(again);
            }
            return e;
        }
    }

    // ---------------------------------------------------------------- the upstream's subscriber (writer side)

    /** The context entries the channel's first admitted subscriber sent (empty until then, or when none). */
    public Map<String, String> remoteContext() {
        return remoteContext;
    }

    /**
     * The upstream can take requests now (a source's onSubscribe arrived). On the conductor, which started the upstream
     * once demand crossed, the demand is requested at once, inside that call, so a source that emits on its own clock
     * from subscription on (Flux.interval) never emits without demand; elsewhere the conductor is woken.
     */
    public void upstreamReady() {
        upstreamIsReady = true;
        Thread c = conductor;
        if (c == Thread.currentThread() && !subscribeAtAdmission) {
            requestUpstream();
        } else if (c != null) {
            LockSupport.unpark(c);
        }
    }

    /**
     * Writes {@code value} in place on the calling thread (the writer), waiting for space. Returns whether the value
     * was taken: written, or failed to be written (too large, a codec error, corrupt memory), which fails the channel
     * ({@link #failure()} says why); false when the channel ended or is stopping, and the value is the caller's to
     * drop.
     */
    public boolean onNext(T value) {
        if (sinkState != RUNNING) {
            return false;
        }
        dataValue = value;
        try {
            return write(dataWrite);
        } catch (InternalError e) {
            if (!SectionFaults.isFault(e)) {
                throw e;
            }
            writeFailed(fault(e));
        } catch (Throwable e) {
            writeFailed(e);
        } finally {
            dataValue = null;
        }
        return true; // taken by the failure it caused
    }

    /** A value could not be written: the upstream is cancelled and the channel fails, naming why. Writer thread. */
    private void writeFailed(Throwable e) {
        cancelUpstreamFromWriter();
        if (e instanceof MessageTooLargeException || e instanceof CorruptSectionException) {
            fail(e); // names the channel and what is wrong already
        } else {
            fail(new ApertureException("channel '" + channel + "': codec '" + codec.name() + "' failed to encode element "
                + (writer.publishedCount() + 1) + ": " + e, e));
        }
    }

    /** {@link #tryOnNext}: the record was written, or failed to be (then {@link #failure()} says why). */
    public static final int TAKEN = 0;
    /** {@link #tryOnNext}: the record would have waited for ring space; nothing of the value is lost. */
    public static final int WOULD_WAIT = 1;
    /** {@link #tryOnNext}: the channel ended or is stopping; the value is the caller's to drop. */
    public static final int NOT_TAKEN = 2;

    /**
     * As {@link #onNext}, but never waits for ring space: for a writer that must not block, such as a drain thread
     * the other end of a connection needs to make room (the interactions' {@code FrameOutbox}). On
     * {@link #WOULD_WAIT} the caller hands the same value to {@link #onNext} later, from a thread that may wait,
     * before any other value: a message cut into fragments goes on from the fragment that did not fit. A fault of a
     * mapped page is left to that {@code onNext} too, which lets a truncated subscriber go and tries again.
     */
    public int tryOnNext(T value) {
        if (sinkState != RUNNING) {
            return NOT_TAKEN;
        }
        if (Thread.currentThread() == conductor) {
            return onNext(value) ? TAKEN : NOT_TAKEN; // its waits do the conductor's housekeeping
        }
        try {
            // A slice of 1 ns: a wait for space ends at once, and the clock is read only when the ring is full.
            writer.writeDataWithin(codec, value, 1L);
            return TAKEN;
        } catch (AlertException e) {
            return WOULD_WAIT;
        } catch (InternalError e) {
            if (!SectionFaults.isFault(e)) {
                throw e;
            }
            return WOULD_WAIT;
        } catch (Throwable e) {
            writeFailed(e);
        }
        return TAKEN; // taken by the failure it caused
    }

    /**
     * {@link io.aperture.RingPublisher}: writes {@code value} on the calling thread (the writer), published at once or,
     * with {@code defer}, at the next {@link #flush}. Returns whether it was written; false when the channel
     * stopped or failed (then {@link #failure()} says why, if it failed).
     */
    public boolean offer(T value, boolean defer) {
        long before = writer.publishedCount();
        writer.deferring(defer);
        try {
            onNext(value);
        } finally {
            writer.deferring(false);
        }
        return writer.publishedCount() != before;
    }

    /** {@link io.aperture.RingPublisher}: publishes the records written with {@code defer}; the writer thread only. */
    public void flush() {
        writer.flush();
    }

    /** The failure that ended the session's writing side, or null. */
    public Throwable failure() {
        return sinkState == ERRORED ? sinkFailure : null;
    }

    /** Fails the channel with {@code error} (an ERROR record naming it); false when the channel already ended. */
    public boolean onError(Throwable error) {
        if (sinkState != RUNNING) {
            return false;
        }
        fail(error);
        return true;
    }

    /** Completes the channel: a COMPLETE record after the last value. */
    public void onComplete() {
        if (sinkState != RUNNING) {
            return;
        }
        try {
            // The state names a terminal record only when the record was written (subscribers rely on it).
            boolean written = write(slice -> writer.writeSignalWithin(RecordDescriptor.TYPE_COMPLETE, new byte[0], slice));
            endRing(written ? TerminalState.COMPLETED : TerminalState.CLOSED);
            sinkState = COMPLETED;
        } catch (Throwable e) {
            sinkFailure = named(e);
            sinkState = ERRORED;
        }
        wakeConductor();
    }

    /** Writes an ERROR record naming {@code error}'s class and message, then ends the session with it. */
    private void fail(Throwable failure) {
        // The fault of an access of ours may be raised a few instructions later (SectionFaults): in the upstream's
        // code, which hands it back here. Named for what it is when a section of the channel was truncated.
        Throwable error = named(failure);
        sinkFailure = error;
        ChannelLog.log().warn("channel '{}': publisher failed: {}", channel, error.toString());
        try {
            byte[] payload = ErrorRecord.encode(error, RecordDescriptor.maxErrorLength(options.ringCapacity()));
            boolean written = write(slice -> writer.writeSignalWithin(RecordDescriptor.TYPE_ERROR, payload, slice));
            endRing(written ? TerminalState.ERRORED : TerminalState.CLOSED);
        } catch (Throwable e) {
            error.addSuppressed(e);
            endRing(TerminalState.CLOSED);
        }
        sinkState = ERRORED;
        wakeConductor();
    }

    /** Wakes the conductor (and a writer waiting for space): parked in this JVM, or asleep on the futex. */
    private void wakeConductor() {
        Thread c = conductor;
        if (c != null) {
            LockSupport.unpark(c);
        }
        ParkingSpot spot = conductorSpot;
        if (spot != null) {
            spot.wakeSleepers();
        }
    }

    @FunctionalInterface
    private interface RecordWrite {
        /** Writes, waiting for space at most {@code sliceNs} once a wait starts (no clock read per message). */
        void write(long sliceNs) throws AlertException;
    }

    /**
     * Runs one record write, waiting for ring space in slices of the liveness interval (or of the drop
     * time); between slices it beats the heartbeat, applies the slow-consumer policy and, on the conductor
     * thread (a synchronous upstream), does the conductor's housekeeping. Returns false when the channel is
     * stopping or no subscriber is left: the record is not written.
     */
    private boolean write(RecordWrite write) {
        boolean onConductor = Thread.currentThread() == conductor;
        if (onConductor && (++writesSinceClock & HOUSEKEEPING_CHECK_MASK) == 0) {
            long now = System.nanoTime();
            if (now - nextHousekeeping >= 0) {
                housekeeping(now); // the conductor is busy writing: new subscribers, deaths and beats go on
            }
        }
        boolean waited = false;
        while (true) {
            try {
                write.write(writeSliceNs);
                if (!waited) {
                    ringFullSinceNs = 0; // written without waiting: the ring was not full
                }
                return true;
            } catch (InternalError e) {
                if (!SectionFaults.isFault(e)) {
                    throw e;
                }
                onFault(e); // a subscriber's section truncated: that subscriber goes, and the write is tried again
            } catch (AlertException e) {
                waited = true;
                long now = System.nanoTime();
                if (onConductor) {
                    for (SubscriberLink link : links()) {
                        if (link.cancelled()) {
                            retireCancelled(link);
                        }
                    }
                    if (now - nextHousekeeping >= 0) {
                        housekeeping(now);
                    }
                }
                if (writerShouldStop()) {
                    if (onConductor) {
                        // A synchronous source emits inside the conductor's request(): only a cancel ends it (§2.7:
                        // serial, this thread is the one in request).
                        cancelUpstream();
                    }
                    wakeConductor();
                    return false;
                }
                if (dropsSlowest) {
                    if (ringFullSinceNs == 0) {
                        ringFullSinceNs = now - writeSliceNs;
                    }
                    if (dropSlowest(now - ringFullSinceNs)) {
                        ringFullSinceNs = 0;
                    }
                }
                beat();
            }
        }
    }
}
