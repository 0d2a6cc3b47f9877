package io.aperture.rsocket;

import io.aperture.Aperture;
import io.aperture.ChannelOptions;
import io.aperture.Produced;
import io.netty.buffer.ByteBufAllocator;
import io.rsocket.Closeable;
import io.rsocket.transport.ServerTransport;
import reactor.core.Disposable;
import reactor.core.Disposables;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.util.Logger;
import reactor.util.Loggers;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

/**
 * An RSocket {@link ServerTransport} over Aperture rings: serves every {@link ApertureClientTransport} of
 * {@code server}, in any process on the same machine.
 *
 * <pre>{@code
 * Closeable server = RSocketServer.create(acceptor).bind(ApertureServerTransport.create(aperture, "echo")).block();
 * }</pre>
 *
 * <p>It merges the request channels of all clients ({@code <server>.p-<connection id>}, found within a liveness
 * interval of their start) and answers each connection on its own channel {@code <server>.r-<connection id>}.
 * A client process that dies ends its connection within the liveness bound of that channel.
 */
public final class ApertureServerTransport implements ServerTransport<Closeable> {
    private static final Logger LOG = Loggers.getLogger(ApertureServerTransport.class);

    private final RingEndpoint endpoint;
    private final Aperture aperture;
    private final String server;
    private final ByteBufAllocator allocator;

    private ApertureServerTransport(RingEndpoint endpoint) {
        this.endpoint = endpoint;
        this.aperture = endpoint.aperture();
        this.server = endpoint.server();
        this.allocator = endpoint.allocator();
    }

    /**
     * A server named {@code server} in {@code aperture}'s directory, with its default options.
     *
     * @param aperture the section directory and channel options the connections use
     * @param server   the server's name, which its clients give
     * @return the server transport; nothing is opened until it is started
     */
    public static ApertureServerTransport create(Aperture aperture, String server) {
        return new ApertureServerTransport(RingEndpoint.of(aperture, server));
    }

    /**
     * The same transport, allocating received frames from {@code allocator}.
     *
     * @param allocator where the buffers of received frames come from
     * @return a transport that differs from this one only in its allocator
     */
    public ApertureServerTransport withAllocator(ByteBufAllocator allocator) {
        return new ApertureServerTransport(endpoint.withAllocator(allocator));
    }

    @Override
    public Mono<Closeable> start(ConnectionAcceptor acceptor) {
        Objects.requireNonNull(acceptor, "acceptor");
        return Mono.fromCallable(() -> {
            Server s = new Server(acceptor);
            s.start();
            return s;
        });
    }

    @Override
    public int maxFrameLength() {
        return Rings.MAX_FRAME_LENGTH;
    }

    @Override
    public String toString() {
        return endpoint.describe("ApertureServerTransport");
    }

    /** One bound server: the merge of the clients' channels and a connection per client. */
    private final class Server implements Closeable {
        private final ConnectionAcceptor acceptor;
        private final ChannelOptions options = Rings.options(aperture.defaults());
        private final RingFrameCodec codec = new RingFrameCodec(allocator);
        private final Map<String, RingDuplexConnection> connections = new ConcurrentHashMap<>();
        private final Disposable.Swap merge = Disposables.swap();
        private final Sinks.Empty<Void> closed = Sinks.empty();
        private volatile boolean disposed;

        Server(ConnectionAcceptor acceptor) {
            this.acceptor = acceptor;
        }

        void start() {
            merge.update(aperture.subscriber(server, codec, options).receiveFromProducersTagged(Integer.MAX_VALUE)
                // The merge queues records of clients that emit at the same time: one still queued when the server
                // is disposed is discarded there, and the frame it owns must be released then.
                .doOnDiscard(Produced.class, ApertureServerTransport::releaseDiscarded)
                .subscribe(this::onRecord,
                    e -> {
                        LOG.warn("RSocket server '{}': stopped: {}", server, e.toString());
                        dispose();
                    }));
        }

        private void onRecord(Produced<RingFrame> produced) {
            String client = produced.producer();
            RingFrame record = produced.value();
            RingDuplexConnection connection = connections.get(client);
            if (record.type == RingFrame.HELLO) {
                if (connection != null || disposed || !Rings.producerName(record.connectionId).equals(client)) {
                    LOG.warn("RSocket server '{}': {} from client '{}' refused", server, record, client);
                    record.release();
                    return;
                }
                open(client, record.connectionId);
                return;
            }
            if (connection == null) {
                record.release();
                return;
            }
            connection.onReceived(record.frame);
        }

        private void open(String client, long connectionId) {
            String channel = Rings.responseChannel(server, connectionId);
            RingDuplexConnection connection = new RingDuplexConnection(allocator,
                new RingAddress(aperture.directory(), server + ".p-" + client),
                options.attachTimeout());
            connections.put(client, connection);
            connection.onClose().subscribe(null, null, () -> connections.remove(client, connection));
            connection.outbox().send(RingFrame.hello(connectionId));
            connection.bindOutbound(aperture.publisher(channel, codec, options.withMaxSubscribers(1))
                .publish(connection.outbox().records()));
            acceptor.apply(connection).subscribe(null, e -> {
                LOG.warn("RSocket server '{}': connection of client '{}' failed: {}", server, client, e.toString());
                connection.dispose();
            });
        }

        @Override
        public Mono<Void> onClose() {
            return closed.asMono();
        }

        @Override
        public void dispose() {
            if (disposed) {
                return;
            }
            disposed = true;
            merge.dispose();
            List<Mono<Void>> ends = new ArrayList<>();
            for (RingDuplexConnection connection : connections.values()) {
                connection.dispose();
                ends.add(connection.onClose());
            }
            Mono.whenDelayError(ends).subscribe(null, e -> closed.tryEmitEmpty(), closed::tryEmitEmpty);
        }

        @Override
        public boolean isDisposed() {
            return disposed;
        }
    }

    /** Releases the frame of a record that a Reactor operator discarded instead of delivering. */
    private static void releaseDiscarded(Produced<?> produced) {
        if (produced.value() instanceof RingFrame record) {
            record.release();
        }
    }

}
