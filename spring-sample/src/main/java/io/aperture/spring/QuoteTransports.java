package io.aperture.spring;

import io.aperture.Aperture;
import io.aperture.ChannelOptions;
import io.aperture.Waiting;
import io.aperture.rsocket.ApertureClientTransport;
import io.aperture.rsocket.ApertureServerTransport;
import io.rsocket.Closeable;
import io.rsocket.SocketAcceptor;
import io.rsocket.core.RSocketServer;
import io.rsocket.transport.ClientTransport;
import io.rsocket.transport.netty.client.TcpClientTransport;
import io.rsocket.transport.netty.server.CloseableChannel;
import io.rsocket.transport.netty.server.TcpServerTransport;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/** The only code that depends on the {@code quotes.transport} setting: how the server binds and the client connects. */
final class QuoteTransports {
    static final String SERVER = "spring-quotes";
    static final Duration TIMEOUT = Duration.ofSeconds(60);

    private QuoteTransports() {
    }

    /** A bound server and the address its clients pass to {@link #client}; {@code directory} is Aperture's, else null. */
    record Bound(Closeable server, String address, Path directory) {
    }

    static Bound bind(String transport, SocketAcceptor acceptor) throws IOException {
        RSocketServer server = RSocketServer.create(acceptor);
        switch (transport) {
            case "aperture" -> {
                Path shm = Path.of("/dev/shm");
                Path directory = Files.createTempDirectory(Files.isDirectory(shm) && Files.isWritable(shm) ? shm
                    : Path.of(System.getProperty("java.io.tmpdir")), "aperture-spring-quotes-");
                return new Bound(server.bind(ApertureServerTransport.create(Aperture.create(directory, options()), SERVER))
                    .block(TIMEOUT), directory.toString(), directory);
            }
            case "tcp" -> {
                CloseableChannel channel = server.bind(TcpServerTransport.create("127.0.0.1", 0)).block(TIMEOUT);
                return new Bound(channel, "127.0.0.1:" + channel.address().getPort(), null);
            }
            default -> throw new IllegalArgumentException("quotes.transport=" + transport + ": expected aperture or tcp");
        }
    }

    static ClientTransport client(String transport, String address) {
        switch (transport) {
            case "aperture" -> {
                return ApertureClientTransport.create(Aperture.create(Path.of(address), options()), SERVER);
            }
            case "tcp" -> {
                int colon = address.lastIndexOf(':');
                return TcpClientTransport.create(address.substring(0, colon), Integer.parseInt(address.substring(colon + 1)));
            }
            default -> throw new IllegalArgumentException("quotes.transport=" + transport + ": expected aperture or tcp");
        }
    }

    private static ChannelOptions options() {
        return ChannelOptions.defaults().withWaiting(Waiting.BLOCKING).withAttachTimeout(TIMEOUT);
    }
}
