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
    /**
     * Requires the channel's name and keeps an unmodifiable copy of the subscribers' list.
     *
     * @param channel     the channel's name, not null
     * @param published   the messages written to the ring
     * @param subscribers the subscribers' ends, copied
     */
    public PublishReport {
        Objects.requireNonNull(channel, "channel");
        subscribers = List.copyOf(subscribers);
    }

    /**
     * The subscribers whose part ended as {@code kind}.
     *
     * @param kind how the parts ended
     * @return those subscribers, in the order their parts ended
     */
    public List<SubscriberEnd> ended(SubscriberEnd.Kind kind) {
        return subscribers.stream().filter(end -> end.kind() == kind).toList();
    }
}
