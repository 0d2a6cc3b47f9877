package io.aperture;

import com.lmax.disruptor.AlertException;
import com.lmax.disruptor.Sequence;
import org.reactivestreams.Publisher;
import org.reactivestreams.Subscription;
import reactor.core.CoreSubscriber;
import reactor.core.publisher.MonoSink;
import reactor.core.publisher.Operators;
import reactor.util.context.Context;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicReferenceFieldUpdater;
import java.util.concurrent.locks.LockSupport;

/**
 * The publisher end of one channel, for one subscription of {@link ChannelPublisher#publish}.
 *
 * <p>Two threads work here. The <em>conductor</em> ({@code aperture-pub-<channel>}) creates the ring,
 * waits for a subscriber section, subscribes upstream, turns the subscriber's shared {@code requested}
 * into {@code request(n)} upstream (never more than the remote asked for), watches for cancel and death,
 * and beats the heartbeat. The <em>writer</em> is whatever thread the upstream signals on: this class is
 * the upstream's {@link CoreSubscriber} and encodes each {@code onNext} in place in the ring, waiting for
 * space when the ring is full, like a Disruptor producer. Terminal signals are in-band records written by
 * the writer, so they follow the last element.
 */
final class PublisherSession<T> implements CoreSubscriber<T>, Runnable {
    private static final int RUNNING = 0;
    private static final int COMPLETED = 1;
    private static final int ERRORED = 2;
    private static final int MAX_SUBSCRIBERS = 1;
    private static final long MAX_SCAN_PARK_NS = 1_000_000L;

    @SuppressWarnings("rawtypes")
    private static final AtomicReferenceFieldUpdater<PublisherSession, Subscription> UPSTREAM =
        AtomicReferenceFieldUpdater.newUpdater(PublisherSession.class, Subscription.class, "upstream");

    private final Path directory;
    private final String channel;
    private final Codec<T> codec;
    private final ChannelOptions options;
    private final Publisher<? extends T> source;
    private final MonoSink<Void> done;
    private final long intervalNs;

    private MappedSection mapped;
    private ByteBuffer section;
    private Path ringPath;
    private Object ringKey;
    private RingSequencer sequencer;
    private RingWriter writer;
    private Waker waker;
    private Thread conductor;
    private PeerLiveness liveness;
    private volatile ParkingSpot conductorSpot;

    private volatile Subscription upstream;
    private volatile SubscriberLink link;
    private volatile boolean closing;
    private volatile boolean cancelFromConductor;
    /** Why the subscriber is taken as dead, once the conductor found out; read by the writer's waits. */
    private volatile String subscriberDeath;
    private volatile int sinkState = RUNNING;
    private volatile Throwable sinkFailure;
    private long upstreamRequested;
    private long suspectCursor = Long.MIN_VALUE;
    /** This incarnation's session id, kept here: the mapped copy may be overwritten by another process. */
    private long sessionId;
    /** The immutable header words as this publisher wrote them, bytes [0, {@code CURSOR_OFFSET}). */
    private byte[] headerImage;

    PublisherSession(Path directory, String channel, Codec<T> codec, ChannelOptions options,
                     Publisher<? extends T> source, MonoSink<Void> done) {
        this.directory = directory;
        this.channel = channel;
        this.codec = codec;
        this.options = options;
        this.source = source;
        this.done = done;
        this.intervalNs = options.livenessInterval().toNanos();
    }

    /** Creates the ring section and starts the conductor. Failures are thrown to the caller. */
    void start() {
        options.validateRing();
        RingHeader.codecNameBytes(codec);
        ChannelFiles.ensureDirectory(directory);
        ringPath = ChannelFiles.ringPath(directory, channel);
        removeStaleRing();
        sessionId = ThreadLocalRandom.current().nextLong();
        Path temporary = ChannelFiles.createTemporary(directory, channel + ".ring",
            RingDescriptor.fileLength(options.ringCapacity()));
        try {
            mapped = MappedSection.open(temporary, RingDescriptor.fileLength(options.ringCapacity()), true);
            section = mapped.buffer();
            RingHeader.initialise(section, sessionId, options, MAX_SUBSCRIBERS, codec);
            headerImage = new byte[RingDescriptor.CURSOR_OFFSET];
            section.get(0, headerImage);
            // Held for the ring's lifetime: subscribers probe it to learn that this process died.
            PeerLiveness.lockOwn(mapped.channel(), ringPath.getFileName().toString());
            if (!ChannelFiles.linkIntoPlace(temporary, ringPath)) {
                String live = describeLivePublisher();
                throw new ApertureException("channel '" + channel + "' in " + directory
                    + " was created by another publisher at the same time" + (live == null ? "" : " (" + live + ")"));
            }
            ringKey = ChannelFiles.fileKey(ringPath);
        } catch (java.io.IOException e) {
            closeMapping();
            throw new ApertureException("cannot map ring section " + temporary + ": " + e, e);
        } catch (RuntimeException e) {
            closeMapping();
            throw e;
        } finally {
            ChannelFiles.deleteQuietly(temporary);
        }
        sequencer = new RingSequencer(options.ringCapacity() / options.slotLength(),
            new BackoffWaitStrategy(BackoffWaitStrategy.DEFAULT_SPINS, BackoffWaitStrategy.DEFAULT_YIELDS,
                BackoffWaitStrategy.DEFAULT_MAX_PARK_NS),
            new ShmSequence(section, RingDescriptor.CURSOR_OFFSET), this::writerShouldStop);
        waker = new Waker(section, RingDescriptor.WAKE_OFFSET, SubscriberDescriptor.PARKED_OFFSET);
        writer = new RingWriter(channel, section, sequencer, options.ringCapacity(), options.slotLength(),
            options.maxMessageLength(), waker);
        conductor = new Thread(this, "aperture-pub-" + channel);
        conductor.setDaemon(true);
        conductor.start();
    }

    /** A ring left by a dead publisher is removed; one whose publisher lives makes this start fail. */
    private void removeStaleRing() {
        if (!Files.exists(ringPath)) {
            return;
        }
        Object key = ChannelFiles.fileKey(ringPath);
        String live = describeLivePublisher();
        if (live != null) {
            throw new ApertureException("channel '" + channel + "' in " + directory + " already has a live publisher ("
                + live + ")");
        }
        ChannelFiles.deleteIfSame(ringPath, key);
        for (int i = 0; i < RingDescriptor.MAX_SUBSCRIBERS_LIMIT; i++) {
            Path sub = ChannelFiles.subscriberPath(directory, channel, i);
            if (!Files.exists(sub)) {
                break;
            }
            removeIfOwnerDead(sub);
        }
    }

    private static void removeIfOwnerDead(Path path) {
        Object key = ChannelFiles.fileKey(path);
        try (MappedSection sub = MappedSection.open(path, SubscriberDescriptor.LENGTH, false)) {
            ByteBuffer b = sub.buffer();
            ProcessIdentity owner = new ProcessIdentity(b.getLong(SubscriberDescriptor.PID_OFFSET),
                b.getLong(SubscriberDescriptor.START_OFFSET));
            if (!owner.isAlive()) {
                ChannelFiles.deleteIfSame(path, key);
            }
        } catch (java.io.IOException | RuntimeException e) {
            ChannelFiles.deleteIfSame(path, key); // not a readable subscriber section: leftover garbage
        }
    }

    /** "pid N" of the publisher of the ring now at the channel's name if it runs and the ring is open, else null. */
    private String describeLivePublisher() {
        try (MappedSection existing = MappedSection.open(ringPath, -1, false)) {
            ByteBuffer b = existing.buffer();
            if (b.capacity() < RingDescriptor.SLOTS_OFFSET || RingHeader.magic(b) == 0) {
                return null;
            }
            RingHeader header = RingHeader.read(ringPath.getFileName().toString(), b, b.capacity());
            boolean open = RingHeader.terminalState(b) == TerminalState.OPEN;
            return open && header.publisher.isAlive() ? header.publisher.toString() : null;
        } catch (java.io.IOException | RuntimeException e) {
            return null;
        }
    }

    @Override
    public void run() {
        Runnable outcome;
        try {
            outcome = conduct();
        } catch (Throwable t) {
            cancelUpstream();
            endRing(TerminalState.CLOSED);
            outcome = () -> done.error(t);
        }
        cleanup();
        outcome.run();
    }

    private Runnable conduct() {
        SubscriberLink attached = awaitSubscriber();
        if (attached == null) {
            endRing(TerminalState.CLOSED);
            return () -> { };
        }
        ByteBuffer subscriberSection = attached.section();
        sequencer.addGatingSequences(attached.consumed);
        sequencer.waitStrategy(options.waiting().newStrategy(new ParkingSpot(section, RingDescriptor.PARKED_OFFSET,
            subscriberSection, SubscriberDescriptor.WAKE_OFFSET, false)));
        ParkingSpot spot = new ParkingSpot(section, RingDescriptor.PARKED_OFFSET, subscriberSection,
            SubscriberDescriptor.WAKE_OFFSET, false);
        conductorSpot = spot;
        waker.addPeer(subscriberSection);
        liveness = new PeerLiveness(attached.name(), attached.channel(), attached.identity, subscriberSection,
            SubscriberDescriptor.HEARTBEAT_OFFSET, options.heartbeatTimeout().toNanos());
        link = attached;
        source.subscribe(this);

        ShmBarrier demandBarrier = new ShmBarrier(options.waiting().newStrategy(spot), attached.requested,
            this::conductorShouldWake);
        ShmBarrier idleBarrier = new ShmBarrier(options.waiting().newStrategy(spot), new Sequence(-1L),
            this::conductorShouldWake);
        long nextHousekeeping = System.nanoTime() + intervalNs;
        long awaitUpstreamNs = 10_000L;
        while (true) {
            int state = sinkState;
            if (state == COMPLETED) {
                return done::success;
            }
            if (state == ERRORED) {
                if (cancelFromConductor) {
                    cancelUpstream();
                }
                Throwable failure = sinkFailure;
                return () -> done.error(failure);
            }
            if (closing) {
                cancelUpstream();
                endRing(TerminalState.CLOSED);
                return () -> { };
            }
            if (attached.cancelled()) {
                cancelUpstream();
                endRing(TerminalState.CANCELLED);
                return done::success;
            }
            Subscription s = upstream;
            if (s == null) {
                // onSubscribe is on its way from the upstream (§1.9); onSubscribe unparks this thread.
                LockSupport.parkNanos(this, Math.min(awaitUpstreamNs, intervalNs));
                awaitUpstreamNs = Math.min(awaitUpstreamNs << 1, intervalNs);
                continue;
            }
            long requested = attached.requested();
            if (requested > upstreamRequested) {
                long delta = requested == Long.MAX_VALUE ? Long.MAX_VALUE : requested - upstreamRequested;
                upstreamRequested = requested;
                s.request(delta); // may run onNext on this thread, synchronously
                continue;
            }
            long now = System.nanoTime();
            if (now - nextHousekeeping >= 0 || subscriberDeath != null) {
                nextHousekeeping = now + intervalNs;
                beat();
                verifyOwnRing();
                attached.validateConsumed(sequencer::getCursor);
                String death = subscriberDeath != null ? subscriberDeath : liveness.check(now);
                if (death != null) {
                    // No live subscriber remains: stop gating on it, remove its file, cancel upstream.
                    subscriberDeath = death;
                    cancelUpstream();
                    endRing(TerminalState.CANCELLED);
                    ChannelFiles.deleteIfSame(attached.path, attached.fileKey);
                    return done::success;
                }
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
        }
    }

    private SubscriberLink awaitSubscriber() {
        long parkNs = 10_000L;
        long nextBeat = System.nanoTime();
        while (!closing) {
            SubscriberLink found = SubscriberLink.tryOpen(directory, channel, 0, sessionId);
            if (found != null) {
                return found;
            }
            if (System.nanoTime() - nextBeat >= 0) {
                beat();
                // A subscriber that read an overwritten header would attach to a session nobody serves.
                verifyOwnHeader();
                nextBeat = System.nanoTime() + intervalNs;
            }
            LockSupport.parkNanos(this, parkNs);
            parkNs = Math.min(parkNs << 1, MAX_SCAN_PARK_NS);
        }
        return null;
    }

    private void beat() {
        // Release: a plain monotonic timestamp; any publisher thread may store it, last store wins.
        ShmSequence.LONG.setRelease(section, RingDescriptor.HEARTBEAT_OFFSET, System.nanoTime());
    }

    private boolean conductorShouldWake() {
        SubscriberLink l = link;
        return sinkState != RUNNING || closing || (l != null && l.cancelled());
    }

    private boolean writerShouldStop() {
        SubscriberLink l = link;
        return closing || subscriberDeath != null || (l != null && l.cancelled());
    }

    /**
     * This publisher is the only writer of its ring: a cursor other than the one it published, seen twice
     * (a publish may be in flight between the two stores), or a terminal state set while it runs, was
     * written by another process. Subscribers could then wait forever for records that never show.
     */
    private void verifyOwnRing() {
        verifyOwnHeader();
        long cursorNow = sequencer.getCursor();
        long published = sequencer.lastPublished();
        if (cursorNow != published) {
            if (cursorNow == suspectCursor) {
                throw new CorruptSectionException(ringPath.getFileName().toString(), RingDescriptor.CURSOR_OFFSET,
                    "cursor " + cursorNow + " != " + published + " published by this publisher: overwritten by another process");
            }
            suspectCursor = cursorNow;
        } else {
            suspectCursor = Long.MIN_VALUE;
        }
        int terminal = RingHeader.terminalState(section);
        if (terminal != TerminalState.OPEN && sinkState == RUNNING && !closing) {
            throw new CorruptSectionException(ringPath.getFileName().toString(), RingDescriptor.TERMINAL_OFFSET,
                "terminal state " + terminal + " set while this publisher runs: written by another process");
        }
    }

    /**
     * The header words below the counters never change after {@link RingHeader#initialise}: a difference was
     * written by another process, and subscribers that read it may attach to a session or layout that this
     * publisher does not serve. Plain loads of words only this process writes.
     */
    private void verifyOwnHeader() {
        int mismatch = section.slice(0, headerImage.length).mismatch(ByteBuffer.wrap(headerImage));
        if (mismatch >= 0) {
            int offset = mismatch & ~3;
            throw new CorruptSectionException(ringPath.getFileName().toString(), offset, "header word "
                + section.getInt(offset) + " != " + ByteBuffer.wrap(headerImage).order(section.order()).getInt(offset)
                + " written by this publisher: overwritten by another process");
        }
    }

    /** Sets the ring's terminal state (first one wins) and wakes subscribers sleeping on the ring. */
    private void endRing(int state) {
        RingHeader.setTerminalState(section, state);
        waker.wakeAll();
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
        Subscription s = UPSTREAM.getAndSet(this, Operators.cancelledSubscription());
        if (s != null) {
            s.cancel();
        }
    }

    /** Called when the {@code publish} Mono is cancelled or disposed: stops the conductor, which cleans up. */
    void close() {
        closing = true;
        wakeConductor();
    }

    private void cleanup() {
        SubscriberLink l = link;
        if (l != null) {
            sequencer.removeGatingSequence(l.consumed);
            l.close();
        }
        ChannelFiles.deleteIfSame(ringPath, ringKey);
        closeMapping();
    }

    private void closeMapping() {
        if (mapped != null) {
            mapped.close();
        }
    }

    // ---------------------------------------------------------------- the upstream's subscriber (writer side)

    @Override
    public Context currentContext() {
        return Context.of(done.contextView());
    }

    @Override
    public void onSubscribe(Subscription s) {
        // §2.13: a null subscription is refused with NullPointerException; without this check the CAS below
        // would accept it (null == null) and leave the conductor waiting for an upstream forever.
        Objects.requireNonNull(s, "onSubscribe subscription (§2.13)");
        if (!UPSTREAM.compareAndSet(this, null, s)) {
            s.cancel(); // §2.5: a second subscription, or one arriving after cancel
            if (upstream != Operators.cancelledSubscription()) {
                Operators.reportSubscriptionSet();
            }
            return;
        }
        Thread c = conductor;
        if (c != null) {
            LockSupport.unpark(c);
        }
    }

    @Override
    public void onNext(T value) {
        Objects.requireNonNull(value, "onNext value (§2.13)");
        if (sinkState != RUNNING) {
            Operators.onNextDropped(value, currentContext());
            return;
        }
        try {
            if (!write(deadline -> writer.writeData(codec, value, deadline))) {
                Operators.onNextDropped(value, currentContext());
            }
        } catch (MessageTooLargeException e) {
            cancelUpstreamFromWriter();
            fail(e); // names the channel and both lengths already
        } catch (Throwable e) {
            cancelUpstreamFromWriter();
            fail(new ApertureException("channel '" + channel + "': codec '" + codec.name() + "' failed to encode element "
                + (writer.publishedCount() + 1) + ": " + e, e));
        }
    }

    @Override
    public void onError(Throwable error) {
        Objects.requireNonNull(error, "onError throwable (§2.13)");
        if (sinkState != RUNNING) {
            Operators.onErrorDropped(error, currentContext());
            return;
        }
        fail(error);
    }

    @Override
    public void onComplete() {
        if (sinkState != RUNNING) {
            return;
        }
        try {
            // The state names a terminal record only when the record was written (subscribers rely on it).
            boolean written = write(deadline -> writer.writeSignal(RecordDescriptor.TYPE_COMPLETE, new byte[0], deadline));
            endRing(written ? TerminalState.COMPLETED : TerminalState.CLOSED);
            sinkState = COMPLETED;
        } catch (Throwable e) {
            sinkFailure = e;
            sinkState = ERRORED;
        }
        wakeConductor();
    }

    /** Writes an ERROR record naming {@code error}'s class and message, then ends the session with it. */
    private void fail(Throwable error) {
        sinkFailure = error;
        try {
            byte[] payload = errorPayload(error, RecordDescriptor.maxErrorLength(options.ringCapacity()));
            boolean written = write(deadline -> writer.writeSignal(RecordDescriptor.TYPE_ERROR, payload, deadline));
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
        void write(long deadlineNs) throws AlertException;
    }

    /**
     * Runs one record write, waiting for ring space in slices of the liveness interval; between slices it
     * beats the heartbeat and checks the subscriber. Returns false when the channel is stopping or the
     * subscriber died: the record is not written.
     */
    private boolean write(RecordWrite write) {
        while (true) {
            try {
                write.write(System.nanoTime() + intervalNs);
                return true;
            } catch (AlertException e) {
                if (Thread.currentThread() == conductor && liveness != null && subscriberDeath == null) {
                    // The conductor itself is writing (synchronous upstream): it does its own liveness check.
                    subscriberDeath = liveness.check(System.nanoTime());
                }
                if (writerShouldStop()) {
                    wakeConductor();
                    return false;
                }
                beat();
            }
        }
    }

    /** ERROR payload: u16 class length, class, u16 message length (0xFFFF: none), message; bounded. */
    static byte[] errorPayload(Throwable error, int maxLength) {
        byte[] className = truncate(error.getClass().getName().getBytes(StandardCharsets.UTF_8),
            Math.min(RingReader.ERROR_CLASS_MAX_BYTES, Math.max(0, maxLength - 4)));
        String message = error.getMessage();
        byte[] text = message == null ? null : truncate(message.getBytes(StandardCharsets.UTF_8),
            Math.min(RingReader.ERROR_MESSAGE_MAX_BYTES, Math.max(0, maxLength - 4 - className.length)));
        ByteBuffer payload = ByteBuffer.allocate(4 + className.length + (text == null ? 0 : text.length))
            .order(java.nio.ByteOrder.nativeOrder());
        payload.putShort((short) className.length).put(className);
        payload.putShort(text == null ? (short) 0xFFFF : (short) text.length);
        if (text != null) {
            payload.put(text);
        }
        return payload.array();
    }

    /** The longest prefix of UTF-8 {@code bytes} of at most {@code max} bytes that ends on a code point boundary. */
    private static byte[] truncate(byte[] bytes, int max) {
        if (bytes.length <= max) {
            return bytes;
        }
        int length = max;
        while (length > 0 && (bytes[length] & 0xC0) == 0x80) {
            length--; // bytes[length] continues a code point: cut before that code point starts
        }
        return java.util.Arrays.copyOf(bytes, length);
    }
}
