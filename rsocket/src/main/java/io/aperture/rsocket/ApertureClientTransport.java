package io.aperture.rsocket;

import io.aperture.Aperture;
import io.aperture.ApertureException;
import io.aperture.ChannelOptions;
import io.netty.buffer.ByteBufAllocator;
import io.rsocket.DuplexConnection;
import io.rsocket.transport.ClientTransport;
import reactor.core.publisher.Mono;

import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * An RSocket {@link ClientTransport} over Aperture rings: connects to the {@link ApertureServerTransport} of
 * {@code server} in this or another process on the same machine.
 *
 * <pre>{@code
 * RSocket rsocket = RSocketConnector.connectWith(ApertureClientTransport.create(aperture, "echo")).block();
 * }</pre>
 *
 * <p>Each connection publishes its frames as a producer of channel {@code <server>} (named by a random connection
 * id) and reads the server's frames from {@code <server>.r-<connection id>}; the connect waits up to the attach
 * timeout for the server. A frame crosses as one ring record (in fragments when it is larger than a record).
 */
public final class ApertureClientTransport implements ClientTransport {
    private final RingEndpoint endpoint;
    private final Aperture aperture;
    private final String server;
    private final ByteBufAllocator allocator;

    private ApertureClientTransport(RingEndpoint endpoint) {
        this.endpoint = endpoint;
        this.aperture = endpoint.aperture();
        this.server = endpoint.server();
        this.allocator = endpoint.allocator();
    }

    /**
     * A client of {@code server} in {@code aperture}'s directory, with its default options.
     *
     * @param aperture the section directory and channel options the connections use
     * @param server   the server's name, as given to {@link ApertureServerTransport#create}
     * @return the client transport; nothing is opened until {@link #connect()} is subscribed
     */
    public static ApertureClientTransport create(Aperture aperture, String server) {
        return new ApertureClientTransport(RingEndpoint.of(aperture, server));
    }

    /**
     * The same transport, allocating received frames from {@code allocator}.
     *
     * @param allocator where the buffers of received frames come from
     * @return a transport that differs from this one only in its allocator
     */
    public ApertureClientTransport withAllocator(ByteBufAllocator allocator) {
        return new ApertureClientTransport(endpoint.withAllocator(allocator));
    }

    @Override
    public Mono<DuplexConnection> connect() {
        return Mono.create(sink -> {
            long id;
            do {
                id = ThreadLocalRandom.current().nextLong();
            } while (id == 0);
            long connectionId = id;
            String producer = Rings.producerName(connectionId);
            ChannelOptions options = Rings.options(aperture.defaults());
            RingFrameCodec codec = new RingFrameCodec(allocator);
            String responseChannel = Rings.responseChannel(server, connectionId);
            RingDuplexConnection connection = new RingDuplexConnection(allocator,
                new RingAddress(aperture.directory(), responseChannel), options.attachTimeout());
            AtomicBoolean connected = new AtomicBoolean();
            sink.onCancel(() -> {
                if (!connected.get()) {
                    connection.dispose();
                }
            });
            connection.outbox().send(RingFrame.hello(connectionId));
            connection.bindOutbound(aperture.producer(server, producer, codec, options.withMaxSubscribers(1))
                .publish(connection.outbox().records()));
            connection.bindInbound(aperture.subscriber(responseChannel, codec, options).receive().subscribe(
                record -> {
                    if (connected.get()) {
                        if (record.type == RingFrame.FRAME) {
                            connection.onReceived(record.frame);
                        } else {
                            connection.dispose(); // a second HELLO: not a server of this protocol
                        }
                    } else if (record.type == RingFrame.HELLO && record.connectionId == connectionId) {
                        connected.set(true);
                        sink.success(connection);
                    } else {
                        record.release();
                        sink.error(new ApertureException("RSocket server '" + server + "' answered connection "
                            + Long.toHexString(connectionId) + " with " + record));
                        connection.dispose();
                    }
                },
                e -> {
                    if (!connected.get()) {
                        sink.error(new ApertureException("RSocket server '" + server + "' in " + aperture.directory()
                            + " did not answer within the attach timeout (" + options.attachTimeout().toMillis() + " ms): "
                            + e.getMessage(), e));
                    }
                    connection.inboundEnded();
                },
                connection::inboundEnded));
        });
    }

    @Override
    public int maxFrameLength() {
        return Rings.MAX_FRAME_LENGTH;
    }

    @Override
    public String toString() {
        return endpoint.describe("ApertureClientTransport");
    }
}
