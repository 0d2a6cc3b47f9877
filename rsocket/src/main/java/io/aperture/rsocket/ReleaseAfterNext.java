package io.aperture.rsocket;

import org.reactivestreams.Subscriber;
import org.reactivestreams.Subscription;
import reactor.core.CoreSubscriber;
import reactor.util.context.Context;

import java.util.function.Consumer;

/**
 * Passes every signal on and, once {@code onNext} returned, releases the element: a frame is the transport's until
 * the next stage has handled it (it retains what it keeps), as Reactor Netty does for RSocket's TCP transport.
 */
final class ReleaseAfterNext<T> implements CoreSubscriber<T> {
    private final Subscriber<? super T> actual;
    private final Consumer<? super T> release;

    ReleaseAfterNext(Subscriber<? super T> actual, Consumer<? super T> release) {
        this.actual = actual;
        this.release = release;
    }

    @Override
    @SuppressWarnings("unchecked")
    public Context currentContext() {
        return actual instanceof CoreSubscriber ? ((CoreSubscriber<? super T>) actual).currentContext() : Context.empty();
    }

    @Override
    public void onSubscribe(Subscription s) {
        actual.onSubscribe(s);
    }

    @Override
    public void onNext(T element) {
        try {
            actual.onNext(element);
        } finally {
            release.accept(element);
        }
    }

    @Override
    public void onError(Throwable t) {
        actual.onError(t);
    }

    @Override
    public void onComplete() {
        actual.onComplete();
    }
}
