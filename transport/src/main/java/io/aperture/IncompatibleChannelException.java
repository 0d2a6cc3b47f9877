package io.aperture;

/** The two ends of a channel disagree: magic, version, codec, schema or layout. The message names both values. */
public final class IncompatibleChannelException extends ApertureException {
    private static final long serialVersionUID = 1L;

    /**
     * A disagreement between the two ends of a channel.
     *
     * @param message what disagrees, naming both ends' values
     */
    public IncompatibleChannelException(String message) {
        super(message);
    }
}
