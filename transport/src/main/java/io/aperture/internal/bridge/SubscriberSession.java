package io.aperture.internal.bridge;

import io.aperture.ChannelOptions;
import io.aperture.Codec;
import io.aperture.internal.ring.SubscriberCore;
import io.aperture.internal.section.ContextEntries;
import org.reactivestreams.Subscription;
import reactor.core.CoreSubscriber;

import java.nio.file.Path;

/**
 * The Reactor adapter of the subscriber end, for one subscription of {@link io.aperture.ChannelSubscriber#receive()}:
 * the {@link Subscription} its downstream holds, over a {@link SubscriberCore}, which drains the ring and signals
 * here from its drain thread. The context entries the options name ({@link ChannelOptions#contextKeys()}) are read
 * from the downstream's Reactor {@code Context} when the core claims its section.
 */
public final class SubscriberSession<T> implements Subscription, SubscriberCore.Downstream<T> {
    private final CoreSubscriber<? super T> actual;
    private final SubscriberCore<T> core;

    public SubscriberSession(Path directory, String channel, Codec<T> codec, ChannelOptions options,
                             CoreSubscriber<? super T> actual) {
        this.actual = actual;
        this.core = new SubscriberCore<>(directory, channel, codec, options, this,
            () -> ContextEntries.encode(channel, options.contextKeys(),
                key -> actual.currentContext().getOrDefault(key, null)), false);
    }

    /** Hands the downstream its subscription, then starts the drain thread. */
    public void start() {
        actual.onSubscribe(this);
        core.start();
    }

    @Override
    public void request(long n) {
        core.request(n);
    }

    /**
     * Cancels, and waits (a bounded time) until the drain thread has detached and removed this subscriber's section;
     * on the drain thread itself (a cancel from {@code onNext}) it only asks.
     */
    @Override
    public void cancel() {
        core.cancel();
    }

    @Override
    public void onNext(T value) {
        actual.onNext(value);
    }

    @Override
    public void onError(Throwable error) {
        actual.onError(error);
    }

    @Override
    public void onComplete() {
        actual.onComplete();
    }
}
