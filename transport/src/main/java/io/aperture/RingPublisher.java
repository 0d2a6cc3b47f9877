package io.aperture;

import io.aperture.internal.ring.PublisherCore;
import reactor.core.publisher.Operators;
import reactor.util.context.Context;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLongFieldUpdater;

/**
 * The publishing end of a channel without Reactor in the data path: the calling thread encodes each
 * message in place in the ring and publishes it, like a Disruptor producer. Subscribers are the same as
 * for {@link ChannelPublisher#publish}: {@link ChannelSubscriber#receive()} or {@link ChannelSubscriber#drain}.
 *
 * <p>{@link #publish} makes one message visible at once. {@link #write} adds a message to a batch that
 * {@link #flush} publishes with one release store of the cursor and one wake check for all of them (the
 * Disruptor's batch publish): a batch of 64 small messages costs about one message's publication. A batch
 * is also published whenever the ring fills, so that subscribers can free space, and by
 * {@link #complete}, {@link #error} and {@link #close}; otherwise it stays invisible until {@link #flush}.
 *
 * <p>The ring's capacity is the only bound: the writer waits while the slowest subscriber holds the ring
 * full (or, under {@link ChannelOptions.SlowConsumerPolicy#DROP_SLOWEST}, drops it). Subscriber demand is not
 * enforced here; {@link #demand()} tells how much the subscribers asked for beyond what was written, for
 * a writer that wants to honour it.
 *
 * <p>One thread at a time may write ({@link #publish}, {@link #write}, {@link #flush}, {@link #complete},
 * {@link #error}) and read {@link #demand()}; {@link #awaitSubscriber}, {@link #awaitTermination} and
 * {@link #close()} may be called from any.
 *
 * @param <T> the type of values
 */
public final class RingPublisher<T> implements AutoCloseable {
    @SuppressWarnings("rawtypes")
    private static final AtomicLongFieldUpdater<RingPublisher> REQUESTED =
        AtomicLongFieldUpdater.newUpdater(RingPublisher.class, "requested");

    private final String channel;
    private final PublisherCore<T> core;
    private final CountDownLatch connected = new CountDownLatch(1);
    private final CountDownLatch ended = new CountDownLatch(1);
    /** The first subscriber was admitted: writes go to the ring from now on. */
    private volatile boolean started;
    /** What the subscribers allowed so far (saturating), as the conductor passed it on. */
    private volatile long requested;
    /** The channel no longer wants values: every subscriber left, or it ended. */
    private volatile boolean cancelled;
    private volatile Throwable failure;
    /** Set by {@link #close()}: no write, flush or end goes through after it. */
    private volatile boolean closed;
    /** Messages written by this publisher (the writer thread's count). */
    private long written;

    RingPublisher(ChannelPublisher<T> publisher) {
        this.channel = publisher.channel();
        // The core with this publisher as its upstream: started at the first admission (the raw writer does not wait
        // for demand, it reads it through demand()), and told how the channel ended. No Reactor in the data path.
        this.core = new PublisherCore<>(publisher.directory(), channel, publisher.codec(), publisher.options(),
            new PublisherCore.Upstream() {
                @Override
                public void start() {
                    started = true; // volatile: a writer that sees it finds the ring ready
                    connected.countDown();
                    core.upstreamReady();
                }

                @Override
                public void request(long delta) {
                    Operators.addCap(REQUESTED, RingPublisher.this, delta);
                }

                @Override
                public void cancel() {
                    cancelled = true;
                }
            }, new PublisherCore.Outcome() {
                @Override
                public void completed() {
                    ended.countDown();
                }

                @Override
                public void failed(Throwable e) {
                    failure = e; // volatile, before the latch
                    ended.countDown();
                }

                @Override
                public void dropped(Throwable e) {
                    Operators.onErrorDropped(e, Context.empty());
                }
            }, true);
        try {
            core.start(); // the ring is created synchronously: its failures are thrown here
        } catch (RuntimeException e) {
            throw e;
        } catch (Error e) {
            throw new ApertureException("channel '" + channel + "': cannot start: " + e, e);
        }
    }

    /**
     * Waits until a first subscriber is admitted and the ring is ready for writes; the write methods wait
     * for this by themselves. Returns false if {@code timeout} passed first.
     *
     * @throws ApertureException when the channel ended before any subscriber came
     *
     * @param timeout how long to wait at most
     * @return true once a subscriber is admitted and the ring is ready, false when {@code timeout} passed first
     * @throws InterruptedException when the waiting thread is interrupted
     */
    public boolean awaitSubscriber(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            if (started) {
                return true;
            }
            if (ended.getCount() == 0) {
                throw endedException();
            }
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return false;
            }
            connected.await(Math.min(left, TimeUnit.MILLISECONDS.toNanos(10)), TimeUnit.NANOSECONDS);
        }
    }

    /**
     * Writes {@code value} and publishes it (with any batch written before it), waiting for a first
     * subscriber and for ring space. Returns false when the channel has ended: every subscriber cancelled
     * or left, or it was closed.
     *
     * @throws MessageTooLargeException when the value does not fit (the channel fails with it)
     * @throws ApertureException        when the channel failed (a codec error, corrupt memory), on this call and
     *                                  every later one
     *
     * @param value the message to encode in place in the ring
     * @return true when the message was published, false when the channel has ended
     */
    public boolean publish(T value) {
        return offer(value, false);
    }

    /**
     * Writes {@code value} without publishing it: it becomes visible at the next {@link #flush}, {@link #publish},
     * {@link #complete} or when the ring fills. Returns false when the channel has ended.
     *
     * @throws MessageTooLargeException when the value does not fit (the channel fails with it)
     * @throws ApertureException        when the channel failed
     *
     * @param value the message to encode in place in the ring
     * @return true when the message was written, false when the channel has ended
     */
    public boolean write(T value) {
        return offer(value, true);
    }

    private boolean offer(T value, boolean defer) {
        Objects.requireNonNull(value, "value");
        if (closed) {
            return false;
        }
        PublisherCore<T> session = connected();
        if (session == null) {
            return false;
        }
        if (!cancelled && session.offer(value, defer)) {
            written++;
            return true;
        }
        // Not written: a failed channel says why, every time (the cancel that follows a failure is not the cause).
        Throwable cause = session.failure();
        if (cause != null) {
            throw cause instanceof RuntimeException e ? e
                : new ApertureException("channel '" + channel + "' failed: " + cause, cause);
        }
        return false;
    }

    /** Publishes the messages written by {@link #write} since the last publication. */
    public void flush() {
        if (started && !closed) {
            core.flush();
        }
    }

    /**
     * How many more messages the subscribers requested than were written: the slowest admitted
     * subscriber's demand (saturating at {@code Long.MAX_VALUE}). Zero before the first subscriber.
     *
     * @return the outstanding demand of the slowest admitted subscriber, in messages
     */
    public long demand() {
        long requested = this.requested;
        return requested == Long.MAX_VALUE ? Long.MAX_VALUE : Math.max(0, requested - written);
    }

    /** Publishes any batch, then completes the channel: subscribers receive {@code onComplete} after the last message. */
    public void complete() {
        PublisherCore<T> session = closed ? null : connected();
        if (session != null) {
            session.onComplete();
        }
    }

    /**
     * Publishes any batch, then fails the channel: subscribers receive a {@link RemoteException} naming {@code error}.
     *
     * @param error the failure; subscribers see its class name and message, not the exception itself
     */
    public void error(Throwable error) {
        Objects.requireNonNull(error, "error");
        PublisherCore<T> session = closed ? null : connected();
        if (session != null) {
            session.onError(error);
        }
    }

    /**
     * Waits until the channel has ended: completed (and the completion written), failed, or every
     * subscriber gone. Returns false if {@code timeout} passed first.
     *
     * @param timeout how long to wait at most
     * @return true when the channel ended, false when {@code timeout} passed first
     * @throws InterruptedException when the waiting thread is interrupted
     */
    public boolean awaitTermination(Duration timeout) throws InterruptedException {
        return ended.await(timeout.toNanos(), TimeUnit.NANOSECONDS);
    }

    /**
     * Closes the channel: a batch not yet published is dropped (call {@link #flush} or {@link #complete}
     * first), subscribers that have not seen a completion fail, and the ring file is removed. When it returns,
     * the ring file is gone (unless the conductor did not end within four liveness intervals, at least a
     * second) and every later {@link #publish}, {@link #write}, {@link #flush}, {@link #complete} and
     * {@link #error} does nothing (the writes return false). A write running on another thread at the same
     * time may still complete before it.
     */
    @Override
    public void close() {
        closed = true;
        core.close(); // ends the channel and waits (bounded) until its conductor removed the ring
        ended.countDown(); // a writer waiting for a first subscriber returns false now
    }

    /** The core once connected; null when the channel ended first. Waits for the first subscriber. */
    private PublisherCore<T> connected() {
        while (true) {
            if (started) {
                return core;
            }
            if (ended.getCount() == 0) {
                return null;
            }
            try {
                connected.await(10, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new ApertureException("channel '" + channel + "': interrupted while waiting for a subscriber", e);
            }
        }
    }

    private ApertureException endedException() {
        Throwable cause = failure;
        return cause == null ? new ApertureException("channel '" + channel + "' ended before any subscriber came")
            : new ApertureException("channel '" + channel + "' failed before any subscriber came: " + cause, cause);
    }

    @Override
    public String toString() {
        return "RingPublisher{" + channel + ", written " + written + '}';
    }
}
