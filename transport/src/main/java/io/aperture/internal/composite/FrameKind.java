package io.aperture.internal.composite;

/**
 * The kind of an interaction frame ({@link FrameDescriptor}), its code on the wire, and which side may send it.
 * Per-stream frames ({@link #NEXT}, {@link #COMPLETE}, {@link #ERROR}) carry the stream that flows in the
 * frame's direction; {@link #REQUEST_N} and {@link #CANCEL} act on the stream that flows the other way.
 */
public enum FrameKind {
    /** First frame each way: the requester's connection id, echoed by the responder (correlation id 0). */
    SETUP(1, true, true),
    /** Opens a request-response: one request value; answered by one NEXT, COMPLETE (empty) or ERROR. */
    REQUEST_RESPONSE(2, true, false),
    /** Opens a request-stream: the initial request-n, then one request value. */
    REQUEST_STREAM(3, true, false),
    /** Opens a request-channel: the initial request-n; request values follow as NEXT frames on demand. */
    REQUEST_CHANNEL(4, true, false),
    /** One request value, no answer. */
    FIRE_AND_FORGET(5, true, false),
    /** One value of the stream flowing in this frame's direction. */
    NEXT(6, true, true),
    /** The stream flowing in this frame's direction completed. */
    COMPLETE(7, true, true),
    /** The stream flowing in this frame's direction failed: class name and message; correlation id 0 ends the connection. */
    ERROR(8, true, true),
    /** Cancels the stream flowing towards the frame's sender. */
    CANCEL(9, true, true),
    /** Adds demand to the stream flowing towards the frame's sender. */
    REQUEST_N(10, true, true);

    private static final FrameKind[] BY_CODE = new FrameKind[11];

    static {
        for (FrameKind kind : values()) {
            BY_CODE[kind.code] = kind;
        }
    }

    public final int code;
    final boolean fromRequester;
    final boolean fromResponder;

    FrameKind(int code, boolean fromRequester, boolean fromResponder) {
        this.code = code;
        this.fromRequester = fromRequester;
        this.fromResponder = fromResponder;
    }

    /** The kind with wire code {@code code}, or null when there is none. */
    public static FrameKind ofCode(int code) {
        return code > 0 && code < BY_CODE.length ? BY_CODE[code] : null;
    }

    /** True for the kinds that open an interaction. */
    public boolean opens() {
        return this == REQUEST_RESPONSE || this == REQUEST_STREAM || this == REQUEST_CHANNEL || this == FIRE_AND_FORGET;
    }
}
