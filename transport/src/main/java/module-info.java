/**
 * Aperture's transport: Reactive Streams across processes through shared memory. {@code io.aperture} is the API
 * and {@code io.aperture.inspect} the read-only inspection of a section directory (for tools and monitors); the
 * internal packages ({@code io.aperture.internal.*}: section, waiting, ring, bridge, composite) are
 * described in docs/architecture.md §1.1.
 */
module io.aperture {
    requires transitive reactor.core;
    requires transitive org.reactivestreams;
    requires com.lmax.disruptor;
    requires com.sun.jna;

    exports io.aperture;
    exports io.aperture.inspect;

    uses io.aperture.CodecProvider;
}
