package io.aperture.codecs;

import io.aperture.Codec;
import io.aperture.CodecProvider;

import java.util.Optional;

/**
 * Finds, for {@link io.aperture.Codecs#byName(String)}, the codecs of this module that need no configuration:
 * <ul>
 *   <li>{@code "json:<canonical type>"}: {@link JsonCodec} with a default {@code ObjectMapper}, schema 0,
 *       e.g. {@code "json:com.example.Quote"} or {@code "json:java.util.List<com.example.Quote>"};</li>
 *   <li>{@code "protobuf:<message class>"}: {@link ProtobufCodec}, schema 0, e.g.
 *       {@code "protobuf:com.google.protobuf.Timestamp"}.</li>
 * </ul>
 * Classes are loaded with the thread's context class loader (else this module's). A name of a format whose
 * library is not on the class path raises {@link IllegalArgumentException} saying which library to add.
 * {@link FlyweightCodec}s and configured codecs are constructed directly.
 *
 * <p>Registered in {@code META-INF/services/io.aperture.CodecProvider}; not meant to be called directly.
 */
public final class NamedCodecProvider implements CodecProvider {
    /** Called by {@link java.util.ServiceLoader}. */
    public NamedCodecProvider() {
    }

    @Override
    public Optional<Codec<?>> codec(String name) {
        if (name.startsWith(JsonCodec.PREFIX)) {
            requireLibrary(name, "com.fasterxml.jackson.databind.ObjectMapper", "com.fasterxml.jackson.core:jackson-databind");
            return Optional.of(JsonCodec.named(name, loader()));
        }
        if (name.startsWith(ProtobufCodec.PREFIX)) {
            requireLibrary(name, "com.google.protobuf.MessageLite", "com.google.protobuf:protobuf-java");
            return Optional.of(ProtobufCodec.named(name, loader()));
        }
        return Optional.empty();
    }

    private static ClassLoader loader() {
        ClassLoader context = Thread.currentThread().getContextClassLoader();
        return context != null ? context : NamedCodecProvider.class.getClassLoader();
    }

    /** Fails, naming the artifact to add, when {@code className} cannot be loaded where this module was. */
    private static void requireLibrary(String codec, String className, String artifact) {
        try {
            Class.forName(className, false, NamedCodecProvider.class.getClassLoader());
        } catch (ClassNotFoundException | LinkageError e) {
            throw new IllegalArgumentException("codec '" + codec + "' needs " + artifact + " on the class path (an "
                + "optional dependency of aperture-codecs): " + className + " not found", e);
        }
    }
}
