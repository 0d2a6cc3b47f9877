package io.aperture.internal.composite;

import io.aperture.Codec;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Objects;

import static io.aperture.internal.composite.FrameDescriptor.ERROR_CLASS_MAX_BYTES;
import static io.aperture.internal.composite.FrameDescriptor.ERROR_MESSAGE_MAX_BYTES;
import static io.aperture.internal.composite.FrameDescriptor.HEADER_LENGTH;
import static io.aperture.internal.composite.FrameDescriptor.NO_MESSAGE;
import static io.aperture.internal.composite.FrameDescriptor.REQUEST_N_LENGTH;
import static io.aperture.internal.composite.FrameDescriptor.SETUP_LENGTH;
import static io.aperture.internal.composite.FrameDescriptor.VERSION;

/**
 * The envelope codec of an interaction channel: the frame header ({@link FrameDescriptor}) and, for the kinds
 * that carry one, the value encoded in place by the user's codec right after it. Decoding validates every field
 * read from the other process; a frame that breaks the protocol decodes as an invalid {@link Frame} naming the
 * value (never an exception, so the session, not the channel, decides what to do).
 *
 * @param <T> the type of values the frames carry
 */
public final class FrameCodec<T> implements Codec<Frame<T>> {
    /** Prefix of the envelope's codec name; the ring header carries {@code frames1/<user codec name>}. */
    static final String NAME_PREFIX = "frames" + VERSION + "/";

    private final Codec<T> values;
    private final String name;

    public FrameCodec(Codec<T> values) {
        this.values = Objects.requireNonNull(values, "codec");
        this.name = NAME_PREFIX + values.name();
        int length = name.getBytes(StandardCharsets.UTF_8).length;
        if (length > 64) {
            throw new IllegalArgumentException("codec name '" + values.name() + "' is too long for an interaction channel: '"
                + name + "' is " + length + " bytes of UTF-8, at most 64");
        }
    }

    public Codec<T> values() {
        return values;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public int schemaId() {
        return values.schemaId();
    }

    @Override
    public void encode(Frame<T> frame, ByteBuffer window) {
        window.putInt(frame.kind.code);
        window.putInt(0);
        window.putLong(frame.correlationId);
        switch (frame.kind) {
            case SETUP:
                window.putInt(VERSION);
                window.putInt(0);
                window.putLong(frame.n);
                break;
            case REQUEST_STREAM:
                window.putLong(frame.n);
                values.encode(frame.value, window);
                break;
            case REQUEST_CHANNEL:
            case REQUEST_N:
                window.putLong(frame.n);
                break;
            case REQUEST_RESPONSE:
            case FIRE_AND_FORGET:
            case NEXT:
                values.encode(frame.value, window);
                break;
            case ERROR:
                putString(window, frame.errorClass == null ? "?" : frame.errorClass, ERROR_CLASS_MAX_BYTES, false);
                putString(window, frame.errorMessage, ERROR_MESSAGE_MAX_BYTES, true);
                break;
            case COMPLETE:
            case CANCEL:
                break;
            default:
                throw new IllegalStateException("no encoding for frame kind " + frame.kind);
        }
    }

    private static void putString(ByteBuffer window, String s, int maxBytes, boolean nullable) {
        if (s == null && nullable) {
            window.putShort((short) NO_MESSAGE);
            return;
        }
        byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
        int length = Math.min(bytes.length, maxBytes);
        window.putShort((short) length);
        window.put(bytes, 0, length);
    }

    @Override
    public Frame<T> decode(ByteBuffer window) {
        int length = window.remaining();
        if (length < HEADER_LENGTH) {
            return Frame.invalid(null, 0, "frame of " + length + " bytes is shorter than its " + HEADER_LENGTH + "-byte header", false);
        }
        int code = window.getInt();
        int flags = window.getInt();
        long id = window.getLong();
        FrameKind kind = FrameKind.ofCode(code);
        if (kind == null) {
            return Frame.invalid(null, id, "unknown frame kind " + code + " (correlation id " + id + ", " + length + " bytes)", false);
        }
        if (flags != 0) {
            return Frame.invalid(kind, id, kind + " frame with flags " + flags + ", expected 0 (correlation id " + id + ")", false);
        }
        if (id < 0) {
            return Frame.invalid(kind, id, kind + " frame with correlation id " + id + " < 0", false);
        }
        if ((id == 0) != (kind == FrameKind.SETUP) && !(id == 0 && kind == FrameKind.ERROR)) {
            return Frame.invalid(kind, id, kind + " frame with correlation id " + id
                + (id == 0 ? ": 0 is the connection's, only SETUP and ERROR use it" : ": SETUP uses 0"), false);
        }
        switch (kind) {
            case SETUP: {
                if (length != SETUP_LENGTH) {
                    return Frame.invalid(kind, id, "SETUP frame of " + length + " bytes, expected " + SETUP_LENGTH, false);
                }
                int version = window.getInt();
                window.getInt();
                long connection = window.getLong();
                if (version != VERSION) {
                    return Frame.invalid(kind, id, "SETUP frame of protocol version " + version + ", this end speaks " + VERSION, false);
                }
                if (connection == 0) {
                    return Frame.invalid(kind, id, "SETUP frame with connection id 0", false);
                }
                return Frame.setup(connection);
            }
            case REQUEST_N:
            case REQUEST_CHANNEL: {
                if (length != REQUEST_N_LENGTH) {
                    return Frame.invalid(kind, id, kind + " frame of " + length + " bytes, expected " + REQUEST_N_LENGTH
                        + " (correlation id " + id + ")", false);
                }
                long n = window.getLong();
                if (n <= 0) {
                    return Frame.invalid(kind, id, kind + " frame with request-n " + n + " <= 0 on correlation id " + id + " (§3.9)", false);
                }
                return kind == FrameKind.REQUEST_N ? Frame.requestN(id, n) : Frame.of(kind, id, n, null);
            }
            case REQUEST_STREAM: {
                if (length < REQUEST_N_LENGTH) {
                    return Frame.invalid(kind, id, "REQUEST_STREAM frame of " + length + " bytes, shorter than " + REQUEST_N_LENGTH
                        + " (correlation id " + id + ")", false);
                }
                long n = window.getLong();
                if (n <= 0) {
                    return Frame.invalid(kind, id, "REQUEST_STREAM frame with request-n " + n + " <= 0 on correlation id " + id + " (§3.9)", false);
                }
                return decodeValue(kind, id, n, window);
            }
            case REQUEST_RESPONSE:
            case FIRE_AND_FORGET:
            case NEXT:
                return decodeValue(kind, id, 0, window);
            case COMPLETE:
            case CANCEL:
                if (length != HEADER_LENGTH) {
                    return Frame.invalid(kind, id, kind + " frame of " + length + " bytes, expected " + HEADER_LENGTH
                        + " (correlation id " + id + ")", false);
                }
                return Frame.signal(kind, id);
            case ERROR:
                return decodeError(id, window, length);
            default:
                return Frame.invalid(kind, id, "unknown frame kind " + code, false);
        }
    }

    private Frame<T> decodeValue(FrameKind kind, long id, long n, ByteBuffer window) {
        T value;
        try {
            value = values.decode(window);
        } catch (RuntimeException e) {
            return Frame.invalid(kind, id, "codec '" + values.name() + "' failed to decode the value of " + kind
                + " frame (correlation id " + id + "): " + e, true);
        }
        if (value == null) {
            return Frame.invalid(kind, id, "codec '" + values.name() + "' decoded null from the value of " + kind
                + " frame (correlation id " + id + ") (§2.13)", true);
        }
        return Frame.of(kind, id, n, value);
    }

    private static <T> Frame<T> decodeError(long id, ByteBuffer window, int length) {
        if (window.remaining() < 2) {
            return Frame.invalid(FrameKind.ERROR, id, "ERROR frame of " + length + " bytes has no class length (correlation id " + id + ")", false);
        }
        int classLength = Short.toUnsignedInt(window.getShort());
        if (classLength == 0 || classLength > ERROR_CLASS_MAX_BYTES || classLength > window.remaining() - 2) {
            return Frame.invalid(FrameKind.ERROR, id, "ERROR frame with class length " + classLength + " (at most "
                + ERROR_CLASS_MAX_BYTES + ", " + Math.max(0, window.remaining() - 2) + " bytes left; correlation id " + id + ")", false);
        }
        String className = utf8(window, classLength);
        int messageLength = Short.toUnsignedInt(window.getShort());
        String message = null;
        if (messageLength != NO_MESSAGE) {
            if (messageLength > ERROR_MESSAGE_MAX_BYTES || messageLength != window.remaining()) {
                return Frame.invalid(FrameKind.ERROR, id, "ERROR frame with message length " + messageLength + " (at most "
                    + ERROR_MESSAGE_MAX_BYTES + ", " + window.remaining() + " bytes left; correlation id " + id + ")", false);
            }
            message = utf8(window, messageLength);
        } else if (window.hasRemaining()) {
            return Frame.invalid(FrameKind.ERROR, id, "ERROR frame with " + window.remaining() + " bytes after its end (correlation id " + id + ")", false);
        }
        return Frame.error(id, className, message);
    }

    private static String utf8(ByteBuffer window, int length) {
        byte[] bytes = new byte[length];
        window.get(bytes);
        return new String(bytes, StandardCharsets.UTF_8);
    }

    @Override
    public String toString() {
        return "FrameCodec{" + name + '}';
    }
}
