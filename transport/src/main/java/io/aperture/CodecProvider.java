package io.aperture;

import java.util.Optional;

/**
 * Finds codecs by name, for {@link Codecs#byName(String)}. Implementations are found through
 * {@link java.util.ServiceLoader}: a public class with a public no-argument constructor, listed in
 * {@code META-INF/services/io.aperture.CodecProvider} of its jar.
 *
 * <p>A provider answers only for the names it can build without further configuration, for example
 * {@code "json:com.example.Quote"} with a default {@code ObjectMapper}. The codec it returns must have
 * exactly the name asked for, since that name is what the ring header carries and what attaching checks.
 */
public interface CodecProvider {
    /**
     * The codec named {@code name}, or empty when this provider does not know the name.
     *
     * @throws IllegalArgumentException when the provider recognises the name but cannot build the codec
     *     (an unknown class, a missing optional library); the message says why
     *
     * @param name the codec name asked for, as a ring header carries it
     * @return the codec of exactly that name, or empty
     */
    Optional<Codec<?>> codec(String name);
}
