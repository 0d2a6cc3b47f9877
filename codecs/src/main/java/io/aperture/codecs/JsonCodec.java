package io.aperture.codecs;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.ObjectWriter;
import io.aperture.Codec;

import java.io.IOException;
import java.nio.BufferOverflowException;
import java.nio.ByteBuffer;
import java.util.Objects;

/**
 * JSON with Jackson ({@code com.fasterxml.jackson.core:jackson-databind}, which the application adds): any
 * {@link ObjectMapper} the application configures, for a {@link Class}, a {@link TypeReference} or a
 * {@link JavaType}.
 *
 * <p>Encoding writes UTF-8 JSON through the mapper's generator straight into the ring window (the generator's
 * own recycled buffer is the only staging; no {@code byte[]} per message). A value larger than the window
 * raises {@link BufferOverflowException}, so the ring offers a larger window or reports
 * {@link io.aperture.MessageTooLargeException}. Decoding parses the window through the mapper's parser; the
 * window must hold exactly one JSON value (trailing tokens are an error). Other failures raise
 * {@link IllegalArgumentException} naming the codec and the length, with Jackson's exception as the cause.
 *
 * <p>The name is {@code "json:" + the type's canonical name}, e.g. {@code "json:com.example.Quote"} or
 * {@code "json:java.util.List<com.example.Quote>"} (shortened with a hash when longer than 64 bytes); the
 * schema id is 0 unless set with {@link #withSchemaId(int)}. The mapper's configuration is taken when the
 * codec is built. Instances are immutable and thread-safe.
 *
 * @param <T> the type of values
 */
public final class JsonCodec<T> implements Codec<T> {
    /** The name prefix of JSON codecs. */
    public static final String PREFIX = "json:";

    private final JavaType type;
    private final ObjectWriter writer;
    private final ObjectReader reader;
    private final String name;
    private final int schemaId;

    private JsonCodec(JavaType type, ObjectWriter writer, ObjectReader reader, String name, int schemaId) {
        this.type = type;
        this.writer = writer;
        this.reader = reader;
        this.name = name;
        this.schemaId = schemaId;
    }

    /**
     * A codec for {@code type} with a default {@link ObjectMapper}.
     *
     * @param <T>  the type of values
     * @param type the class of the values
     * @return a codec named {@code "json:" + type}'s canonical name
     */
    public static <T> JsonCodec<T> of(Class<T> type) {
        return of(DefaultMapper.INSTANCE, type);
    }

    /**
     * A codec for {@code type} with {@code mapper}'s configuration.
     *
     * @param <T>    the type of values
     * @param mapper the mapper whose configuration (modules, features) is taken now
     * @param type   the class of the values
     * @return a codec named {@code "json:" + type}'s canonical name
     */
    public static <T> JsonCodec<T> of(ObjectMapper mapper, Class<T> type) {
        Objects.requireNonNull(type, "type");
        return of(mapper, mapper.constructType(type));
    }

    /**
     * A codec for a generic type, e.g. {@code new TypeReference<List<Quote>>() {}}, with {@code mapper}.
     *
     * @param <T>    the type of values
     * @param mapper the mapper whose configuration (modules, features) is taken now
     * @param type   the generic type of the values
     * @return a codec named {@code "json:" + type}'s canonical name
     */
    public static <T> JsonCodec<T> of(ObjectMapper mapper, TypeReference<T> type) {
        Objects.requireNonNull(type, "type");
        return of(mapper, mapper.constructType(type));
    }

    /**
     * A codec for {@code type}, which must describe {@code T}, with {@code mapper}.
     *
     * @param <T>    the type of values
     * @param mapper the mapper whose configuration (modules, features) is taken now
     * @param type   the Jackson type of the values
     * @return a codec named {@code "json:" + type}'s canonical name
     */
    public static <T> JsonCodec<T> of(ObjectMapper mapper, JavaType type) {
        Objects.requireNonNull(mapper, "mapper");
        Objects.requireNonNull(type, "type");
        return new JsonCodec<>(type, mapper.writerFor(type),
            mapper.readerFor(type).with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS),
            CodecNames.forType(PREFIX, type.toCanonical()), 0);
    }

    /**
     * The same codec with schema id {@code schemaId}: change it when the JSON form changes incompatibly.
     *
     * @param schemaId the schema id written in the ring header
     * @return a codec that differs from this one only in its schema id
     */
    public JsonCodec<T> withSchemaId(int schemaId) {
        return new JsonCodec<>(type, writer, reader, name, schemaId);
    }

    /**
     * The same codec under another name, 1 to 64 bytes of UTF-8.
     *
     * @param name the codec's name in the ring header
     * @return a codec that differs from this one only in its name
     * @throws IllegalArgumentException when {@code name} is empty or longer than 64 bytes of UTF-8
     */
    public JsonCodec<T> withName(String name) {
        return new JsonCodec<>(type, writer, reader, CodecNames.check(Objects.requireNonNull(name, "name")), schemaId);
    }

    /**
     * The Jackson type this codec reads and writes.
     *
     * @return the type of the values
     */
    public JavaType type() {
        return type;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public int schemaId() {
        return schemaId;
    }

    @Override
    public void encode(T value, ByteBuffer window) {
        WindowOutputStream out = new WindowOutputStream(window);
        try {
            writer.writeValue(out, value);
        } catch (IOException | RuntimeException e) {
            if (out.overflowed()) {
                throw new BufferOverflowException(); // Jackson may have wrapped it: the ring retries or reports
            }
            throw new IllegalArgumentException(name + " cannot encode a " + value.getClass().getName() + ": "
                + e.getMessage(), e);
        }
        if (out.overflowed()) {
            throw new BufferOverflowException(); // an overflow Jackson swallowed: the JSON in the window is cut
        }
    }

    @Override
    public T decode(ByteBuffer window) {
        int length = window.remaining();
        try {
            return reader.readValue(new WindowInputStream(window));
        } catch (IOException | RuntimeException e) {
            throw new IllegalArgumentException(name + " cannot decode " + length + " bytes: " + e.getMessage(), e);
        }
    }

    /** The codec named {@code PREFIX + canonical type name}, with a default mapper; for {@link NamedCodecProvider}. */
    static Codec<?> named(String name, ClassLoader loader) {
        String canonical = name.substring(PREFIX.length());
        JavaType type;
        try {
            type = DefaultMapper.INSTANCE.getTypeFactory().withClassLoader(loader).constructFromCanonical(canonical);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("codec '" + name + "': no type '" + canonical + "': " + e.getMessage(), e);
        }
        JsonCodec<?> codec = of(DefaultMapper.INSTANCE, type);
        if (!codec.name().equals(name)) {
            throw new IllegalArgumentException("codec '" + name + "': type '" + canonical + "' has the canonical name '"
                + type.toCanonical() + "', so its codec is named '" + codec.name() + "'");
        }
        return codec;
    }

    @Override
    public String toString() {
        return "JsonCodec{" + name + ", schema " + schemaId + '}';
    }

    /** The mapper of {@link #of(Class)}, built on first use. */
    private static final class DefaultMapper {
        static final ObjectMapper INSTANCE = new ObjectMapper();
    }
}
