package io.aperture.internal.composite;

/**
 * One decoded or to-be-encoded interaction frame ({@link FrameDescriptor}). A frame read from the other side
 * that breaks the protocol decodes as an <em>invalid</em> frame ({@link #problem} set, {@link #kind} possibly
 * null) rather than failing the channel, so the session can answer it and name the value.
 *
 * @param <T> the type of values it carries
 */
public final class Frame<T> {
    public final FrameKind kind;
    public final long correlationId;
    /** REQUEST_STREAM, REQUEST_CHANNEL, REQUEST_N: the demand; SETUP: the connection id. */
    public final long n;
    public final T value;
    public final String errorClass;
    public final String errorMessage;
    /** Non-null for a frame that breaks the protocol: what is wrong, naming the value. */
    public final String problem;
    /** True when {@link #problem} concerns only its interaction (a value its codec could not decode). */
    public final boolean interactionProblem;
    /** Run once the frame is written to the ring (fire-and-forget); null otherwise. */
    private volatile Runnable onWritten;

    private Frame(FrameKind kind, long correlationId, long n, T value, String errorClass, String errorMessage,
                  String problem, boolean interactionProblem) {
        this.kind = kind;
        this.correlationId = correlationId;
        this.n = n;
        this.value = value;
        this.errorClass = errorClass;
        this.errorMessage = errorMessage;
        this.problem = problem;
        this.interactionProblem = interactionProblem;
    }

    public static <T> Frame<T> setup(long connectionId) {
        return new Frame<>(FrameKind.SETUP, 0, connectionId, null, null, null, null, false);
    }

    public static <T> Frame<T> of(FrameKind kind, long correlationId, long n, T value) {
        return new Frame<>(kind, correlationId, n, value, null, null, null, false);
    }

    public static <T> Frame<T> signal(FrameKind kind, long correlationId) {
        return new Frame<>(kind, correlationId, 0, null, null, null, null, false);
    }

    public static <T> Frame<T> requestN(long correlationId, long n) {
        return new Frame<>(FrameKind.REQUEST_N, correlationId, n, null, null, null, null, false);
    }

    public static <T> Frame<T> error(long correlationId, Throwable error) {
        return error(correlationId, error.getClass().getName(), error.getMessage());
    }

    public static <T> Frame<T> error(long correlationId, String className, String message) {
        return new Frame<>(FrameKind.ERROR, correlationId, 0, null, className, message, null, false);
    }

    public static <T> Frame<T> invalid(FrameKind kind, long correlationId, String problem, boolean interactionProblem) {
        return new Frame<>(kind, correlationId, 0, null, null, null, problem, interactionProblem);
    }

    public boolean isValid() {
        return problem == null;
    }

    public Frame<T> onWritten(Runnable action) {
        this.onWritten = action;
        return this;
    }

    public void written() {
        Runnable action = onWritten;
        if (action != null) {
            onWritten = null;
            action.run();
        }
    }

    @Override
    public String toString() {
        return problem != null ? "invalid frame (" + problem + ")" : kind + " #" + correlationId
            + (kind == FrameKind.REQUEST_N || kind == FrameKind.REQUEST_STREAM || kind == FrameKind.REQUEST_CHANNEL ? " n=" + n : "");
    }
}
