package io.aperture.internal.bridge;

import io.aperture.internal.ring.PublisherCore;
import io.aperture.ChannelOptions;
import io.aperture.Codec;
import io.aperture.PublishReport;
import io.aperture.RingSink;
import org.reactivestreams.Publisher;
import org.reactivestreams.Subscription;
import reactor.core.CoreSubscriber;
import reactor.core.publisher.MonoSink;
import reactor.core.publisher.Operators;
import reactor.util.context.Context;

import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicReferenceFieldUpdater;

/**
 * The Reactor adapter of a channel's publisher end, for one subscription of
 * {@link io.aperture.ChannelPublisher#publish}: the source's {@link CoreSubscriber}, whose signals go to the
 * {@link PublisherCore} (each {@code onNext} encoded in place in the ring on the source's thread), and the core's
 * {@link PublisherCore.Upstream}, which subscribes the source once the first subscriber's demand crossed and passes
 * the subscribers' demand on as {@code request(n)}. The {@code publish} Mono hears how the channel ended.
 *
 * @param <T> the type of values
 */
public final class PublisherSession<T> implements RingSink<T> {
    @SuppressWarnings("rawtypes")
    private static final AtomicReferenceFieldUpdater<PublisherSession, Subscription> UPSTREAM =
        AtomicReferenceFieldUpdater.newUpdater(PublisherSession.class, Subscription.class, "upstream");

    private final Publisher<? extends T> source;
    private final MonoSink<Void> done;
    private final PublisherCore<T> core;
    private volatile Subscription upstream;

    /**
     * @param subscribeAtAdmission subscribe {@code source} when the first subscriber is admitted, before its demand
     */
    public PublisherSession(Path directory, String channel, Codec<T> codec, ChannelOptions options,
                            Publisher<? extends T> source, MonoSink<Void> done, boolean subscribeAtAdmission) {
        this.source = source;
        this.done = done;
        this.core = new PublisherCore<>(directory, channel, codec, options, new PublisherCore.Upstream() {
            @Override
            public void start() {
                source.subscribe(PublisherSession.this);
            }

            @Override
            public void request(long delta) {
                Subscription s = upstream;
                if (s != null && s != Operators.cancelledSubscription()) {
                    s.request(delta);
                }
            }

            @Override
            public void cancel() {
                Subscription s = UPSTREAM.getAndSet(PublisherSession.this, Operators.cancelledSubscription());
                if (s != null) {
                    s.cancel();
                }
            }
        }, new PublisherCore.Outcome() {
            @Override
            public void completed() {
                done.success();
            }

            @Override
            public void failed(Throwable failure) {
                done.error(failure);
            }

            @Override
            public void dropped(Throwable failure) {
                Operators.onErrorDropped(failure, currentContext());
            }
        }, subscribeAtAdmission);
    }

    /** Creates the ring section and starts the conductor. Failures are thrown to the caller. */
    public void start() {
        core.start();
    }

    /** Ends the channel and waits (bounded) until the conductor removed its files ({@link PublisherCore#close}). */
    public void close() {
        core.close();
    }

    /** What the stream came to so far, subscriber by subscriber. */
    public PublishReport report() {
        return core.report();
    }

    @Override
    public Context currentContext() {
        // The upstream's context: the publish Mono's, and the entries the channel's first subscriber sent.
        Map<String, String> remote = core.remoteContext();
        Context own = Context.of(done.contextView());
        return remote.isEmpty() ? own : own.putAll(Context.of(remote).readOnly());
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
        core.upstreamReady();
    }

    @Override
    public void onNext(T value) {
        Objects.requireNonNull(value, "onNext value (§2.13)");
        if (!core.onNext(value)) {
            Operators.onNextDropped(value, currentContext());
        }
    }

    /** {@inheritDoc} ({@link PublisherCore#tryOnNext}) */
    @Override
    public boolean tryWrite(T value) {
        Objects.requireNonNull(value, "onNext value (§2.13)");
        int outcome = core.tryOnNext(value);
        if (outcome == PublisherCore.WOULD_WAIT) {
            return false;
        }
        if (outcome == PublisherCore.NOT_TAKEN) {
            Operators.onNextDropped(value, currentContext());
        }
        return true;
    }

    @Override
    public void onError(Throwable error) {
        Objects.requireNonNull(error, "onError throwable (§2.13)");
        if (!core.onError(error)) {
            Operators.onErrorDropped(error, currentContext());
        }
    }

    @Override
    public void onComplete() {
        core.onComplete();
    }
}
