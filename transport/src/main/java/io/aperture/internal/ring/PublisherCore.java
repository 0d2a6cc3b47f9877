package io.aperture.internal.ring;

import io.aperture.ChannelOptions;
import io.aperture.Codec;
import io.aperture.PublishReport;
import io.aperture.internal.section.ChannelLog;
import io.aperture.internal.section.RingHeader;
import io.aperture.internal.section.TerminalState;

import java.nio.file.Path;
import java.util.Map;

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
 *
 * <p><b>Its parts.</b> This class is the lifecycle and the entry points: it creates the ring and what is built on
 * it ({@link PublisherRing}), runs the conductor's thread from the first subscriber to the removal of the files,
 * and closes. Each other job has its class: the conductor's loop ({@link PublisherConductor}), its checks once a
 * liveness interval ({@link PublisherHousekeeping}), the upstream's start, requests and cancel
 * ({@link PublisherUpstream}), the writer's values and terminal records ({@link PublisherSink}), and the faults of
 * truncated sections ({@link PublisherFaults}).
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


    /** {@link #tryOnNext}: the record was written, or failed to be (then {@link #failure()} says why). */
    public static final int TAKEN = 0;
    /** {@link #tryOnNext}: the record would have waited for ring space; nothing of the value is lost. */
    public static final int WOULD_WAIT = 1;
    /** {@link #tryOnNext}: the channel ended or is stopping; the value is the caller's to drop. */
    public static final int NOT_TAKEN = 2;

    private final Path directory;
    private final String channel;
    private final Codec<T> codec;
    private final ChannelOptions options;
    private final Upstream source;
    private final Outcome done;
    /** Start the upstream at the first admission ({@link io.aperture.RingPublisher}); else once the first demand crossed. */
    private final boolean subscribeAtAdmission;
    /** How long {@link #close()} waits for the conductor: four liveness intervals, at least a second. */
    private final long closeWaitNs;
    /** This end for the shutdown hook. */
    private final OpenChannels.End end = new OpenChannels.End() {
        @Override
        public void beginClose() {
            PublisherCore.this.beginClose();
        }

        @Override
        public Thread thread() {
            PublisherRing r = ring;
            return r == null ? null : r.conductor();
        }
    };
    private volatile boolean closing;

    // Set by start(), before the conductor starts; null only if the ring could not be created.
    private volatile PublisherRing ring;
    private PublisherFaults faults;
    private PublisherUpstream upstream;
    private PublisherSink<T> sink;
    private PublisherConductor conductor;
    private volatile PublisherTeardown teardown;

    public PublisherCore(Path directory, String channel, Codec<T> codec, ChannelOptions options, Upstream upstream,
                         Outcome done, boolean subscribeAtAdmission) {
        this.subscribeAtAdmission = subscribeAtAdmission;
        this.directory = directory;
        this.channel = channel;
        this.codec = codec;
        this.options = options;
        this.source = upstream;
        this.done = done;
        this.closeWaitNs = Math.max(java.util.concurrent.TimeUnit.SECONDS.toNanos(1),
            4 * options.livenessInterval().toNanos());
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
        PublisherRing r = new PublisherRing(directory, channel, options, codec, this);
        faults = new PublisherFaults(r);
        upstream = new PublisherUpstream(source, subscribeAtAdmission, r);
        OwnRingAudit audit = new OwnRingAudit(r.ring, r.writer, options.ringCapacity() / options.slotLength(),
            options.slotLength(), this::endingOrEnded);
        PublisherHousekeeping housekeeping = new PublisherHousekeeping(r, faults, audit,
            options.livenessInterval().toNanos());
        sink = new PublisherSink<>(channel, codec, options, r, faults, upstream, housekeeping);
        conductor = new PublisherConductor(directory, channel, options, done, r, faults, upstream, housekeeping, sink);
        teardown = new PublisherTeardown(options, done, r, sink);
        ring = r;
        Thread thread = new Thread(this, "aperture-pub-" + channel);
        thread.setDaemon(true);
        r.writer.burstThread(thread); // published to the conductor by its start
        thread.start();
        r.conductor(thread); // once started: whoever joins it (close, the shutdown hook) waits for its end
    }

    /** The conductor thread: conducts the channel, ends it, then lingers, cleans up and signals its outcome. */
    @Override
    public void run() {
        ring.conductor(Thread.currentThread()); // also stored by start(): whichever comes first, the same thread
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
                        outcome = conductor.conduct();
                    } else if (failure != null) {
                        if (!ended) {
                            ended = true;
                            upstream.cancel();
                            ring.endRing(TerminalState.CLOSED);
                        }
                        Throwable reported = failure;
                        ChannelLog.log().warn("channel '" + channel + "': publisher ended with " + reported, reported);
                        outcome = () -> done.failed(reported);
                    }
                } catch (Throwable t) {
                    failure = faults.withFailure(failure, t);
                }
            } catch (Throwable late) {
                failure = faults.withFailure(failure, late);
            }
        }
        teardown.finish(outcome);
        OpenChannels.closed(end);
    }

    /**
     * Called when the {@code publish} Mono is cancelled or disposed: ends the channel and waits (at most
     * {@link #closeWaitNs}) until the conductor has ended the ring and removed its files; a lingering ring is left
     * to its linger. Not waited for on the conductor itself.
     */
    public void close() {
        if (!lingering()) {
            closing = true;
            PublisherRing r = ring;
            if (r != null) {
                r.wakeConductor();
                OpenChannels.awaitEnd(r.conductor(), closeWaitNs);
            }
        }
    }

    private void beginClose() {
        if (!lingering()) {
            closing = true;
            PublisherRing r = ring;
            if (r != null) {
                r.wakeConductor();
            }
        }
    }

    private boolean lingering() {
        PublisherTeardown t = teardown;
        return t != null && t.lingering();
    }

    /** The channel is asked to close: the conductor ends it, and writers stop. */
    boolean isClosing() {
        return closing;
    }

    /** Whether a terminal state in the ring may be this publisher's own ({@link OwnRingAudit}). */
    private boolean endingOrEnded() {
        return sink.endingOrEnded();
    }

    // ---------------------------------------------------------------- the upstream's subscriber (writer side)

    /** The context entries the channel's first admitted subscriber sent (empty until then, or when none). */
    public Map<String, String> remoteContext() {
        PublisherUpstream u = upstream;
        return u == null ? Map.of() : u.remoteContext();
    }

    /**
     * The upstream can take requests now (a source's onSubscribe arrived). On the conductor, which started the upstream
     * once demand crossed, the demand is requested at once, inside that call, so a source that emits on its own clock
     * from subscription on (Flux.interval) never emits without demand; elsewhere the conductor is woken.
     */
    public void upstreamReady() {
        upstream.ready();
    }

    /**
     * Writes {@code value} in place on the calling thread (the writer), waiting for space. Returns whether the value
     * was taken: written, or failed to be written (too large, a codec error, corrupt memory), which fails the channel
     * ({@link #failure()} says why); false when the channel ended or is stopping, and the value is the caller's to
     * drop.
     */
    public boolean onNext(T value) {
        return sink.onNext(value);
    }

    /**
     * As {@link #onNext}, but never waits for ring space: for a writer that must not block, such as a drain thread
     * the other end of a connection needs to make room (the interactions' {@code FrameOutbox}). On
     * {@link #WOULD_WAIT} the caller hands the same value to {@link #onNext} later, from a thread that may wait,
     * before any other value: a message cut into fragments goes on from the fragment that did not fit. A fault of a
     * mapped page is left to that {@code onNext} too, which lets a truncated subscriber go and tries again.
     */
    public int tryOnNext(T value) {
        return sink.tryOnNext(value);
    }

    /**
     * {@link io.aperture.RingPublisher}: writes {@code value} on the calling thread (the writer), published at once or,
     * with {@code defer}, at the next {@link #flush}. Returns whether it was written; false when the channel
     * stopped or failed (then {@link #failure()} says why, if it failed).
     */
    public boolean offer(T value, boolean defer) {
        return sink.offer(value, defer);
    }

    /** {@link io.aperture.RingPublisher}: publishes the records written with {@code defer}; the writer thread only. */
    public void flush() {
        sink.flush();
    }

    /** The failure that ended the session's writing side, or null. */
    public Throwable failure() {
        PublisherSink<T> s = sink;
        return s == null ? null : s.failure();
    }

    /** Fails the channel with {@code error} (an ERROR record naming it); false when the channel already ended. */
    public boolean onError(Throwable error) {
        return sink.onError(error);
    }

    /** Completes the channel: a COMPLETE record after the last value. */
    public void onComplete() {
        sink.onComplete();
    }

    /** What the stream came to so far, subscriber by subscriber. */
    public PublishReport report() {
        return ring.roster.report();
    }
}
