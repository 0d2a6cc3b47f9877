package io.aperture;

/** Base of every failure Aperture raises; the message names the channel and the values involved. */
public class ApertureException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /**
     * A failure described by {@code message}.
     *
     * @param message what failed, naming the channel and the values involved
     */
    public ApertureException(String message) {
        super(message);
    }

    /**
     * A failure described by {@code message}, raised by {@code cause}.
     *
     * @param message what failed, naming the channel and the values involved
     * @param cause   the exception that caused it, such as the {@code IOException} of a file operation
     */
    public ApertureException(String message, Throwable cause) {
        super(message, cause);
    }
}
