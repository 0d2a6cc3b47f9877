package io.aperture.internal.composite;

import io.aperture.Aperture;
import io.aperture.ApertureException;
import io.aperture.ChannelOptions;
import io.aperture.RemoteException;
import io.aperture.ServiceConnection;
import org.reactivestreams.Publisher;
import org.reactivestreams.Subscription;
import reactor.core.CoreSubscriber;
import reactor.core.Disposable;
import reactor.core.Disposables;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.MonoSink;
import reactor.core.publisher.Operators;
import reactor.core.publisher.Sinks;
import reactor.core.scheduler.Schedulers;
import reactor.util.Logger;
import reactor.util.Loggers;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * One connection of a requester to a service's responder: its request channel (producer {@code <requester>} of
 * {@code <service>}), its response channel ({@code <service>.r-<requester>.<connection id>}), and the interactions
 * in flight, by correlation id. Response frames arrive on the response channel's drain thread and are dispatched
 * there; any thread may open, request or cancel.
 *
 * @param <Q> the type of requests
 * @param <R> the type of responses
 */
public final class RequesterSession<Q, R> implements ServiceConnection<Q, R> {
    private static final Logger LOG = Loggers.getLogger(RequesterSession.class);

    private final Aperture aperture;
    private final String service;
    private final String requester;
    private final FrameCodec<Q> requestCodec;
    private final FrameCodec<R> responseCodec;
    private final ChannelOptions options;
    private final MonoSink<ServiceConnection<Q, R>> connecting;
    private final long connectionId;
    private final String responseChannelName;
    private final FrameOutbox<Q> outbox = new FrameOutbox<>();
    private final Map<Long, Pending<R>> pending = new ConcurrentHashMap<>();
    /** The highest correlation id opened; frames for ids above it name interactions that never existed. */
    private final AtomicLong lastId = new AtomicLong();
    private final AtomicReference<ApertureException> end = new AtomicReference<>();
    private final Sinks.Empty<Void> closed = Sinks.empty();
    private final Disposable.Swap requestChannel = Disposables.swap();
    private final Disposable.Swap responseChannel = Disposables.swap();
    private volatile boolean connected;
    private volatile boolean endedNormally;

    public RequesterSession(Aperture aperture, String service, String requester, FrameCodec<Q> requestCodec,
                     FrameCodec<R> responseCodec, ChannelOptions options, MonoSink<ServiceConnection<Q, R>> connecting) {
        this.aperture = aperture;
        this.service = service;
        this.requester = requester;
        this.requestCodec = requestCodec;
        this.responseCodec = responseCodec;
        this.options = options;
        this.connecting = connecting;
        long id;
        do {
            id = ThreadLocalRandom.current().nextLong();
        } while (id == 0);
        this.connectionId = id;
        this.responseChannelName = FrameDescriptor.responseChannel(service, requester, id);
    }

    public void start() {
        connecting.onCancel(() -> {
            if (!connected) {
                close(failure("the connect Mono was cancelled before the responder answered", null));
            }
        });
        outbox.send(Frame.setup(connectionId));
        requestChannel.update(aperture.producer(service, requester, requestCodec, options.withMaxSubscribers(1))
            .publish(outbox.frames())
            .subscribe(null,
                e -> {
                    close(failure("its request channel failed", e));
                    released();
                },
                () -> {
                    close(failure("the responder stopped reading its requests (it closed or died)", null));
                    released();
                }));
        responseChannel.update(aperture.subscriber(responseChannelName, responseCodec, options).receive()
            .subscribe(this::onFrame,
                e -> close(failure(connected ? "the responder's channel failed" : "no responder answered within the attach timeout ("
                    + ChannelOptions.describe(options.attachTimeoutNanos()) + ")", e)),
                () -> closeNormally("the responder closed the connection")));
    }

    private ApertureException failure(String what, Throwable cause) {
        return new ApertureException(prefix() + what + (cause == null ? "" : ": " + cause.getMessage()), cause);
    }

    private String prefix() {
        return "service '" + service + "': requester '" + requester + "': ";
    }

    // ---- frames from the responder (the response channel's drain thread) ----

    private void onFrame(Frame<R> frame) {
        if (!frame.isValid() && !frame.interactionProblem) {
            protocolError(frame.problem);
            return;
        }
        FrameKind kind = frame.kind;
        if (kind == FrameKind.SETUP) {
            if (connected) {
                protocolError("a second SETUP frame");
            } else if (frame.n != connectionId) {
                protocolError("SETUP answered with connection id " + Long.toHexString(frame.n) + ", expected "
                    + Long.toHexString(connectionId));
            } else {
                connected = true;
                connecting.success(this);
            }
            return;
        }
        if (!connected) {
            protocolError(kind + " frame (correlation id " + frame.correlationId + ") before SETUP");
            return;
        }
        if (!kind.fromResponder || kind.opens()) {
            protocolError(kind + " frame (correlation id " + frame.correlationId + "), which only a requester sends");
            return;
        }
        long id = frame.correlationId;
        if (id == 0) { // ERROR on the connection
            close(new ApertureException(prefix() + "the responder ended the connection with " + frame.errorClass
                + (frame.errorMessage == null ? "" : ": " + frame.errorMessage)));
            return;
        }
        Pending<R> target = pending.get(id);
        if (target == null) {
            long last = lastId.get();
            if (id > last) {
                protocolError("unknown correlation id " + id + " in a " + kind + " frame: the highest this connection opened is " + last);
            } else if (LOG.isDebugEnabled()) {
                LOG.debug("{}{} frame for ended interaction {} dropped", prefix(), kind, id);
            }
            return;
        }
        target.onFrame(frame);
    }

    private void protocolError(String problem) {
        close(new ApertureException(prefix() + "protocol error from the responder: " + problem));
    }

    // ---- the connection's end ----

    private void closeNormally(String why) {
        close(new ApertureException(prefix() + why), true);
    }

    private void close(ApertureException cause) {
        close(cause, false);
    }

    private void close(ApertureException cause, boolean normal) {
        if (!end.compareAndSet(null, cause)) {
            return;
        }
        if (!connected) {
            connecting.error(cause);
        }
        List<Pending<R>> open = new ArrayList<>(pending.values());
        pending.clear();
        for (Pending<R> p : open) {
            p.fail(cause);
        }
        responseChannel.dispose();
        endedNormally = normal;
        if (normal && connected) {
            // The request channel completes after the frames queued, and its ring is removed before its Mono
            // completes: onClose() then completes. A responder that stops reading is given the attach timeout.
            outbox.complete();
            Schedulers.parallel().schedule(() -> {
                requestChannel.dispose();
                released();
            }, options.attachTimeoutNanos(), TimeUnit.NANOSECONDS);
        } else {
            requestChannel.dispose();
            released();
        }
    }

    /** The request channel has ended (or was abandoned): onClose() signals. */
    private void released() {
        if (endedNormally) {
            closed.tryEmitEmpty();
        } else {
            closed.tryEmitError(end.get());
        }
    }

    /** The reason new interactions fail, or null while open. */
    private ApertureException ended() {
        return end.get();
    }

    @Override
    public void dispose() {
        closeNormally("the connection was disposed");
    }

    @Override
    public boolean isDisposed() {
        return end.get() != null;
    }

    @Override
    public Mono<Void> onClose() {
        return closed.asMono();
    }

    @Override
    public String requester() {
        return requester;
    }

    @Override
    public String service() {
        return service;
    }

    /** Registers {@code p} under a new correlation id; 0 when the connection has ended. */
    private long open(Pending<R> p) {
        long id = lastId.incrementAndGet();
        pending.put(id, p);
        if (end.get() != null) { // close() may have run before the put: it would not have seen p
            pending.remove(id);
            return 0;
        }
        return id;
    }

    private void send(Frame<Q> frame) {
        if (!outbox.send(frame) && LOG.isDebugEnabled()) {
            LOG.debug("{}{} not sent: the connection ended", prefix(), frame);
        }
    }

    // ---- the interaction models ----

    @Override
    public Mono<R> requestResponse(Q request) {
        Objects.requireNonNull(request, "request");
        return Mono.fromDirect(new ExchangeFlux(FrameKind.REQUEST_RESPONSE, request, null));
    }

    @Override
    public Flux<R> requestStream(Q request) {
        Objects.requireNonNull(request, "request");
        return new ExchangeFlux(FrameKind.REQUEST_STREAM, request, null);
    }

    @Override
    public Flux<R> requestChannel(Publisher<Q> requests) {
        Objects.requireNonNull(requests, "requests");
        return new ExchangeFlux(FrameKind.REQUEST_CHANNEL, null, requests);
    }

    @Override
    public Mono<Void> fireAndForget(Q request) {
        Objects.requireNonNull(request, "request");
        return Mono.create(sink -> {
            FireAndForget f = new FireAndForget(sink);
            long id = open(f);
            if (id == 0) {
                sink.error(interactionFailure("fire-and-forget", 0, ended()));
                return;
            }
            f.id = id;
            send(Frame.of(FrameKind.FIRE_AND_FORGET, id, 0, request).onWritten(() -> {
                pending.remove(id);
                sink.success();
            }));
        });
    }

    private ApertureException interactionFailure(String model, long id, ApertureException cause) {
        return new ApertureException("service '" + service + "': " + model + (id == 0 ? "" : " " + id) + " failed: "
            + cause.getMessage(), cause);
    }

    public static String model(FrameKind kind) {
        switch (kind) {
            case REQUEST_RESPONSE:
                return "request-response";
            case REQUEST_STREAM:
                return "request-stream";
            case REQUEST_CHANNEL:
                return "request-channel";
            default:
                return "fire-and-forget";
        }
    }

    /** An interaction awaiting frames from the responder. */
    private interface Pending<R> {
        void onFrame(Frame<R> frame);

        void fail(ApertureException connectionEnd);
    }

    private final class FireAndForget implements Pending<R> {
        private final MonoSink<Void> sink;
        volatile long id;

        FireAndForget(MonoSink<Void> sink) {
            this.sink = sink;
        }

        @Override
        public void onFrame(Frame<R> frame) {
            protocolError(frame.kind + " frame for fire-and-forget " + id + ", which has no answer");
        }

        @Override
        public void fail(ApertureException connectionEnd) {
            sink.error(interactionFailure("fire-and-forget", id, connectionEnd));
        }
    }

    /** Each subscription is one interaction. */
    private final class ExchangeFlux extends Flux<R> {
        private final FrameKind kind;
        private final Q request;
        private final Publisher<Q> requests;

        ExchangeFlux(FrameKind kind, Q request, Publisher<Q> requests) {
            this.kind = kind;
            this.request = request;
            this.requests = requests;
        }

        @Override
        public void subscribe(CoreSubscriber<? super R> actual) {
            Exchange exchange = new Exchange(kind, request, requests, Operators.serialize(actual));
            exchange.actual.onSubscribe(exchange);
        }
    }

    /**
     * One request-response, request-stream or request-channel, from the requester's side: the downstream's
     * {@link Subscription}. The first {@code request(n)} opens it (the opening frame carries n); later ones send
     * REQUEST_N. {@code outstanding} (requested minus received) validates the responder's NEXT frames.
     */
    private final class Exchange implements Subscription, Pending<R> {
        private final FrameKind kind;
        private final Q request;
        private final Publisher<Q> requests;
        final CoreSubscriber<? super R> actual;
        private long id;           // guarded by this
        private long outstanding;  // guarded by this
        private boolean done;      // guarded by this
        private RequestsSubscriber requestsSubscriber;

        Exchange(FrameKind kind, Q request, Publisher<Q> requests, CoreSubscriber<? super R> actual) {
            this.kind = kind;
            this.request = request;
            this.requests = requests;
            this.actual = actual;
        }

        private String label() {
            return model(kind) + " " + id;
        }

        @Override
        public void request(long n) {
            if (n <= 0) {
                cancel();
                actual.onError(new IllegalArgumentException("service '" + service + "': " + label()
                    + ": request(" + n + "), the demand must be positive (§3.9)"));
                return;
            }
            ApertureException refused = null;
            RequestsSubscriber subscribeRequests = null;
            synchronized (this) {
                if (done) {
                    return;
                }
                outstanding = Operators.addCap(outstanding, n);
                if (id == 0) {
                    id = open(this);
                    if (id == 0) {
                        done = true;
                        refused = ended();
                    } else if (kind == FrameKind.REQUEST_RESPONSE) {
                        send(Frame.of(kind, id, 0, request));
                    } else if (kind == FrameKind.REQUEST_STREAM) {
                        send(Frame.of(kind, id, n, request));
                    } else {
                        send(Frame.of(kind, id, n, null));
                        requestsSubscriber = subscribeRequests = new RequestsSubscriber(id);
                    }
                } else if (kind != FrameKind.REQUEST_RESPONSE) {
                    send(Frame.requestN(id, n));
                }
            }
            if (refused != null) {
                actual.onError(interactionFailure(model(kind), 0, refused));
            } else if (subscribeRequests != null) {
                requests.subscribe(subscribeRequests); // after REQUEST_CHANNEL: its frames follow it
            }
        }

        @Override
        public void cancel() {
            RequestsSubscriber r;
            synchronized (this) {
                if (done) {
                    return;
                }
                done = true;
                if (id != 0) {
                    pending.remove(id);
                    send(Frame.signal(FrameKind.CANCEL, id));
                }
                r = requestsSubscriber;
            }
            if (r != null) {
                r.dispose();
            }
        }

        /** Ends this side: true when it was still open. */
        private boolean finish() {
            RequestsSubscriber r;
            synchronized (this) {
                if (done) {
                    return false;
                }
                done = true;
                pending.remove(id);
                r = requestsSubscriber;
            }
            if (r != null) {
                r.dispose();
            }
            return true;
        }

        @Override
        public void onFrame(Frame<R> frame) {
            if (!frame.isValid()) { // this interaction's value could not be decoded
                if (finish()) {
                    send(Frame.signal(FrameKind.CANCEL, id));
                    actual.onError(new ApertureException("service '" + service + "': " + label() + ": " + frame.problem));
                }
                return;
            }
            switch (frame.kind) {
                case NEXT:
                    onNext(frame.value);
                    break;
                case COMPLETE:
                    if (finish()) {
                        actual.onComplete();
                    }
                    break;
                case ERROR:
                    if (finish()) {
                        actual.onError(RemoteException.fromResponder(service, label(), frame.errorClass, frame.errorMessage));
                    }
                    break;
                case REQUEST_N:
                case CANCEL:
                    RequestsSubscriber r;
                    synchronized (this) {
                        r = done ? null : requestsSubscriber;
                    }
                    if (kind != FrameKind.REQUEST_CHANNEL) {
                        protocolError(frame.kind + " frame for " + label() + ", which sends no stream of requests");
                    } else if (r != null) {
                        if (frame.kind == FrameKind.REQUEST_N) {
                            r.request(frame.n);
                        } else {
                            r.dispose();
                        }
                    }
                    break;
                default:
                    protocolError(frame.kind + " frame for " + label());
            }
        }

        private void onNext(R value) {
            boolean overflow;
            synchronized (this) {
                if (done) {
                    return;
                }
                overflow = outstanding == 0;
                if (!overflow && outstanding != Long.MAX_VALUE) {
                    outstanding--;
                }
            }
            if (overflow) {
                if (finish()) {
                    send(Frame.signal(FrameKind.CANCEL, id));
                    actual.onError(new ApertureException("service '" + service + "': " + label()
                        + ": protocol error from the responder: a NEXT frame beyond the demand requested"));
                }
                return;
            }
            if (kind == FrameKind.REQUEST_RESPONSE) {
                if (finish()) {
                    actual.onNext(value);
                    actual.onComplete();
                }
            } else {
                actual.onNext(value);
            }
        }

        @Override
        public void fail(ApertureException connectionEnd) {
            if (finish()) {
                actual.onError(interactionFailure(model(kind), id, connectionEnd));
            }
        }
    }

    /**
     * A request-channel's requests: asked only for what the responder's REQUEST_N frames allow. Demand that arrives
     * before the publisher called {@code onSubscribe} is kept ({@link Operators.DeferredSubscription}).
     */
    private final class RequestsSubscriber implements CoreSubscriber<Q> {
        private final long id;
        private final Operators.DeferredSubscription upstream = new Operators.DeferredSubscription();

        RequestsSubscriber(long id) {
            this.id = id;
        }

        void request(long n) {
            upstream.request(n);
        }

        void dispose() {
            upstream.cancel();
        }

        @Override
        public void onSubscribe(Subscription subscription) {
            upstream.set(subscription); // no demand until the responder's handler asks (REQUEST_N)
        }

        @Override
        public void onNext(Q value) {
            send(Frame.of(FrameKind.NEXT, id, 0, value));
        }

        @Override
        public void onComplete() {
            send(Frame.signal(FrameKind.COMPLETE, id));
        }

        @Override
        public void onError(Throwable error) {
            send(Frame.error(id, error));
        }
    }

    @Override
    public String toString() {
        return "ServiceConnection{" + service + " as " + requester + ", connection " + Long.toHexString(connectionId) + '}';
    }
}
