package io.aperture.internal.ring;

import io.aperture.internal.section.RecordDescriptor;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.function.Function;

import static io.aperture.internal.section.RecordDescriptor.ERROR_CLASS_MAX_BYTES;
import static io.aperture.internal.section.RecordDescriptor.ERROR_MESSAGE_MAX_BYTES;

/**
 * The payload of an ERROR record, encoded by the publisher and decoded by a subscriber in this one class:
 * u16 class length, the class name (UTF-8), u16 message length ({@code 0xFFFF}: no message), the message
 * (UTF-8); multi-byte fields in native order, each part bounded ({@link RecordDescriptor#ERROR_CLASS_MAX_BYTES},
 * {@link RecordDescriptor#ERROR_MESSAGE_MAX_BYTES}) and the whole by the ring's max error length.
 */
public final class ErrorRecord {
    private static final int NO_MESSAGE = 0xFFFF;

    /** Fully qualified class name of the remote exception. */
    final String className;
    /** Its message, or null. */
    final String message;

    private ErrorRecord(String className, String message) {
        this.className = className;
        this.message = message;
    }

    /** Fully qualified class name of the remote exception, as the publisher wrote it (perhaps truncated). */
    public String className() {
        return className;
    }

    /** The remote exception's message, or null when it had none. */
    public String message() {
        return message;
    }

    /** The payload naming {@code error}'s class and message, truncated on code point boundaries to {@code maxLength}. */
    public static byte[] encode(Throwable error, int maxLength) {
        byte[] className = truncate(error.getClass().getName().getBytes(StandardCharsets.UTF_8),
            Math.min(ERROR_CLASS_MAX_BYTES, Math.max(0, maxLength - 4)));
        String message = error.getMessage();
        byte[] text = message == null ? null : truncate(message.getBytes(StandardCharsets.UTF_8),
            Math.min(ERROR_MESSAGE_MAX_BYTES, Math.max(0, maxLength - 4 - className.length)));
        ByteBuffer payload = ByteBuffer.allocate(4 + className.length + (text == null ? 0 : text.length))
            .order(ByteOrder.nativeOrder());
        payload.putShort((short) className.length).put(className);
        payload.putShort(text == null ? (short) NO_MESSAGE : (short) text.length);
        if (text != null) {
            payload.put(text);
        }
        return payload.array();
    }

    /**
     * Decodes the payload in {@code [position, limit)} of {@code payload}, validating both lengths against it;
     * {@code corrupt} makes the exception for a bad one from its description.
     */
    public static ErrorRecord decode(ByteBuffer payload, Function<String, ? extends RuntimeException> corrupt) {
        int offset = payload.position();
        int length = payload.remaining();
        int end = offset + length;
        int classLength = length >= 2 ? Short.toUnsignedInt(payload.getShort(offset)) : -1;
        if (classLength < 0 || classLength > ERROR_CLASS_MAX_BYTES || offset + 2 + classLength + 2 > end) {
            throw corrupt.apply("ERROR record class length " + classLength + " invalid for payload " + length);
        }
        String className = utf8(payload, offset + 2, classLength);
        int messageOffset = offset + 2 + classLength;
        int messageLength = Short.toUnsignedInt(payload.getShort(messageOffset));
        String message = null;
        if (messageLength != NO_MESSAGE) {
            if (messageLength > ERROR_MESSAGE_MAX_BYTES || messageOffset + 2 + messageLength > end) {
                throw corrupt.apply("ERROR record message length " + messageLength + " invalid for payload " + length);
            }
            message = utf8(payload, messageOffset + 2, messageLength);
        }
        return new ErrorRecord(className, message);
    }

    private static String utf8(ByteBuffer buffer, int offset, int length) {
        byte[] bytes = new byte[length];
        buffer.get(offset, bytes);
        return new String(bytes, StandardCharsets.UTF_8);
    }

    /** The longest prefix of UTF-8 {@code bytes} of at most {@code max} bytes that ends on a code point boundary. */
    private static byte[] truncate(byte[] bytes, int max) {
        if (bytes.length <= max) {
            return bytes;
        }
        int length = max;
        while (length > 0 && (bytes[length] & 0xC0) == 0x80) {
            length--; // bytes[length] continues a code point: cut before that code point starts
        }
        return Arrays.copyOf(bytes, length);
    }
}
