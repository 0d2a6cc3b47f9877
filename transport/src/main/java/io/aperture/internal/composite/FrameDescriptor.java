package io.aperture.internal.composite;

/**
 * Layout of an interaction frame: the payload of one ring record of a service's request channel
 * ({@code <service>.p-<requester>}) or response channel ({@code <service>.r-<requester>.<connection>}).
 * Native byte order, as every ring record; the user's codec writes and reads the value in place after the header.
 * <pre>
 *   0               4               8                              16
 *  +---------------+---------------+-------------------------------+
 *  |  kind (int32) | flags (0)     |  correlation id (int64, >= 0) |
 *  +---------------+---------------+-------------------------------+
 *  | kind-specific body:                                           |
 *  |   SETUP            version (int32) | 0 (int32) | connection id (int64)
 *  |   REQUEST_RESPONSE value (user codec)                         |
 *  |   REQUEST_STREAM   request-n (int64, >= 1) | value            |
 *  |   REQUEST_CHANNEL  request-n (int64, >= 1)                    |
 *  |   FIRE_AND_FORGET  value                                      |
 *  |   NEXT             value                                      |
 *  |   COMPLETE, CANCEL (nothing)                                  |
 *  |   ERROR            class length (uint16) | class (UTF-8)      |
 *  |                    message length (uint16, 0xFFFF: none) | message (UTF-8)
 *  |   REQUEST_N        n (int64, >= 1)                            |
 *  +---------------------------------------------------------------+
 * </pre>
 * Correlation id 0 is the connection (SETUP, and an ERROR that ends the connection); every interaction has its own
 * id, chosen by the requester, increasing with each interaction it opens.
 */
public final class FrameDescriptor {
    /** Between a service's name and a requester's name in the name of a response channel. */
    public static final String RESPONSE_INFIX = ".r-";

    /** The name of the response channel of one connection: {@code <service>.r-<requester>.<connection id, hex>}. */
    public static String responseChannel(String service, String requester, long connectionId) {
        return service + RESPONSE_INFIX + requester + '.' + String.format("%016x", connectionId);
    }

    /** Wire code of the frame's {@link FrameKind}. */
    public static final int KIND_OFFSET = 0;
    /** Reserved, must be 0. */
    public static final int FLAGS_OFFSET = KIND_OFFSET + Integer.BYTES;
    /** The interaction's correlation id; 0 for the connection. */
    public static final int CORRELATION_OFFSET = FLAGS_OFFSET + Integer.BYTES;
    /** Length of the header every frame has. */
    public static final int HEADER_LENGTH = CORRELATION_OFFSET + Long.BYTES;
    /** Where a kind's body starts: request-n, SETUP version, ERROR lengths, or the value. */
    public static final int BODY_OFFSET = HEADER_LENGTH;
    /** SETUP: protocol version. */
    public static final int SETUP_VERSION_OFFSET = BODY_OFFSET;
    /** SETUP: the requester's connection id, after 4 reserved bytes. */
    public static final int SETUP_CONNECTION_OFFSET = SETUP_VERSION_OFFSET + 2 * Integer.BYTES;
    /** SETUP: its whole length. */
    public static final int SETUP_LENGTH = SETUP_CONNECTION_OFFSET + Long.BYTES;
    /** REQUEST_N: its whole length. */
    public static final int REQUEST_N_LENGTH = BODY_OFFSET + Long.BYTES;
    /** REQUEST_STREAM: where the value starts, after the request-n. */
    public static final int STREAM_VALUE_OFFSET = BODY_OFFSET + Long.BYTES;
    /** The protocol version this code speaks. */
    public static final int VERSION = 1;
    /** ERROR: the longest class name carried, in bytes of UTF-8. */
    public static final int ERROR_CLASS_MAX_BYTES = 256;
    /** ERROR: the longest message carried, in bytes of UTF-8 (longer ones are cut). */
    public static final int ERROR_MESSAGE_MAX_BYTES = 1024;
    /** ERROR: message length meaning "no message". */
    public static final int NO_MESSAGE = 0xFFFF;

    private FrameDescriptor() {
    }
}
