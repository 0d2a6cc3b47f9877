package io.aperture.internal.ring;

import io.aperture.ChannelOptions;
import io.aperture.Codec;
import io.aperture.CorruptSectionException;
import io.aperture.IncompatibleChannelException;
import io.aperture.internal.section.ChannelLog;
import io.aperture.internal.section.ContextEntries;
import io.aperture.internal.section.DoubleMapping;
import io.aperture.internal.section.MappedSection;
import io.aperture.internal.section.OwnSubscriberSection;
import io.aperture.internal.section.PeerLiveness;
import io.aperture.internal.section.SectionPlatform;
import io.aperture.internal.section.RingDescriptor;
import io.aperture.internal.section.SectionFaults;
import io.aperture.internal.section.SubscriberDescriptor;
import io.aperture.internal.waiting.ParkingSpot;
import io.aperture.internal.waiting.Waker;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.function.Supplier;

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
 *
 * <p><b>Its parts.</b> This class is the lifecycle: it attaches, runs the drain thread from the attach to the
 * detach, names what failed (a truncated section first) and signals the end. Each other job has its class: the
 * demand and the window advertised ({@link SubscriberDemand}), the wait for admission ({@link SubscriberAdmission}),
 * and the drain loop with each record's delivery ({@link SubscriberDrain}).
 */
public final class SubscriberCore<T> implements Runnable {
    /** Where the drain thread signals: every call comes from that one thread, in Reactive Streams order. */
    public interface Downstream<T> {
        /** One decoded message, within the demand requested. */
        void onNext(T value);

        /** The stream failed (the publisher's error, a dead peer, a corrupt section, a refused channel); last call. */
        void onError(Throwable error);

        /** The publisher completed and every message was delivered; last call. */
        void onComplete();
    }

    private final Path directory;
    private final String channel;
    private final Codec<T> codec;
    private final ChannelOptions options;
    private final Downstream<? super T> actual;
    /** The context entries for the publisher ({@link ContextEntries}), asked once, when the section is claimed. */
    private final Supplier<byte[]> context;
    private final Thread thread;
    /** The downstream's demand and cancel, and the window advertised. */
    private final SubscriberDemand demand;
    /** This end for the shutdown hook. */
    private final OpenChannels.End end = new OpenChannels.End() {
        @Override
        public void beginClose() {
            demand.cancel();
        }

        @Override
        public Thread thread() {
            return thread;
        }
    };
    /** How long {@link #cancel()} waits for the drain thread: four liveness intervals, at least a second. */
    private final long closeWaitNs;

    // drain thread only
    private RingAttachment.Attached attached;
    private MappedSection ring;
    /** This subscriber's double mapping of a ring whose publisher double-maps it; null: the copy path. */
    private DoubleMapping ringDoubleMapping;
    private OwnSubscriberSection own;
    private int index;
    private Waker waker;
    private PeerLiveness liveness;
    private ParkingSpot spot;
    /** The drain loop, once admitted. */
    private SubscriberDrain<T> drain;

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
        this.closeWaitNs = Math.max(java.util.concurrent.TimeUnit.SECONDS.toNanos(1),
            4 * options.livenessInterval().toNanos());
        this.thread = new Thread(this, "aperture-sub-" + channel);
        this.thread.setDaemon(true);
        this.demand = new SubscriberDemand(thread, unboundedDemand ? Long.MAX_VALUE : options.demandWindow());
    }

    /** Starts the drain thread; the adapter has handed its downstream the subscription before. */
    public void start() {
        thread.start();
        OpenChannels.opened(end);
    }

    /** Adds {@code n} to the downstream's demand (capped at {@code Long.MAX_VALUE}); any thread. */
    public void request(long n) {
        demand.request(n);
    }

    /**
     * Cancels, and waits (at most {@link #closeWaitNs}) until the drain thread has detached and removed this
     * subscriber's section; on the drain thread itself (a cancel from {@code onNext}) it only asks.
     */
    public void cancel() {
        demand.cancel();
        OpenChannels.awaitEnd(thread, closeWaitNs);
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
                            drain.drainLoop();
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
                checkLengths(own, ring);
            } catch (CorruptSectionException truncated) {
                truncated.addSuppressed(next);
                return truncated;
            } catch (RuntimeException | InternalError unreadable) {
                next.addSuppressed(unreadable);
            }
        }
        return SectionFaults.withFailure(failure, next, this::fault);
    }

    private Throwable terminalError() {
        SubscriberDrain<T> d = drain;
        return d == null ? null : d.terminalError();
    }

    private boolean completed() {
        SubscriberDrain<T> d = drain;
        return d != null && d.completed();
    }

    /** Says in the own section why this subscriber leaves, for the publisher's report ({@code PublishReport}). */
    private void sayEnd(Throwable failure) {
        if (own == null) {
            return;
        }
        Throwable terminalError = terminalError();
        if (demand.badRequested()) {
            own.sayEnd(SubscriberDescriptor.END_FAILED, "§3.9 violated: positive request amount required but it was "
                + demand.badRequest());
        } else if (demand.cancelled()) {
            own.sayEnd(SubscriberDescriptor.END_CANCELLED, failure == null ? "" : failure.toString());
        } else if (failure != null) {
            own.sayEnd(SubscriberDescriptor.END_FAILED, failure.toString());
        } else if (terminalError != null || completed()) {
            own.sayEnd(SubscriberDescriptor.END_READ_TO_END, terminalError == null ? "" : terminalError.toString());
        }
    }

    private void signal(Throwable failure) {
        Throwable terminalError = terminalError();
        if (failure instanceof IncompatibleChannelException) {
            ChannelLog.log().warn("channel '{}': subscriber refused the channel: {}", channel, failure.getMessage());
        } else if (failure != null && !demand.cancelled()) {
            ChannelLog.log().warn("channel '{}': subscriber {} ended with {}", channel, index, failure.toString());
        } else if (terminalError != null && !demand.cancelled()) {
            ChannelLog.log().warn("channel '{}': subscriber {} ended with the publisher's error {}", channel, index,
                terminalError.toString());
        }
        if (demand.cancelled()) {
            if (failure != null) {
                // The downstream cancelled and wants no signal; what the drain thread met while it detached (often the
                // publisher's end, found after the cancel) is logged, not raised as a dropped error.
                ChannelLog.log().debug("channel '{}': subscriber {} met {} after its downstream cancelled", channel, index,
                    failure.toString());
            }
            return;
        }
        if (demand.badRequested()) {
            actual.onError(new IllegalArgumentException("§3.9 violated: positive request amount required but it was "
                + demand.badRequest()));
        } else if (failure != null) {
            actual.onError(failure);
        } else if (terminalError != null) {
            actual.onError(terminalError);
        } else if (completed()) {
            actual.onComplete();
        }
    }

    // ---------------------------------------------------------------- attach and detach

    /** Attaches ({@link RingAttachment}) and sets this side's waker, spot and liveness up; false when cancelled first. */
    private boolean attach() throws IOException {
        RingAttachment.Attached a = new RingAttachment(directory, channel, codec, options, demand::stopped,
            context).attach();
        if (a == null) {
            return false;
        }
        attached = a;
        own = a.own();
        ByteBuffer ownSection = own.buffer();
        index = a.index();
        ring = a.ring();
        ByteBuffer ringSection = ring.buffer();
        ringDoubleMapping = a.doubleMapping();
        waker = new Waker(ownSection, SubscriberDescriptor.WAKE_OFFSET, RingDescriptor.PARKED_OFFSET);
        waker.addPeer(ringSection);
        // requested wakes the conductor, announced in its own word: a consumed store does not wake it, nor this the writer.
        // An earlier build's publisher (no flag) announces both waits in the one parked word.
        Waker demandWaker = new Waker(ownSection, SubscriberDescriptor.WAKE_OFFSET,
            (a.header().flags & RingDescriptor.FLAG_DEMAND_PARKED) != 0
                ? RingDescriptor.DEMAND_PARKED_OFFSET : RingDescriptor.PARKED_OFFSET);
        demandWaker.addPeer(ringSection);
        liveness = SectionPlatform.current().liveness(a.ringName(), ring, a.header().publisher, ringSection,
            RingDescriptor.HEARTBEAT_OFFSET, options.heartbeatTimeout().toNanos());
        spot = new ParkingSpot(ownSection, SubscriberDescriptor.PARKED_OFFSET, ringSection, RingDescriptor.WAKE_OFFSET,
            true);
        demand.attached(own, demandWaker, spot);
        return true;
    }

    /**
     * Waits until the publisher admits this subscriber ({@link SubscriberAdmission}), then sets the drain loop up
     * where the publisher said. Returns false when cancelled first.
     */
    private boolean awaitAdmission() {
        int slotCount = attached.header().capacity / attached.header().slotLength;
        SubscriberAdmission admission = new SubscriberAdmission(channel, options, demand, own, ring, attached.header(),
            liveness, index, slotCount);
        long start = admission.await();
        if (start == SubscriberAdmission.CANCELLED) {
            return false;
        }
        drain = new SubscriberDrain<>(channel, codec, options, actual, demand, attached, waker, liveness, spot, start,
            admission.terminalSequence());
        return true;
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

    /** Neither file was truncated under its mapping ({@link SectionFaults#checkLength}): one system call each. */
    static void checkLengths(OwnSubscriberSection own, MappedSection ring) {
        SectionFaults.checkLength(own.mapped());
        SectionFaults.checkLength(ring);
    }
}
