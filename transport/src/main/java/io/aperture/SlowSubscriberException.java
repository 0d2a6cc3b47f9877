package io.aperture;

/**
 * The publisher dropped this subscriber under {@link ChannelOptions.SlowConsumerPolicy#DROP_SLOWEST}: it
 * held the ring full while lagging the cursor by {@link #lagBytes()} bytes. Every message delivered before
 * this error was complete and in order; the subscriber may subscribe again and join at the cursor.
 */
public final class SlowSubscriberException extends ApertureException {
    private static final long serialVersionUID = 1L;

    /**
     * How far behind the cursor the subscriber was, in bytes.
     */
    private final long lagBytes;

    /**
     * This subscriber of {@code channel} was dropped as too slow.
     *
     * @param channel   the channel's name
     * @param lagBytes  how far behind the publisher's cursor it was, in bytes
     * @param delivered how many messages it had delivered before it was dropped
     */
    public SlowSubscriberException(String channel, long lagBytes, long delivered) {
        super("channel '" + channel + "': this subscriber was dropped by the publisher as too slow (lagged by "
            + lagBytes + " bytes of the ring) after " + delivered + " message(s) were delivered");
        this.lagBytes = lagBytes;
    }

    /**
     * How far behind the publisher's cursor this subscriber was when it was dropped, in bytes.
     *
     * @return the lag in bytes
     */
    public long lagBytes() {
        return lagBytes;
    }
}
