package io.aperture.benchmarks.bench;

import io.aperture.Aperture;
import io.aperture.ChannelOptions;
import io.aperture.rsocket.ApertureClientTransport;
import io.aperture.rsocket.ApertureServerTransport;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.ChannelOption;
import io.rsocket.Closeable;
import io.rsocket.Payload;
import io.rsocket.RSocket;
import io.rsocket.SocketAcceptor;
import io.rsocket.core.RSocketConnector;
import io.rsocket.core.RSocketServer;
import io.rsocket.frame.decoder.PayloadDecoder;
import io.rsocket.transport.ClientTransport;
import io.rsocket.transport.local.LocalClientTransport;
import io.rsocket.transport.local.LocalServerTransport;
import io.rsocket.transport.netty.client.TcpClientTransport;
import io.rsocket.transport.netty.server.CloseableChannel;
import io.rsocket.transport.netty.server.TcpServerTransport;
import io.rsocket.util.ByteBufPayload;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.netty.tcp.TcpClient;
import reactor.netty.tcp.TcpServer;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.ToLongFunction;

/**
 * RSocket ({@code rsocket-core} and {@code rsocket-transport-netty}) over TCP loopback between two JVMs, one
 * connection per pair; with {@code dir=<directory>} (transport {@code rsocket-aperture}) the same peers over
 * Aperture rings ({@code ApertureServerTransport}/{@code ApertureClientTransport}, default options: BLOCKING waits),
 * every other setting as over TCP; with {@code local=<name>} (transport {@code rsocket-local}) both peers in one JVM over
 * RSocket's own in-JVM transport ({@code rsocket-transport-local}: frames handed between the two ends' Reactor
 * subscribers in memory, no copy, no system call), a reference for RSocket's own work per frame with no second
 * process (role {@code both} for throughput, {@code pingpong} for round trips). The consumer (or ponger) is the RSocket server: it binds {@code 127.0.0.1} on a port
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
    /** The server name over rings (transport {@code rsocket-aperture}). */
    static final String RING_SERVER = "bench-rsocket";

    private RSocketPeer() {
    }

    static void run(String role, Params p) throws Exception {
        Duration timeout = Duration.ofSeconds(p.getLong("timeout"));
        switch (role) {
            case "consumer" -> consume(p, timeout, () -> { });
            case "producer" -> produce(p, timeout);
            case "ponger" -> pong(p, timeout, () -> { });
            case "pinger" -> ping(p, timeout);
            // One JVM (transport rsocket-local): the server's role on this thread, the client's on another once bound.
            case "both" -> consume(p, timeout, () -> client("producer", () -> produce(p, timeout)));
            case "pingpong" -> pong(p, timeout, () -> client("pinger", () -> ping(p, timeout)));
            default -> throw new IllegalArgumentException("role " + role);
        }
    }

    /** Runs the client's role of a one-JVM pair on a daemon thread; a failure ends the JVM with it (BenchChild). */
    private static void client(String role, Role body) {
        Thread t = new Thread(() -> {
            try {
                body.run();
            } catch (Throwable e) {
                System.out.println("ERROR rsocket-local " + role + ": " + e);
                e.printStackTrace(System.out);
                System.out.flush();
                Runtime.getRuntime().halt(2);
            }
        }, "bench-rsocket-local-" + role);
        t.setDaemon(true);
        t.start();
    }

    /** One end's part of a one-JVM pair. */
    @FunctionalInterface
    private interface Role {
        void run() throws Exception;
    }

    // ---------------------------------------------------------------- connection

    /** Over RSocket's in-JVM transport (transport {@code rsocket-local}) when the runner passed a server name. */
    private static boolean local(Params p) {
        return p.has("local");
    }

    /** Over Aperture rings (transport {@code rsocket-aperture}) when the runner passed a directory, else over TCP. */
    private static boolean overRings(Params p) {
        return p.has("dir");
    }

    private static Aperture aperture(Params p) {
        return Aperture.create(p.getPath("dir"), ChannelOptions.defaults().withAttachTimeout(Duration.ofSeconds(60)));
    }

    private static ClientTransport clientTransport(Params p) {
        if (local(p)) {
            return LocalClientTransport.create(p.get("local"));
        }
        if (overRings(p)) {
            return ApertureClientTransport.create(aperture(p), RING_SERVER);
        }
        return TcpClientTransport.create(TcpClient.create().host(p.get("host")).port(p.getInt("port"))
            .option(ChannelOption.TCP_NODELAY, true));
    }

    /**
     * Binds the server on a port the system picks, with {@code responder} answering requests from each client,
     * and announces the port; {@code accepted} gets the requester towards the first client; {@code onBound} runs once
     * it is bound.
     */
    private static Closeable bind(Params p, RSocket responder, CompletableFuture<RSocket> accepted,
                                  Duration timeout, Runnable onBound) {
        SocketAcceptor acceptor = (setup, sendingSocket) -> {
            // the server releases the setup payload itself
            if (!accepted.complete(sendingSocket)) {
                return Mono.error(new IllegalStateException("a second connection: only one peer expected"));
            }
            return Mono.just(responder);
        };
        RSocketServer server = RSocketServer.create(acceptor).payloadDecoder(PayloadDecoder.ZERO_COPY);
        if (local(p)) {
            Closeable bound = server.bind(LocalServerTransport.create(p.get("local"))).block(timeout);
            BenchChild.ready();
            onBound.run();
            return bound;
        }
        if (overRings(p)) {
            Closeable bound = server.bind(ApertureServerTransport.create(aperture(p), RING_SERVER)).block(timeout);
            BenchChild.ready();
            onBound.run();
            return bound;
        }
        CloseableChannel bound = server.bind(TcpServerTransport.create(TcpServer.create().host(p.get("host")).port(0)
            .childOption(ChannelOption.TCP_NODELAY, true))).block(timeout);
        if (bound == null) {
            throw new IllegalStateException("RSocket server did not bind " + p.get("host"));
        }
        BenchChild.ready(bound.address().getPort());
        onBound.run();
        return bound;
    }

    private static RSocket awaitClient(CompletableFuture<RSocket> accepted, Closeable server, Duration timeout)
        throws Exception {
        try {
            return accepted.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            throw new IllegalStateException("no RSocket client connected to " + server + " within " + timeout, e);
        }
    }

    private static RSocket connect(Params p, SocketAcceptor responder, Duration timeout) {
        RSocketConnector connector = RSocketConnector.create().payloadDecoder(PayloadDecoder.ZERO_COPY);
        if (responder != null) {
            connector = connector.acceptor(responder);
        }
        RSocket socket = connector.connect(clientTransport(p)).block(timeout);
        if (socket == null) {
            throw new IllegalStateException("no RSocket connection over " + p);
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

    /**
     * The server: requests one stream per round from the producer and checks every payload's sequence; {@code bound}
     * runs once the server is bound (a one-JVM pair starts its client there).
     */
    private static void consume(Params p, Duration timeout, Runnable bound) throws Exception {
        long n = p.getLong("messages");
        int window = p.getInt("window", 0);
        boolean quads = p.getInt("size", Long.BYTES) == Quad.SIZE;
        ToLongFunction<Payload> seqOf = quads ? RSocketPeer::readQuad : RSocketPeer::readLong;
        CompletableFuture<RSocket> accepted = new CompletableFuture<>();
        Closeable server = bind(p, new RSocket() { }, accepted, timeout, bound);
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
    private static void pong(Params p, Duration timeout, Runnable bound) throws Exception {
        RSocket responder = new RSocket() {
            @Override
            public Mono<Payload> requestResponse(Payload ping) {
                return Mono.just(longPayload(readLong(ping)));
            }
        };
        CompletableFuture<RSocket> accepted = new CompletableFuture<>();
        Closeable server = bind(p, responder, accepted, timeout, bound);
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
            RequestLoop loop = new RequestLoop(seq -> ponger.requestResponse(longPayload(seq)).map(RSocketPeer::readLong),
                new RoundTrips(p));
            loop.start();
            loop.await(timeout);
        } finally {
            ponger.dispose(); // the ponger's signal to end
        }
    }
}
