package io.aperture.rsocket;

import io.aperture.Aperture;
import io.aperture.ChannelOptions;
import io.aperture.Waiting;
import io.rsocket.Closeable;
import io.rsocket.RSocket;
import io.rsocket.SocketAcceptor;
import io.rsocket.core.RSocketConnector;
import io.rsocket.core.RSocketServer;
import io.rsocket.util.DefaultPayload;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * The other process of {@link RSocketCrossProcessTest}. Prints what the test awaits, one fact per line; halts when
 * the test JVM ends; exits when its standard input closes (or is killed by the test).
 *
 * <pre>
 *   client DIR SERVER   connects with RSocketConnector (serving {@link PeerResponder} "client" back), prints
 *                       "connected", makes one interaction of each model against the server and prints each result,
 *                       then "script done"
 *   server DIR SERVER   binds RSocketServer (serving {@link PeerResponder} "server"), prints "bound"
 * </pre>
 */
public final class RSocketPeerMain {
    static final Duration TIMEOUT = Duration.ofSeconds(30);

    private RSocketPeerMain() {
    }

    /** The options of both ends: blocking waits, a liveness check every 25 ms (the default). */
    static ChannelOptions options() {
        return ChannelOptions.defaults().withWaiting(Waiting.BLOCKING).withAttachTimeout(TIMEOUT);
    }

    public static void main(String[] args) throws IOException {
        ProcessHandle.current().parent().ifPresent(p -> p.onExit().thenRun(() -> Runtime.getRuntime().halt(4)));
        Aperture aperture = Aperture.create(Path.of(args[1]), options());
        String server = args[2];
        PeerResponder responder = new PeerResponder(args[0], data -> System.out.println("fired " + data));
        try {
            switch (args[0]) {
                case "client" -> client(aperture, server, responder);
                case "server" -> {
                    Closeable bound = RSocketServer.create(SocketAcceptor.with(responder))
                        .bind(ApertureServerTransport.create(aperture, server)).block(TIMEOUT);
                    System.out.println("bound " + bound);
                }
                default -> throw new IllegalArgumentException("role " + args[0]);
            }
        } catch (RuntimeException | Error e) {
            System.out.println("failed " + e);
            e.printStackTrace(System.out);
            System.exit(1);
        }
        System.in.transferTo(java.io.OutputStream.nullOutputStream()); // until the test closes it or kills us
        System.exit(0);
    }

    private static void client(Aperture aperture, String server, PeerResponder responder) {
        RSocket rsocket = RSocketConnector.create().acceptor(SocketAcceptor.with(responder))
            .connect(ApertureClientTransport.create(aperture, server)).block(TIMEOUT);
        System.out.println("connected");
        String answer = rsocket.requestResponse(DefaultPayload.create("hello")).map(PeerResponder::take).block(TIMEOUT);
        System.out.println("request-response " + answer);
        List<String> ticks = rsocket.requestStream(DefaultPayload.create("tick")).take(3, true) // requests exactly 3
            .map(PeerResponder::take).collectList().block(TIMEOUT);
        System.out.println("request-stream " + ticks);
        List<String> echoes = rsocket.requestChannel(Flux.just("a", "b", "c").map(DefaultPayload::create))
            .map(PeerResponder::take).collectList().block(TIMEOUT);
        System.out.println("request-channel " + echoes);
        rsocket.fireAndForget(DefaultPayload.create("trade")).then(Mono.fromRunnable(() -> System.out.println("fire-and-forget sent")))
            .block(TIMEOUT);
        System.out.println("script done");
    }
}
