package io.aperture;

import reactor.core.CoreSubscriber;

/**
 * The subscriber that a channel's publishing end ({@link ChannelPublisher#publish}) subscribes to its source, seen
 * from a source that emits on threads that must not wait for ring space: a drain thread that the other end of a
 * two-way connection needs to make room, for example. Such a source offers each value with {@link #tryWrite};
 * when it returns false, nothing of the value was taken, and the source passes the same value to
 * {@link #onNext} later, from a thread that may wait, before any other value. A source that does not care calls
 * {@code onNext} only.
 *
 * <p>The rules of {@code onNext} hold for {@code tryWrite}: the two are never called concurrently, and only within
 * the demand requested.
 *
 * @param <T> the type of values
 */
public interface RingSink<T> extends CoreSubscriber<T> {
    /**
     * Writes {@code value} into the ring at once, as {@link #onNext} would, unless the record would wait for space.
     *
     * @param value the value to write in place
     * @return false when it would have waited (nothing taken: pass the same value to {@code onNext} later); true when
     *         taken, as by {@code onNext}: written, or failed to be written (the channel fails with why), or dropped
     *         because the channel ended
     */
    boolean tryWrite(T value);
}
