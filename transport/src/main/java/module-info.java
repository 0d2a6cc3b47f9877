/**
 * Aperture's transport: Reactive Streams across processes through shared memory. Only {@code io.aperture} is
 * exported; the internal packages ({@code io.aperture.internal.*}: section, waiting, ring, bridge, composite) are
 * described in docs/architecture.md §1.1.
 */
module io.aperture {
    requires transitive reactor.core;
    requires transitive org.reactivestreams;
    requires com.lmax.disruptor;
    requires com.sun.jna;

    exports io.aperture;

    uses io.aperture.CodecProvider;
}
