package io.aperture;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.Callable;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** {@link Codecs#byName}: built-ins by their names, providers through {@link java.util.ServiceLoader}. */
class CodecsByNameTest {
    @ParameterizedTest
    @ValueSource(strings = {"bytes", "bytebuffer", "utf8", "long", "int", "double"})
    void shouldFindEveryBuiltInByItsName(String name) {
        assertThat(Codecs.byName(name).name()).isEqualTo(name);
    }

    @Test
    void shouldNameTheUnknownCodecAndTheBuiltIns() {
        assertThatThrownBy(() -> Codecs.byName("no-such-codec"))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("'no-such-codec'")
            .hasMessageContaining("utf8");
    }

    @Test
    void shouldAskProvidersRegisteredInMetaInfServices(@TempDir Path root) throws Exception {
        Codec<?> found = withProvider(root, ReversedProvider.class, () -> Codecs.byName("reversed-utf8"));
        assertThat(found.name()).isEqualTo("reversed-utf8");
    }

    @Test
    void shouldRefuseAProviderThatAnswersWithAnotherName(@TempDir Path root) {
        assertThatThrownBy(() -> withProvider(root, MisnamingProvider.class, () -> Codecs.byName("asked")))
            .isInstanceOf(IllegalStateException.class)
            .hasMessageContaining(MisnamingProvider.class.getName())
            .hasMessageContaining("'asked'")
            .hasMessageContaining("'utf8'");
    }

    /** Runs {@code action} with a context class loader that also sees a services file listing {@code provider}. */
    private static <V> V withProvider(Path root, Class<? extends CodecProvider> provider, Callable<V> action)
        throws Exception {
        Path services = root.resolve("META-INF/services");
        Files.createDirectories(services);
        Files.writeString(services.resolve(CodecProvider.class.getName()), provider.getName() + "\n",
            StandardCharsets.UTF_8);
        Thread thread = Thread.currentThread();
        ClassLoader previous = thread.getContextClassLoader();
        try (URLClassLoader loader = new URLClassLoader(new URL[] {root.toUri().toURL()},
            CodecsByNameTest.class.getClassLoader())) {
            thread.setContextClassLoader(loader);
            return action.call();
        } catch (IOException e) {
            throw new AssertionError(e);
        } finally {
            thread.setContextClassLoader(previous);
        }
    }

    /** A provider of one codec: UTF-8 reversed, to tell it from the built-in. */
    public static final class ReversedProvider implements CodecProvider {
        @Override
        public Optional<Codec<?>> codec(String name) {
            if (!name.equals("reversed-utf8")) {
                return Optional.empty();
            }
            return Optional.of(new Codec<String>() {
                @Override
                public String name() {
                    return "reversed-utf8";
                }

                @Override
                public void encode(String value, ByteBuffer window) {
                    Codecs.utf8().encode(new StringBuilder(value).reverse().toString(), window);
                }

                @Override
                public String decode(ByteBuffer window) {
                    return new StringBuilder(Codecs.utf8().decode(window)).reverse().toString();
                }
            });
        }
    }

    /** A broken provider: answers every name with the UTF-8 codec. */
    public static final class MisnamingProvider implements CodecProvider {
        @Override
        public Optional<Codec<?>> codec(String name) {
            return Optional.of(Codecs.utf8());
        }
    }
}
