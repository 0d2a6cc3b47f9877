package io.aperture;

/** A message's encoded length exceeds the channel's maximum message length. */
public final class MessageTooLargeException extends ApertureException {
    private static final long serialVersionUID = 1L;

    private final long length;
    private final int maxLength;

    public MessageTooLargeException(String channel, long length, int maxLength) {
        super("channel '" + channel + "': message length " + (length < 0 ? "unknown (> " + maxLength + ")" : length)
            + " > max message length " + maxLength);
        this.length = length;
        this.maxLength = maxLength;
    }

    /** The encoded length, or -1 where the codec could not say. */
    public long length() {
        return length;
    }

    public int maxLength() {
        return maxLength;
    }
}
