package io.aperture.internal.composite;

import io.aperture.Aperture;
import io.aperture.ApertureException;
import io.aperture.ChannelOptions;
import io.aperture.Produced;
import io.aperture.RemoteException;
import io.aperture.ServiceHandler;
import io.aperture.ServiceRequester;
import org.reactivestreams.Publisher;
import org.reactivestreams.Subscription;
import reactor.core.CoreSubscriber;
import reactor.core.Disposable;
import reactor.core.Disposables;
import reactor.core.publisher.Flux;
import reactor.core.publisher.MonoSink;
import reactor.core.publisher.Operators;
import reactor.core.scheduler.Schedulers;
import reactor.util.Logger;
import reactor.util.Loggers;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One subscription of {@link io.aperture.ServiceResponder#serve}: the merged request channels of every requester of the
 * service, a {@link Connection} per requester connection, and the interactions in flight in each, by correlation
 * id. Request frames arrive serially (§1.3) on the merge's drain threads and are dispatched there; the handler's
 * streams answer from whatever thread they signal on.
 *
 * @param <Q> the type of requests
 * @param <R> the type of responses
 */
public final class ResponderSession<Q, R> {
    private static final Logger LOG = Loggers.getLogger(ResponderSession.class);

    private final Aperture aperture;
    private final String service;
    private final FrameCodec<Q> requestCodec;
    private final FrameCodec<R> responseCodec;
    private final ChannelOptions options;
    private final ServiceHandler<Q, R> handler;
    private final MonoSink<Void> sink;
    private final Map<String, Connection> connections = new ConcurrentHashMap<>();
    private final Disposable.Swap inbound = Disposables.swap();
    private volatile boolean disposed;

    public ResponderSession(Aperture aperture, String service, FrameCodec<Q> requestCodec, FrameCodec<R> responseCodec,
                     ChannelOptions options, ServiceHandler<Q, R> handler, MonoSink<Void> sink) {
        this.aperture = aperture;
        this.service = service;
        this.requestCodec = requestCodec;
        this.responseCodec = responseCodec;
        this.options = options;
        this.handler = handler;
        this.sink = sink;
    }

    public void start() {
        inbound.update(aperture.subscriber(service, requestCodec, options).receiveFromProducersTagged(Integer.MAX_VALUE)
            .subscribe(this::onProduced,
                e -> sink.error(new ApertureException("service '" + service + "': the responder stopped: " + e.getMessage(), e)),
                () -> sink.error(new ApertureException("service '" + service + "': the merged request channels completed"))));
    }

    public void dispose() {
        disposed = true;
        inbound.dispose();
        for (Connection c : new ArrayList<>(connections.values())) {
            c.shutdown();
        }
    }

    private void onProduced(Produced<Frame<Q>> produced) {
        String requester = produced.producer();
        Frame<Q> frame = produced.value();
        Connection current = connections.get(requester);
        if (frame.isValid() && frame.kind == FrameKind.SETUP) {
            if (current != null) {
                if (current.connectionId == frame.n) {
                    current.protocolError("a second SETUP frame");
                    return;
                }
                // A producer name has one live publisher: a new connection under it means the old one is over.
                current.close("requester '" + requester + "' connected again (connection " + Long.toHexString(frame.n) + ")");
            }
            if (disposed) {
                return;
            }
            Connection c = new Connection(requester, frame.n);
            connections.put(requester, c);
            c.open();
            return;
        }
        if (current == null) {
            LOG.warn("service '{}': {} from requester '{}', which has no connection: dropped", service, frame, requester);
            return;
        }
        current.onFrame(frame);
    }

    /** One requester connection: its response channel and its interactions. */
    private final class Connection {
        private final String requester;
        final long connectionId;
        private final String channel;
        private final FrameOutbox<R> outbox = new FrameOutbox<>();
        private final Map<Long, Exchange> exchanges = new ConcurrentHashMap<>();
        private final AtomicBoolean closed = new AtomicBoolean();
        private final Disposable.Composite resources = Disposables.composite();
        /** The highest correlation id opened; only the merge's serial onNext reads and writes it. */
        private long highestId;
        /** The requester left its response channel: only its last fire-and-forget frames are still handled. */
        private volatile boolean responsesGone;

        Connection(String requester, long connectionId) {
            this.requester = requester;
            this.connectionId = connectionId;
            this.channel = FrameDescriptor.responseChannel(service, requester, connectionId);
        }

        private String prefix() {
            return "service '" + service + "': requester '" + requester + "' (connection " + Long.toHexString(connectionId) + "): ";
        }

        void open() {
            outbox.send(Frame.setup(connectionId));
            resources.add(aperture.publisher(channel, responseCodec, options.withMaxSubscribers(1)).publish(outbox.frames())
                .subscribe(null,
                    e -> close("its response channel failed: " + e.getMessage()),
                    () -> requesterGone("the requester ended the connection (it closed it, or its process died)")));
            // A requester that dies before it attaches would leave the response channel waiting for ever.
            resources.add(Schedulers.parallel().schedule(() -> {
                if (!outbox.subscribed()) {
                    close("the requester did not attach to its response channel within the attach timeout ("
                        + ChannelOptions.describe(options.attachTimeoutNanos()) + ")");
                }
            }, options.attachTimeoutNanos(), TimeUnit.NANOSECONDS));
        }

        void send(Frame<R> frame) {
            if (!outbox.send(frame) && LOG.isDebugEnabled()) {
                LOG.debug("{}{} not sent: the connection ended", prefix(), frame);
            }
        }

        /** The connection is over: every interaction is cancelled, the response channel closed. */
        void close(String why) {
            if (!closed.compareAndSet(false, true)) {
                return;
            }
            connections.remove(requester, this);
            cancelAll();
            resources.dispose();
            if (LOG.isDebugEnabled()) {
                LOG.debug("{}closed: {}", prefix(), why);
            }
        }

        /**
         * The requester left its response channel (it disposed the connection, or died): nothing can be answered any
         * more, so every interaction is cancelled; but frames it wrote before it left may still be in its request
         * channel, behind the merge, and a fire-and-forget among them is still handled. The connection stays known
         * for that until its requester connects again or the attach timeout passes.
         */
        void requesterGone(String why) {
            if (!closed.compareAndSet(false, true)) {
                return;
            }
            responsesGone = true;
            cancelAll();
            resources.dispose();
            Schedulers.parallel().schedule(() -> connections.remove(requester, this), options.attachTimeoutNanos(),
                TimeUnit.NANOSECONDS);
            if (LOG.isDebugEnabled()) {
                LOG.debug("{}closed: {}", prefix(), why);
            }
        }

        /** The responder stops: the response channel completes after the frames queued, then closes. */
        void shutdown() {
            if (!closed.compareAndSet(false, true)) {
                return;
            }
            connections.remove(requester, this);
            cancelAll();
            outbox.complete();
            lingerThenDispose();
        }

        /** Tells the requester what it broke (ERROR on correlation id 0), then ends the connection. */
        void protocolError(String problem) {
            if (!closed.compareAndSet(false, true)) {
                return;
            }
            LOG.warn("{}protocol error, connection closed: {}", prefix(), problem);
            connections.remove(requester, this);
            cancelAll();
            send(Frame.error(0, ApertureException.class.getName(), "protocol error from requester '" + requester + "': " + problem));
            outbox.complete();
            lingerThenDispose();
        }

        private void lingerThenDispose() {
            Schedulers.parallel().schedule(resources::dispose, options.attachTimeoutNanos(), TimeUnit.NANOSECONDS);
        }

        private void cancelAll() {
            List<Exchange> open = new ArrayList<>(exchanges.values());
            exchanges.clear();
            for (Exchange e : open) {
                e.cancelHere();
            }
        }

        void onFrame(Frame<Q> frame) {
            long id = frame.correlationId;
            if (responsesGone) {
                if (frame.isValid() && frame.kind == FrameKind.FIRE_AND_FORGET && id > highestId) {
                    highestId = id;
                    start(frame); // written before its requester left: handled, nothing to answer
                } else if (LOG.isDebugEnabled()) {
                    LOG.debug("{}{} after the requester left: dropped", prefix(), frame);
                }
                return;
            }
            if (!frame.isValid()) {
                if (!frame.interactionProblem) {
                    protocolError(frame.problem);
                } else if (frame.kind.opens()) {
                    if (newId(id, frame.kind)) {
                        if (frame.kind == FrameKind.FIRE_AND_FORGET) {
                            LOG.warn("{}{}", prefix(), frame.problem);
                        } else {
                            send(Frame.error(id, ApertureException.class.getName(), frame.problem));
                        }
                    }
                } else {
                    Exchange e = exchanges.get(id);
                    if (e != null) {
                        e.failRequests(frame.problem);
                    }
                }
                return;
            }
            FrameKind kind = frame.kind;
            if (!kind.fromRequester) {
                protocolError(kind + " frame (correlation id " + id + "), which only a responder sends");
                return;
            }
            if (kind.opens()) {
                if (newId(id, kind)) {
                    start(frame);
                }
                return;
            }
            if (id == 0) { // ERROR on the connection
                close("the requester ended the connection with " + frame.errorClass + ": " + frame.errorMessage);
                return;
            }
            Exchange e = exchanges.get(id);
            if (e == null) {
                if (id > highestId) {
                    protocolError("unknown correlation id " + id + " in a " + kind + " frame: the highest this connection opened is " + highestId);
                } else if (LOG.isDebugEnabled()) {
                    LOG.debug("{}{} frame for ended interaction {} dropped", prefix(), kind, id);
                }
                return;
            }
            e.onFrame(frame);
        }

        private boolean newId(long id, FrameKind kind) {
            if (id <= highestId) {
                protocolError(kind + " frame with correlation id " + id + ", which is not above the highest already opened, " + highestId);
                return false;
            }
            highestId = id;
            return true;
        }

        private void start(Frame<Q> frame) {
            long id = frame.correlationId;
            if (frame.kind == FrameKind.FIRE_AND_FORGET) {
                try {
                    handler.fireAndForget(frame.value).subscribe(null, e -> LOG.warn("{}fire-and-forget {} failed in the handler: {}",
                        prefix(), id, e.toString()));
                } catch (Throwable e) {
                    Operators.onErrorDropped(e, reactor.util.context.Context.empty());
                }
                return;
            }
            Exchange exchange = new Exchange(id, frame.kind);
            exchanges.put(id, exchange);
            Publisher<? extends R> answers;
            try {
                switch (frame.kind) {
                    case REQUEST_RESPONSE:
                        answers = handler.requestResponse(frame.value);
                        break;
                    case REQUEST_STREAM:
                        answers = handler.requestStream(frame.value);
                        break;
                    default:
                        exchange.requests = new Requests(exchange);
                        answers = handler.requestChannel(exchange.requests);
                }
                if (answers == null) {
                    throw new NullPointerException("the handler returned null for " + RequesterSession.model(frame.kind));
                }
            } catch (Throwable e) {
                answers = Flux.error(e);
            }
            exchange.upstream.request(frame.kind == FrameKind.REQUEST_RESPONSE ? 1 : frame.n);
            answers.subscribe(exchange);
        }

        /**
         * One interaction from the responder's side: the subscriber of the handler's answers. Its demand is what the
         * requester asked for: the opening frame's request-n, then REQUEST_N frames.
         */
        private final class Exchange implements CoreSubscriber<R> {
            final long id;
            final FrameKind kind;
            final Operators.DeferredSubscription upstream = new Operators.DeferredSubscription();
            Requests requests;
            private volatile boolean done;

            Exchange(long id, FrameKind kind) {
                this.id = id;
                this.kind = kind;
            }

            String label() {
                return RequesterSession.model(kind) + " " + id;
            }

            @Override
            public void onSubscribe(Subscription s) {
                upstream.set(s);
            }

            @Override
            public void onNext(R value) {
                if (done) {
                    Operators.onNextDropped(value, currentContext());
                    return;
                }
                if (kind == FrameKind.REQUEST_RESPONSE) {
                    finish();
                }
                send(Frame.of(FrameKind.NEXT, id, 0, value));
            }

            @Override
            public void onError(Throwable error) {
                if (finish()) {
                    send(Frame.error(id, error));
                } else {
                    Operators.onErrorDropped(error, currentContext());
                }
            }

            @Override
            public void onComplete() {
                if (finish()) {
                    send(Frame.signal(FrameKind.COMPLETE, id));
                }
            }

            private boolean finish() {
                if (done) {
                    return false;
                }
                done = true;
                exchanges.remove(id, this);
                if (requests != null) {
                    requests.end();
                }
                return true;
            }

            /** The requester cancelled, or the connection ended. */
            void cancelHere() {
                if (finish()) {
                    upstream.cancel();
                }
            }

            void failRequests(String problem) {
                if (requests != null) {
                    requests.fail(new ApertureException(prefix() + label() + ": " + problem));
                } else {
                    protocolError(problem);
                }
            }

            void onFrame(Frame<Q> frame) {
                switch (frame.kind) {
                    case REQUEST_N:
                        if (kind == FrameKind.REQUEST_RESPONSE) {
                            protocolError("REQUEST_N frame for " + label() + ", which answers once");
                        } else {
                            upstream.request(frame.n);
                        }
                        break;
                    case CANCEL:
                        cancelHere();
                        break;
                    default: // NEXT, COMPLETE, ERROR: the requests of a channel
                        if (requests == null) {
                            protocolError(frame.kind + " frame for " + label() + ", which takes no stream of requests");
                        } else {
                            requests.onFrame(frame);
                        }
                }
            }
        }

        /**
         * A request-channel's requests, as the handler sees them: its {@code request(n)} crosses as REQUEST_N, its
         * {@code cancel()} as CANCEL; NEXT frames beyond what it requested fail it.
         */
        private final class Requests extends Flux<Q> implements Subscription {
            private final Exchange exchange;
            private final AtomicBoolean subscribedOnce = new AtomicBoolean();
            private CoreSubscriber<? super Q> actual; // set once, before any frame can be delivered to it
            private long outstanding;                 // guarded by this
            private boolean terminated;               // guarded by this
            private Frame<Q> early;                   // a COMPLETE or ERROR before the handler subscribed

            Requests(Exchange exchange) {
                this.exchange = exchange;
            }

            @Override
            public void subscribe(CoreSubscriber<? super Q> subscriber) {
                if (!subscribedOnce.compareAndSet(false, true)) {
                    Operators.error(subscriber, new IllegalStateException(prefix() + "the requests of " + exchange.label()
                        + " may be subscribed once"));
                    return;
                }
                Frame<Q> terminal;
                synchronized (this) {
                    actual = Operators.serialize(subscriber);
                    terminal = early;
                    early = null;
                }
                actual.onSubscribe(this);
                if (terminal != null) {
                    deliverTerminal(terminal);
                }
            }

            @Override
            public void request(long n) {
                if (n <= 0) {
                    cancel();
                    actual.onError(new IllegalArgumentException(prefix() + "the requests of " + exchange.label()
                        + ": request(" + n + "), the demand must be positive (§3.9)"));
                    return;
                }
                synchronized (this) {
                    if (terminated) {
                        return;
                    }
                    outstanding = Operators.addCap(outstanding, n);
                    send(Frame.requestN(exchange.id, n));
                }
            }

            @Override
            public void cancel() {
                synchronized (this) {
                    if (terminated) {
                        return;
                    }
                    terminated = true;
                    send(Frame.signal(FrameKind.CANCEL, exchange.id));
                }
            }

            /** The interaction ended: no more requests are delivered (the requester stops them on its side). */
            synchronized void end() {
                terminated = true;
            }

            void fail(ApertureException problem) {
                synchronized (this) {
                    if (terminated || actual == null) {
                        return;
                    }
                    terminated = true;
                    send(Frame.signal(FrameKind.CANCEL, exchange.id));
                }
                actual.onError(problem);
            }

            void onFrame(Frame<Q> frame) {
                if (frame.kind == FrameKind.NEXT) {
                    boolean overflow;
                    synchronized (this) {
                        if (terminated) {
                            return;
                        }
                        if (actual == null) {
                            protocolError("NEXT frame for " + exchange.label() + " before its handler asked for requests");
                            return;
                        }
                        overflow = outstanding == 0;
                        if (!overflow && outstanding != Long.MAX_VALUE) {
                            outstanding--;
                        }
                    }
                    if (overflow) {
                        fail(new ApertureException(prefix() + "the requests of " + exchange.label()
                            + ": a NEXT frame beyond the demand the handler requested"));
                    } else {
                        actual.onNext(frame.value);
                    }
                    return;
                }
                synchronized (this) {
                    if (terminated) {
                        return;
                    }
                    if (actual == null) {
                        early = frame;
                        terminated = true;
                        return;
                    }
                    terminated = true;
                }
                deliverTerminal(frame);
            }

            private void deliverTerminal(Frame<Q> frame) {
                if (frame.kind == FrameKind.COMPLETE) {
                    actual.onComplete();
                } else {
                    actual.onError(RemoteException.fromRequester(service, requester, exchange.label(), frame.errorClass,
                        frame.errorMessage));
                }
            }
        }
    }
}
