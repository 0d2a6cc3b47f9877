package io.aperture;

import java.util.List;
import java.util.Objects;

/**
 * What a publisher's stream came to, subscriber by subscriber: the result of
 * {@link ChannelPublisher#publishReport}.
 *
 * @param channel     the channel's name
 * @param published   the messages written to the ring
 * @param subscribers every subscriber that was admitted or refused, in the order their parts ended
 */
public record PublishReport(String channel, long published, List<SubscriberEnd> subscribers) {
    public PublishReport {
        Objects.requireNonNull(channel, "channel");
        subscribers = List.copyOf(subscribers);
    }

    /** The subscribers whose part ended as {@code kind}. */
    public List<SubscriberEnd> ended(SubscriberEnd.Kind kind) {
        return subscribers.stream().filter(end -> end.kind() == kind).toList();
    }
}
