package io.aperture;

/** A message's encoded length exceeds the channel's maximum message length. */
public final class MessageTooLargeException extends ApertureException {
    private static final long serialVersionUID = 1L;

    /**
     * The encoded length, or -1 where the codec could not say.
     */
    private final long length;
    /**
     * The channel's maximum message length.
     */
    private final int maxLength;

    /**
     * A message of {@code channel} that is longer than {@code maxLength}.
     *
     * @param channel   the channel's name
     * @param length    the encoded length, or -1 where the codec could not say (it overflowed every window offered)
     * @param maxLength the channel's maximum message length (or fragmented message length)
     */
    public MessageTooLargeException(String channel, long length, int maxLength) {
        super("channel '" + channel + "': message length " + (length < 0 ? "unknown (> " + maxLength + ")" : length)
            + " > max message length " + maxLength);
        this.length = length;
        this.maxLength = maxLength;
    }

    /**
     * The encoded length, or -1 where the codec could not say.
     *
     * @return the encoded length in bytes, or -1
     */
    public long length() {
        return length;
    }

    /**
     * The limit the message exceeded.
     *
     * @return the maximum message length in bytes
     */
    public int maxLength() {
        return maxLength;
    }
}
