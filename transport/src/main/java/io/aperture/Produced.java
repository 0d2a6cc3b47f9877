package io.aperture;

import java.util.Objects;

/**
 * A value from one producer of a channel with many producers, as emitted by
 * {@link ChannelSubscriber#receiveFromProducersTagged(int)}.
 *
 * @param producer the producer's name, as given to {@link Aperture#producer(String, String, Codec)}
 * @param value    the value it published
 * @param <T>      the type of values
 */
public record Produced<T>(String producer, T value) {
    /**
     * Both are required.
     *
     * @param producer the producer's name, not null
     * @param value    the value it published, not null
     */
    public Produced {
        Objects.requireNonNull(producer, "producer");
        Objects.requireNonNull(value, "value");
    }
}
