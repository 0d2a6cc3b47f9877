package io.aperture;

/**
 * How one subscriber's part in a publisher's stream ended, as the publisher saw it: one line of a
 * {@link PublishReport}.
 *
 * @param index     the subscriber's slot in the channel (its section {@code <channel>.sub-<index>})
 * @param pid       the subscriber's process id
 * @param kind      how it ended
 * @param detail    what the subscriber or the publisher said of it: the subscriber's exception, the reason it refused
 *                  the channel, how its death was found; empty when there is nothing to say
 * @param delivered the messages it had delivered downstream when it ended, as it last counted them
 */
public record SubscriberEnd(int index, long pid, Kind kind, String detail, long delivered) {
    /** How a subscriber's part ended. */
    public enum Kind {
        /** It was attached when the stream completed (the completion was written for it), or it read that completion. */
        COMPLETED,
        /** It was attached when the stream failed (the error was written for it), or it read that error. */
        ERRORED,
        /** It was attached when the publisher was closed or cancelled by its own user. */
        CLOSED,
        /** Its downstream cancelled. */
        CANCELLED,
        /** It failed: a record it could not decode, a corrupt or truncated section, its downstream's error. */
        FAILED,
        /** It refused the channel before it was admitted: its codec is not the channel's. */
        REFUSED,
        /** Its process died (or stopped beating its heartbeat). */
        DIED,
        /** The publisher dropped it as too slow ({@link ChannelOptions.SlowConsumerPolicy#DROP_SLOWEST}). */
        DROPPED
    }
}
