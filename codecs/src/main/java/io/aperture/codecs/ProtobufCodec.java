package io.aperture.codecs;

import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.MessageLite;
import com.google.protobuf.Parser;
import io.aperture.Codec;

import java.io.IOException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Modifier;
import java.nio.BufferOverflowException;
import java.nio.ByteBuffer;
import java.util.Objects;

/**
 * Protocol Buffers ({@code com.google.protobuf:protobuf-java} 4.x, which the application adds), for one
 * generated message class, full or lite.
 *
 * <p>Encoding checks the message's (memoised) serialized size against the window, raising
 * {@link BufferOverflowException} when it does not fit, then writes through a {@link CodedOutputStream} over
 * the window itself. Decoding runs the message's parser on the read-only window: on a direct buffer (the
 * ring) protobuf reads it in place, and strings and bytes are copied out, so the decoded message does not
 * refer to the window. Malformed bytes raise {@link IllegalArgumentException} naming the codec and the length,
 * with protobuf's {@link InvalidProtocolBufferException} as the cause.
 *
 * <p>The name is {@code "protobuf:" + the Java class name}, e.g. {@code "protobuf:com.google.protobuf.Timestamp"}
 * (shortened with a hash when longer than 64 bytes); the schema id is 0 unless set with
 * {@link #withSchemaId(int)}. Protobuf's own rules (new fields are skipped by old readers) make most schema
 * changes compatible without a new id. Instances are immutable and thread-safe.
 *
 * @param <T> the message type
 */
public final class ProtobufCodec<T extends MessageLite> implements Codec<T> {
    /** The name prefix of Protocol Buffers codecs. */
    public static final String PREFIX = "protobuf:";

    private final Class<? extends MessageLite> type;
    private final Parser<T> parser;
    private final String name;
    private final int schemaId;

    private ProtobufCodec(Class<? extends MessageLite> type, Parser<T> parser, String name, int schemaId) {
        this.type = type;
        this.parser = parser;
        this.name = name;
        this.schemaId = schemaId;
    }

    /**
     * A codec for the messages of {@code defaultInstance}'s class, e.g. {@code Timestamp.getDefaultInstance()}.
     *
     * @param <T>             the message type
     * @param defaultInstance any message of the class; its parser decodes
     * @return a codec named {@code "protobuf:" +} the message's class name
     */
    public static <T extends MessageLite> ProtobufCodec<T> of(T defaultInstance) {
        Objects.requireNonNull(defaultInstance, "defaultInstance");
        @SuppressWarnings("unchecked") // a generated message's parser parses messages of its own class
        Parser<T> parser = (Parser<T>) defaultInstance.getParserForType();
        Class<? extends MessageLite> type = defaultInstance.getClass();
        return new ProtobufCodec<>(type, parser, CodecNames.forType(PREFIX, type.getName()), 0);
    }

    /**
     * A codec for the generated message class {@code type}, found through its {@code getDefaultInstance()}.
     *
     * @param <T>  the message type
     * @param type the generated message class
     * @return a codec named {@code "protobuf:" +} the class name
     * @throws IllegalArgumentException when {@code type} has no public static {@code getDefaultInstance()} that
     *                                  returns one of its messages
     */
    public static <T extends MessageLite> ProtobufCodec<T> of(Class<T> type) {
        Objects.requireNonNull(type, "type");
        Object instance;
        try {
            instance = type.getMethod("getDefaultInstance").invoke(null);
        } catch (NoSuchMethodException | IllegalAccessException | InvocationTargetException | NullPointerException e) {
            throw new IllegalArgumentException(type.getName() + " is not a generated protobuf message class: no public "
                + "static getDefaultInstance() (" + e + ")", e);
        }
        if (!type.isInstance(instance) || Modifier.isAbstract(type.getModifiers())) {
            throw new IllegalArgumentException(type.getName() + " is not a generated protobuf message class: "
                + "getDefaultInstance() returned " + instance);
        }
        return of(type.cast(instance));
    }

    /**
     * The same codec with schema id {@code schemaId}: change it when the message changes incompatibly.
     *
     * @param schemaId the schema id written in the ring header
     * @return a codec that differs from this one only in its schema id
     */
    public ProtobufCodec<T> withSchemaId(int schemaId) {
        return new ProtobufCodec<>(type, parser, name, schemaId);
    }

    /**
     * The same codec under another name, 1 to 64 bytes of UTF-8, e.g. the message's full name in the .proto.
     *
     * @param name the codec's name in the ring header
     * @return a codec that differs from this one only in its name
     * @throws IllegalArgumentException when {@code name} is empty or longer than 64 bytes of UTF-8
     */
    public ProtobufCodec<T> withName(String name) {
        return new ProtobufCodec<>(type, parser, CodecNames.check(Objects.requireNonNull(name, "name")), schemaId);
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
        if (value.getClass() != type) {
            throw new IllegalArgumentException(name + " cannot encode a " + value.getClass().getName());
        }
        int length = value.getSerializedSize();
        if (length > window.remaining()) {
            throw new BufferOverflowException();
        }
        CodedOutputStream out = CodedOutputStream.newInstance(window);
        try {
            value.writeTo(out);
            out.flush(); // moves the window's position past the message
        } catch (CodedOutputStream.OutOfSpaceException e) {
            throw new BufferOverflowException(); // the size changed under us (a mutable builder?): retry
        } catch (IOException e) {
            throw new IllegalArgumentException(name + " cannot encode a " + length + "-byte message: " + e, e);
        }
    }

    @Override
    public T decode(ByteBuffer window) {
        int length = window.remaining();
        try {
            return parser.parseFrom(window);
        } catch (InvalidProtocolBufferException | RuntimeException e) {
            throw new IllegalArgumentException(name + " cannot decode " + length + " bytes: " + e.getMessage(), e);
        }
    }

    /** The codec named {@code PREFIX + Java class name}; for {@link NamedCodecProvider}. */
    static Codec<?> named(String name, ClassLoader loader) {
        String className = name.substring(PREFIX.length());
        Class<?> type;
        try {
            type = Class.forName(className, true, loader);
        } catch (ClassNotFoundException | LinkageError e) {
            throw new IllegalArgumentException("codec '" + name + "': no class " + className + " (" + e + ")", e);
        }
        if (!MessageLite.class.isAssignableFrom(type)) {
            throw new IllegalArgumentException("codec '" + name + "': " + className + " is not a protobuf message");
        }
        return of(type.asSubclass(MessageLite.class));
    }

    @Override
    public String toString() {
        return "ProtobufCodec{" + name + ", schema " + schemaId + '}';
    }
}
