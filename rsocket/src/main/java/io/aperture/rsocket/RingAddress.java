package io.aperture.rsocket;

import java.net.SocketAddress;
import java.nio.file.Path;

/** The address of a ring connection's peer: the directory and the channel it writes. */
final class RingAddress extends SocketAddress {
    private static final long serialVersionUID = 1L;

    private final String directory;
    private final String channel;

    RingAddress(Path directory, String channel) {
        this.directory = directory.toString();
        this.channel = channel;
    }

    @Override
    public String toString() {
        return "ring:" + directory + "/" + channel;
    }
}
