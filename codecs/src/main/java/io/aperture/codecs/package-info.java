/**
 * Codec implementations for Aperture channels; each format's library is an optional dependency that the
 * application adds.
 * <ul>
 *   <li>{@link io.aperture.codecs.JsonCodec}: JSON with Jackson ({@code jackson-databind} 2.x);</li>
 *   <li>{@link io.aperture.codecs.ProtobufCodec}: Protocol Buffers ({@code protobuf-java} 4.x);</li>
 *   <li>{@link io.aperture.codecs.FlyweightCodec}: fixed-layout records read and written in place, no
 *       allocation per message, no library.</li>
 * </ul>
 * {@link io.aperture.codecs.NamedCodecProvider} lets {@link io.aperture.Codecs#byName(String)} find the JSON
 * and Protocol Buffers codecs by name through {@link java.util.ServiceLoader}.
 */
package io.aperture.codecs;
