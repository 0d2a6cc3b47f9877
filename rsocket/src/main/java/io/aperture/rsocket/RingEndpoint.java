package io.aperture.rsocket;

import io.aperture.Aperture;
import io.netty.buffer.ByteBufAllocator;

import java.util.Objects;

/**
 * What a client and a server transport are made of: the Aperture directory, the server's name, and the allocator
 * received frames are copied into.
 */
record RingEndpoint(Aperture aperture, String server, ByteBufAllocator allocator) {
    /** Server {@code server} in {@code aperture}'s directory, Netty's default allocator. */
    static RingEndpoint of(Aperture aperture, String server) {
        return new RingEndpoint(Objects.requireNonNull(aperture, "aperture"), Rings.validServer(server), ByteBufAllocator.DEFAULT);
    }

    RingEndpoint withAllocator(ByteBufAllocator allocator) {
        return new RingEndpoint(aperture, server, Objects.requireNonNull(allocator, "allocator"));
    }

    /** {@code <kind>{<server> in <directory>}}. */
    String describe(String kind) {
        return kind + "{" + server + " in " + aperture.directory() + '}';
    }
}
