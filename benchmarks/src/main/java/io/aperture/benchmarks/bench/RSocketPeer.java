package io.aperture.benchmarks.bench;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.ChannelOption;
import io.rsocket.Payload;
import io.rsocket.RSocket;
import io.rsocket.SocketAcceptor;
import io.rsocket.core.RSocketConnector;
import io.rsocket.core.RSocketServer;
import io.rsocket.frame.decoder.PayloadDecoder;
import io.rsocket.transport.netty.client.TcpClientTransport;
import io.rsocket.transport.netty.server.CloseableChannel;
import io.rsocket.transport.netty.server.TcpServerTransport;
import io.rsocket.util.ByteBufPayload;
import reactor.core.publisher.BaseSubscriber;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.netty.tcp.TcpClient;
import reactor.netty.tcp.TcpServer;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.ToLongFunction;

/**
 * RSocket ({@code rsocket-core} and {@code rsocket-transport-netty}) over TCP loopback between two JVMs, one
 * connection per pair. The consumer (or ponger) is the RSocket server: it binds {@code 127.0.0.1} on a port
 * the system picks and announces it ({@link BenchChild#ready(int)}); the producer (or pinger) connects as the
 * client. RSocket is symmetric, so either end may request: the consumer sends {@code requestStream} over the
 * connection it accepted and the producer's responder answers it; the pinger sends {@code requestResponse}
 * and the ponger's responder answers it.
 *
 * <p>Configured as RSocket advises for performance: {@link PayloadDecoder#ZERO_COPY} at both ends (payloads
 * are slices of the received frame, not copies), and every received payload is released once read.
 * Payloads are buffers of Netty's default allocator ({@link ByteBufPayload}), data only, no metadata.
 * Frames as RSocket sets them by default: no fragmentation (each message is one frame: a 3-byte length, a
 * 6-byte header and the data), no lease, no resumption, keep-alive every 20 s (far longer than a round).
 * TCP_NODELAY at both ends; Netty's native epoll transport where the platform has it, on Reactor Netty's
 * default event loops.
 *
 * <p>Each round is one {@code requestStream} of {@code messages} payloads; the consumer starts the next only
 * after the previous completed, so rounds run in lock step as for the other peers. <i>unbounded</i>: the
 * consumer requests {@code Long.MAX_VALUE} (the stream's request-n is unbounded); a window is
 * {@code limitRate(window, window / 4)}: the REQUEST_STREAM asks for the window and a REQUEST_N of a quarter
 * of it follows each time the consumer took that many, so at most a window is in flight: the credit scheme
 * of the Aeron and socket peers, carried by RSocket's own flow control.
 */
final class RSocketPeer {
    static final String LOOPBACK = "127.0.0.1";

    private RSocketPeer() {
    }

    static void run(String role, Params p) throws Exception {
        Duration timeout = Duration.ofSeconds(p.getLong("timeout"));
        switch (role) {
            case "consumer" -> consume(p, timeout);
            case "producer" -> produce(p, timeout);
            case "ponger" -> pong(p, timeout);
            case "pinger" -> ping(p, timeout);
            default -> throw new IllegalArgumentException("role " + role);
        }
    }

    // ---------------------------------------------------------------- connection

    private static TcpServerTransport serverTransport(Params p) {
        return TcpServerTransport.create(TcpServer.create().host(p.get("host")).port(0)
            .childOption(ChannelOption.TCP_NODELAY, true));
    }

    private static TcpClientTransport clientTransport(Params p) {
        return TcpClientTransport.create(TcpClient.create().host(p.get("host")).port(p.getInt("port"))
            .option(ChannelOption.TCP_NODELAY, true));
    }

    /**
     * Binds the server on a port the system picks, with {@code responder} answering requests from each client,
     * and announces the port; {@code accepted} gets the requester towards the first client.
     */
    private static CloseableChannel bind(Params p, RSocket responder, CompletableFuture<RSocket> accepted,
                                         Duration timeout) {
        SocketAcceptor acceptor = (setup, sendingSocket) -> {
            // the server releases the setup payload itself
            if (!accepted.complete(sendingSocket)) {
                return Mono.error(new IllegalStateException("a second connection: only one peer expected"));
            }
            return Mono.just(responder);
        };
        CloseableChannel server = RSocketServer.create(acceptor).payloadDecoder(PayloadDecoder.ZERO_COPY)
            .bind(serverTransport(p)).block(timeout);
        if (server == null) {
            throw new IllegalStateException("RSocket server did not bind " + p.get("host"));
        }
        BenchChild.ready(server.address().getPort());
        return server;
    }

    private static RSocket awaitClient(CompletableFuture<RSocket> accepted, CloseableChannel server, Duration timeout)
        throws Exception {
        try {
            return accepted.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            throw new IllegalStateException("no RSocket client connected to port " + server.address().getPort()
                + " within " + timeout, e);
        }
    }

    private static RSocket connect(Params p, SocketAcceptor responder, Duration timeout) {
        RSocketConnector connector = RSocketConnector.create().payloadDecoder(PayloadDecoder.ZERO_COPY);
        if (responder != null) {
            connector = connector.acceptor(responder);
        }
        RSocket socket = connector.connect(clientTransport(p)).block(timeout);
        if (socket == null) {
            throw new IllegalStateException("no RSocket connection to " + p.get("host") + ":" + p.get("port"));
        }
        return socket;
    }

    /** Waits until the other end closed the connection (it does after its last message). */
    private static void awaitClosed(RSocket socket, Duration timeout) {
        socket.onClose().onErrorResume(e -> Mono.empty()).block(timeout);
    }

    // ---------------------------------------------------------------- payloads

    static Payload longPayload(long value) {
        ByteBuf data = ByteBufAllocator.DEFAULT.buffer(Long.BYTES, Long.BYTES).writeLong(value);
        return ByteBufPayload.create(data);
    }

    static Payload quadPayload(Quad q) {
        ByteBuf data = ByteBufAllocator.DEFAULT.buffer(Quad.SIZE, Quad.SIZE)
            .writeLong(q.seq()).writeLong(q.a()).writeLong(q.b()).writeLong(q.c());
        return ByteBufPayload.create(data);
    }

    /** Reads the long a payload carries, checks its length and releases it (zero-copy payloads must be). */
    static long readLong(Payload payload) {
        try {
            ByteBuf data = payload.data();
            if (data.readableBytes() != Long.BYTES) {
                throw new IllegalStateException("payload of " + data.readableBytes() + " bytes, expected " + Long.BYTES);
            }
            return data.getLong(data.readerIndex());
        } finally {
            payload.release();
        }
    }

    /** Checks a 32-byte payload's four longs, releases it and returns its sequence number. */
    static long readQuad(Payload payload) {
        try {
            ByteBuf data = payload.data();
            if (data.readableBytes() != Quad.SIZE) {
                throw new IllegalStateException("payload of " + data.readableBytes() + " bytes, expected " + Quad.SIZE);
            }
            int at = data.readerIndex();
            long seq = data.getLong(at);
            Quad.check(seq, data.getLong(at + 8), data.getLong(at + 16), data.getLong(at + 24));
            return seq;
        } finally {
            payload.release();
        }
    }

    // ---------------------------------------------------------------- throughput

    /** The server: requests one stream per round from the producer and checks every payload's sequence. */
    private static void consume(Params p, Duration timeout) throws Exception {
        long n = p.getLong("messages");
        int window = p.getInt("window", 0);
        boolean quads = p.getInt("size", Long.BYTES) == Quad.SIZE;
        ToLongFunction<Payload> seqOf = quads ? RSocketPeer::readQuad : RSocketPeer::readLong;
        CompletableFuture<RSocket> accepted = new CompletableFuture<>();
        CloseableChannel server = bind(p, new RSocket() { }, accepted, timeout);
        try {
            RSocket producer = awaitClient(accepted, server, timeout);
            for (int r = 0; r < p.rounds(); r++) {
                Flux<Payload> stream = producer.requestStream(longPayload(n));
                if (window > 0) {
                    stream = stream.limitRate(window, Math.max(1, window / 4));
                }
                BenchChild.SequenceCheck<Payload> check = new BenchChild.SequenceCheck<>(n, seqOf);
                stream.subscribe(check);
                long nanos = check.await(timeout);
                BenchChild.round(r, n, nanos);
            }
            producer.dispose(); // closes the connection: the producer's signal to end
        } finally {
            server.dispose();
        }
    }

    /** The client: answers each {@code requestStream} with the requested count of sequence payloads. */
    private static void produce(Params p, Duration timeout) {
        boolean quads = p.getInt("size", Long.BYTES) == Quad.SIZE;
        SocketAcceptor responder = SocketAcceptor.forRequestStream(request -> {
            long n = readLong(request);
            return quads ? BenchChild.quads(n).map(RSocketPeer::quadPayload)
                : BenchChild.sequence(n).map(RSocketPeer::longPayload);
        });
        RSocket consumer = connect(p, responder, timeout);
        awaitClosed(consumer, timeout);
    }

    // ---------------------------------------------------------------- ping-pong

    /** The server: answers each {@code requestResponse} with the sequence number it carried. */
    private static void pong(Params p, Duration timeout) throws Exception {
        RSocket responder = new RSocket() {
            @Override
            public Mono<Payload> requestResponse(Payload ping) {
                return Mono.just(longPayload(readLong(ping)));
            }
        };
        CompletableFuture<RSocket> accepted = new CompletableFuture<>();
        CloseableChannel server = bind(p, responder, accepted, timeout);
        try {
            RSocket pinger = awaitClient(accepted, server, timeout);
            awaitClosed(pinger, timeout);
        } finally {
            server.dispose();
        }
    }

    /** The client: one {@code requestResponse} in flight, the next sent when the previous one's answer came. */
    private static void ping(Params p, Duration timeout) throws Exception {
        RSocket ponger = connect(p, null, timeout);
        try {
            PingLoop loop = new PingLoop(ponger, new RoundTrips(p));
            loop.send();
            loop.await(timeout);
        } finally {
            ponger.dispose(); // the ponger's signal to end
        }
    }

    /**
     * Sends ping i when the answer to ping i-1 arrives (on the connection's event loop, as Aperture's pinger
     * sends from its receiving thread); records each round trip after the warm-up.
     */
    private static final class PingLoop {
        private final RSocket ponger;
        private final RoundTrips trips;
        private final long total;
        private final CountDownLatch done = new CountDownLatch(1);
        private long seq;
        private long sentAt;
        private volatile Throwable failure;

        PingLoop(RSocket ponger, RoundTrips trips) {
            this.ponger = ponger;
            this.trips = trips;
            this.total = trips.total;
        }

        void send() {
            sentAt = System.nanoTime();
            ponger.requestResponse(longPayload(seq)).subscribe(new Answer(this, seq));
        }

        void answered(long value) {
            long now = System.nanoTime();
            if (value != seq) {
                fail(new IllegalStateException("pong out of order: expected " + seq + ", got " + value));
                return;
            }
            trips.record(seq, now - sentAt);
            seq++;
            if (seq == total) {
                done.countDown();
            } else {
                send();
            }
        }

        void fail(Throwable t) {
            failure = t;
            done.countDown();
        }

        void await(Duration timeout) throws InterruptedException {
            if (!done.await(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new IllegalStateException("ping-pong did not end within " + timeout + " at " + seq);
            }
            if (failure != null) {
                throw new IllegalStateException("ping-pong failed", failure);
            }
        }
    }

    /** The answer to one ping: exactly one payload, then completion. */
    private static final class Answer extends BaseSubscriber<Payload> {
        private final PingLoop loop;
        private final long ping;
        private boolean received;

        Answer(PingLoop loop, long ping) {
            this.loop = loop;
            this.ping = ping;
        }

        @Override
        protected void hookOnNext(Payload payload) {
            received = true;
            long value;
            try {
                value = readLong(payload);
            } catch (RuntimeException e) {
                loop.fail(e);
                return;
            }
            loop.answered(value);
        }

        @Override
        protected void hookOnComplete() {
            if (!received) {
                loop.fail(new IllegalStateException("ping " + ping + " answered with no payload"));
            }
        }

        @Override
        protected void hookOnError(Throwable t) {
            loop.fail(new IllegalStateException("ping " + ping + " failed", t));
        }
    }
}
