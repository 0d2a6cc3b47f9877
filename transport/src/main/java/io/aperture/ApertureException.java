package io.aperture;

/** Base of every failure Aperture raises; the message names the channel and the values involved. */
public class ApertureException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public ApertureException(String message) {
        super(message);
    }

    public ApertureException(String message, Throwable cause) {
        super(message, cause);
    }
}
