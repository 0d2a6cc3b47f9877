package io.aperture.codecs;

import com.google.protobuf.Timestamp;
import io.aperture.Codec;
import io.aperture.Codecs;
import org.junit.jupiter.api.Test;

import java.io.File;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** {@link Codecs#byName} finds this module's codecs through {@link java.util.ServiceLoader}. */
class NamedCodecProviderTest {
    @Test
    void shouldFindJsonCodecsByTheirName() {
        @SuppressWarnings("unchecked")
        Codec<Quote> codec = (Codec<Quote>) Codecs.byName("json:io.aperture.codecs.Quote");
        assertThat(codec).isInstanceOf(JsonCodec.class);
        assertThat(codec.name()).isEqualTo(JsonCodec.of(Quote.class).name());
        Quote quote = new Quote("by name", 1, 2, List.of("é"));
        assertThat(Windows.roundTrip(codec, quote)).isEqualTo(quote);
    }

    @Test
    void shouldFindGenericJsonCodecsByTheirName() {
        Codec<?> codec = Codecs.byName("json:java.util.List<io.aperture.codecs.Quote>");
        assertThat(codec.name()).isEqualTo("json:java.util.List<io.aperture.codecs.Quote>");
        @SuppressWarnings("unchecked")
        Codec<List<Quote>> lists = (Codec<List<Quote>>) codec;
        List<Quote> quotes = List.of(new Quote("a", 1, 1, List.of()));
        assertThat(Windows.roundTrip(lists, quotes)).isEqualTo(quotes);
    }

    @Test
    void shouldFindProtobufCodecsByTheirName() {
        @SuppressWarnings("unchecked")
        Codec<Timestamp> codec = (Codec<Timestamp>) Codecs.byName("protobuf:com.google.protobuf.Timestamp");
        assertThat(codec).isInstanceOf(ProtobufCodec.class);
        Timestamp now = Timestamp.newBuilder().setSeconds(1_700_000_000L).setNanos(5).build();
        assertThat(Windows.roundTrip(codec, now)).isEqualTo(now);
    }

    @Test
    void shouldStillFindTheBuiltIns() {
        assertThat(Codecs.byName("utf8")).isSameAs(Codecs.utf8());
    }

    @Test
    void shouldNameTheMissingClass() {
        assertThatThrownBy(() -> Codecs.byName("json:com.example.NoSuchQuote"))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("codec 'json:com.example.NoSuchQuote': no type 'com.example.NoSuchQuote'");
        assertThatThrownBy(() -> Codecs.byName("protobuf:com.example.NoSuchMessage"))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("codec 'protobuf:com.example.NoSuchMessage': no class com.example.NoSuchMessage");
    }

    @Test
    void shouldRefuseAClassThatIsNotAProtobufMessage() {
        assertThatThrownBy(() -> Codecs.byName("protobuf:java.lang.String"))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessage("codec 'protobuf:java.lang.String': java.lang.String is not a protobuf message");
    }

    @Test
    void shouldLeaveUnknownPrefixesToOtherProviders() {
        assertThat(new NamedCodecProvider().codec("avro:com.example.Quote")).isEmpty();
        assertThatThrownBy(() -> Codecs.byName("avro:com.example.Quote"))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("no codec named 'avro:com.example.Quote'")
            .hasMessageContaining(NamedCodecProvider.class.getName());
    }

    /** The formats are optional dependencies: without Jackson, JSON names say what to add; the rest still works. */
    @Test
    void shouldSayWhichLibraryIsMissingWhenJacksonIsNotOnTheClassPath() throws Throwable {
        List<URL> urls = new ArrayList<>();
        for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
            if (!entry.contains("jackson")) {
                urls.add(toUrl(entry));
            }
        }
        Thread thread = Thread.currentThread();
        ClassLoader previous = thread.getContextClassLoader();
        try (URLClassLoader withoutJackson = new URLClassLoader(urls.toArray(URL[]::new),
            ClassLoader.getPlatformClassLoader())) {
            thread.setContextClassLoader(withoutJackson);
            assertThatThrownBy(() -> Class.forName("com.fasterxml.jackson.databind.ObjectMapper", false, withoutJackson))
                .isInstanceOf(ClassNotFoundException.class);
            Method byName = withoutJackson.loadClass("io.aperture.Codecs").getMethod("byName", String.class);

            assertThatThrownBy(() -> invoke(byName, "json:java.lang.String"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("codec 'json:java.lang.String' needs com.fasterxml.jackson.core:jackson-databind "
                    + "on the class path");
            Object protobuf = invoke(byName, "protobuf:com.google.protobuf.Timestamp");
            assertThat(protobuf.getClass().getName()).isEqualTo(ProtobufCodec.class.getName());
            assertThat(protobuf.getClass().getClassLoader()).isSameAs(withoutJackson);
        } finally {
            thread.setContextClassLoader(previous);
        }
    }

    private static Object invoke(Method method, String argument) throws Throwable {
        try {
            return method.invoke(null, argument);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }

    private static URL toUrl(String entry) {
        try {
            return Path.of(entry).toUri().toURL();
        } catch (MalformedURLException e) {
            throw new AssertionError(e);
        }
    }
}
