package io.aperture;

/**
 * Receives a channel's messages from a {@link RingDrain}, on the drain's one thread, in order.
 *
 * @param <T> the type of values
 */
@FunctionalInterface
public interface MessageHandler<T> {
    /**
     * One message. With a flyweight codec {@code value} is a view into the ring, valid only during this call.
     * An exception thrown here cancels the drain and ends it with that exception.
     *
     * @param value the decoded message
     */
    void onMessage(T value);

    /** The publisher completed, after the last message. */
    default void onComplete() {
    }

    /**
     * The drain ended with {@code error}: a {@link RemoteException} from the publisher's source, an
     * {@link ApertureException} (the publisher died or closed, the channel did not appear in time), a
     * {@link CorruptSectionException}, or an exception this handler threw.
     *
     * @param error what ended the drain
     */
    default void onError(Throwable error) {
    }
}
