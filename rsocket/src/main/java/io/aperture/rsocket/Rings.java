package io.aperture.rsocket;

import io.aperture.ChannelOptions;

/** Names and options of the rings an RSocket connection uses. */
final class Rings {
    /** RSocket's largest frame (its 24-bit length); larger frames are fragmented by RSocket itself. */
    static final int MAX_FRAME_LENGTH = 0xFFFFFF;

    private Rings() {
    }

    static String validServer(String server) {
        if (server == null || !server.matches("[A-Za-z0-9_][A-Za-z0-9_.-]{0,60}")) {
            throw new IllegalArgumentException("RSocket server name '" + server
                + "' must be 1 to 61 characters of [A-Za-z0-9_.-], not starting with '.' or '-'");
        }
        return server;
    }

    static String producerName(long connectionId) {
        return String.format("%016x", connectionId);
    }

    /** The channel the server writes a connection's frames to. */
    static String responseChannel(String server, long connectionId) {
        return server + ".r-" + producerName(connectionId);
    }

    /** The channel options of a connection: a frame of any RSocket length crosses, in fragments if need be. */
    static ChannelOptions options(ChannelOptions defaults) {
        return defaults.withMaxFragmentedMessageLength(MAX_FRAME_LENGTH + Integer.BYTES);
    }
}
