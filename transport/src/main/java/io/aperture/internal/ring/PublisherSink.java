package io.aperture.internal.ring;

import com.lmax.disruptor.AlertException;
import io.aperture.ApertureException;
import io.aperture.ChannelOptions;
import io.aperture.Codec;
import io.aperture.CorruptSectionException;
import io.aperture.MessageTooLargeException;
import io.aperture.SubscriberEnd;
import io.aperture.internal.section.ChannelLog;
import io.aperture.internal.section.RecordDescriptor;
import io.aperture.internal.section.RingDescriptor;
import io.aperture.internal.section.SectionFaults;
import io.aperture.internal.section.ShmSequence;
import io.aperture.internal.section.SubscriberLink;
import io.aperture.internal.section.SubscriberTable;
import io.aperture.internal.section.TerminalState;

/**
 * The writer's side of a publisher: each value encoded in place in the ring on the calling thread, and the terminal
 * records after the last one. A write waits for space when the ring is full, like a Disruptor producer: in slices,
 * between which it beats the heartbeat, applies the slow-consumer policy ({@code DROP_SLOWEST} drops the subscriber
 * that holds the ring) and, on the conductor's thread, does the conductor's housekeeping. The entry points and what
 * they return are {@link PublisherCore}'s.
 */
final class PublisherSink<T> {
    static final int RUNNING = 0;
    static final int COMPLETED = 1;
    static final int ERRORED = 2;

    private final String channel;
    private final Codec<T> codec;
    private final ChannelOptions options;
    private final PublisherRing ring;
    private final RingWriter writer;
    private final PublisherFaults faults;
    private final PublisherUpstream upstream;
    private final PublisherHousekeeping housekeeping;
    private final boolean dropsSlowest;
    /** The writer waits for space in slices this long: the liveness interval, or the drop time if shorter. */
    private final long writeSliceNs;
    private volatile int state = RUNNING;
    private volatile Throwable failure;
    /** Writer thread: the element {@link #dataWrite} writes (one reusable write, no lambda per element). */
    private T dataValue;
    private final RecordWrite dataWrite;
    /** Writer thread: since when every write has had to wait for space (0: the last one did not). */
    private long ringFullSinceNs;

    PublisherSink(String channel, Codec<T> codec, ChannelOptions options, PublisherRing ring, PublisherFaults faults,
                  PublisherUpstream upstream, PublisherHousekeeping housekeeping) {
        this.channel = channel;
        this.codec = codec;
        this.options = options;
        this.ring = ring;
        this.writer = ring.writer;
        this.faults = faults;
        this.upstream = upstream;
        this.housekeeping = housekeeping;
        long intervalNs = options.livenessInterval().toNanos();
        this.dropsSlowest = options.slowConsumerPolicy() == ChannelOptions.SlowConsumerPolicy.DROP_SLOWEST;
        this.writeSliceNs = dropsSlowest ? Math.min(intervalNs, options.dropTime().toNanos()) : intervalNs;
        this.dataWrite = slice -> writer.writeDataWithin(codec, dataValue, slice);
    }

    /** {@link #RUNNING}, {@link #COMPLETED} or {@link #ERRORED}. */
    int state() {
        return state;
    }

    /** What ended the writing side with {@link #ERRORED}; read after {@link #state}. */
    Throwable failureOfState() {
        return failure;
    }

    /** {@link PublisherCore#failure}. */
    Throwable failure() {
        return state == ERRORED ? failure : null;
    }

    /** How the channel's end reads for a subscriber still attached at it. */
    SubscriberEnd.Kind endOfChannel() {
        int s = state;
        return s == COMPLETED ? SubscriberEnd.Kind.COMPLETED
            : s == ERRORED ? SubscriberEnd.Kind.ERRORED : SubscriberEnd.Kind.CLOSED;
    }

    String endOfChannelDetail() {
        Throwable f = state == ERRORED ? failure : null;
        return f == null ? "" : f.toString();
    }

    /** {@link PublisherCore#onNext}. */
    boolean onNext(T value) {
        if (state != RUNNING) {
            return false;
        }
        dataValue = value;
        try {
            return write(dataWrite);
        } catch (InternalError e) {
            if (!SectionFaults.isFault(e)) {
                throw e;
            }
            writeFailed(faults.fault(e));
        } catch (Throwable e) {
            writeFailed(e);
        } finally {
            dataValue = null;
        }
        return true; // taken by the failure it caused
    }

    /** A value could not be written: the upstream is cancelled and the channel fails, naming why. Writer thread. */
    private void writeFailed(Throwable e) {
        upstream.cancelFromWriter();
        if (e instanceof MessageTooLargeException || e instanceof CorruptSectionException) {
            fail(e); // names the channel and what is wrong already
        } else {
            fail(new ApertureException("channel '" + channel + "': codec '" + codec.name() + "' failed to encode element "
                + (writer.publishedCount() + 1) + ": " + e, e));
        }
    }

    /** {@link PublisherCore#tryOnNext}. */
    int tryOnNext(T value) {
        if (state != RUNNING) {
            return PublisherCore.NOT_TAKEN;
        }
        if (ring.onConductor()) {
            // Its waits do the conductor's housekeeping.
            return onNext(value) ? PublisherCore.TAKEN : PublisherCore.NOT_TAKEN;
        }
        try {
            // A slice of 1 ns: a wait for space ends at once, and the clock is read only when the ring is full.
            writer.writeDataWithin(codec, value, 1L);
            return PublisherCore.TAKEN;
        } catch (AlertException e) {
            return PublisherCore.WOULD_WAIT;
        } catch (InternalError e) {
            if (!SectionFaults.isFault(e)) {
                throw e;
            }
            return PublisherCore.WOULD_WAIT;
        } catch (Throwable e) {
            writeFailed(e);
        }
        return PublisherCore.TAKEN; // taken by the failure it caused
    }

    /** {@link PublisherCore#offer}. */
    boolean offer(T value, boolean defer) {
        long before = writer.publishedCount();
        writer.deferring(defer);
        try {
            onNext(value);
        } finally {
            writer.deferring(false);
        }
        return writer.publishedCount() != before;
    }

    /** {@link PublisherCore#flush}. */
    void flush() {
        writer.flush();
    }

    /** {@link PublisherCore#onError}. */
    boolean onError(Throwable error) {
        if (state != RUNNING) {
            return false;
        }
        fail(error);
        return true;
    }

    /** {@link PublisherCore#onComplete}. */
    void onComplete() {
        if (state != RUNNING) {
            return;
        }
        try {
            // The state names a terminal record only when the record was written (subscribers rely on it).
            boolean written = write(slice -> writer.writeSignalWithin(RecordDescriptor.TYPE_COMPLETE, new byte[0], slice));
            ring.endRing(written ? TerminalState.COMPLETED : TerminalState.CLOSED);
            state = COMPLETED;
        } catch (Throwable e) {
            failure = faults.named(e);
            state = ERRORED;
        }
        ring.wakeConductor();
    }

    /** Writes an ERROR record naming {@code error}'s class and message, then ends the session with it. */
    private void fail(Throwable cause) {
        // The fault of an access of ours may be raised a few instructions later (SectionFaults): in the upstream's
        // code, which hands it back here. Named for what it is when a section of the channel was truncated.
        Throwable error = faults.named(cause);
        failure = error;
        ChannelLog.log().warn("channel '{}': publisher failed: {}", channel, error.toString());
        try {
            byte[] payload = ErrorRecord.encode(error, RecordDescriptor.maxErrorLength(options.ringCapacity()));
            boolean written = write(slice -> writer.writeSignalWithin(RecordDescriptor.TYPE_ERROR, payload, slice));
            ring.endRing(written ? TerminalState.ERRORED : TerminalState.CLOSED);
        } catch (Throwable e) {
            error.addSuppressed(e);
            ring.endRing(TerminalState.CLOSED);
        }
        state = ERRORED;
        ring.wakeConductor();
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
        boolean onConductor = ring.onConductor();
        if (onConductor) {
            housekeeping.duringWrite();
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
                faults.onFault(e); // a subscriber's section truncated: that subscriber goes, and the write is tried again
            } catch (AlertException e) {
                waited = true;
                long now = System.nanoTime();
                if (onConductor) {
                    housekeeping.whileWriterWaits(now);
                }
                if (ring.writerShouldStop()) {
                    if (onConductor) {
                        // A synchronous source emits inside the conductor's request(): only a cancel ends it (§2.7:
                        // serial, this thread is the one in request).
                        upstream.cancel();
                    }
                    ring.wakeConductor();
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
                ring.beat();
            }
        }
    }

    /**
     * {@code DROP_SLOWEST}, on the writer thread while it waits for space: drops the subscriber holding the
     * ring if it lags the cursor by more than the drop lag, or if the ring has been full for the drop time
     * (every write since then had to wait for space, however slowly the holder moves). True if it dropped one.
     */
    private boolean dropSlowest(long fullForNs) {
        SubscriberLink slowest = null;
        long position = Long.MAX_VALUE;
        for (SubscriberLink link : ring.links()) {
            long gating = link.gating.get();
            if (gating < position) {
                position = gating;
                slowest = link;
            }
        }
        if (slowest == null) {
            return false;
        }
        long lagBytes = Math.min(options.ringCapacity(),
            Math.max(1, (ring.sequencer.nextValue() - position) * options.slotLength()));
        if (lagBytes <= options.dropLagBytes() && fullForNs < options.dropTime().toNanos()) {
            return false;
        }
        String reason = "dropped as too slow (lagged by " + lagBytes + " bytes)";
        slowest.endReason = reason; // volatile, before the dropped word: the conductor's entry check reads it after
        SubscriberTable.markDropped(ring.section, slowest.index, lagBytes); // released and fenced before any overwrite
        synchronized (SectionFaults.lockOf(ring.section)) { // both publisher threads may count; no RMW on mapped memory
            // Acquire, then release: a monitoring count, in turn under the lock with the other publisher thread.
            long dropped = (long) ShmSequence.LONG.getAcquire(ring.section, RingDescriptor.DROPPED_OFFSET);
            ShmSequence.LONG.setRelease(ring.section, RingDescriptor.DROPPED_OFFSET, dropped + 1);
        }
        ring.retire(slowest, SubscriberEnd.Kind.DROPPED, reason);
        return true;
    }

    /** Whether a terminal state in the ring may be this publisher's own: it is ending it, or the stream or session ended. */
    boolean endingOrEnded() {
        // endingRing first: the upstream's thread may set the state (onComplete) while the audit runs; its flag is
        // stored before the state, and the sink's state only after, so reading that state alone took our own end for
        // corruption.
        return ring.endingRing() || state != RUNNING || ring.closing();
    }
}
