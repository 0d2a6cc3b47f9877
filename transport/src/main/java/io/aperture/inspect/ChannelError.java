package io.aperture.inspect;

/**
 * The error a channel ended with, as its publisher wrote it in the ERROR record (docs/layout.md §5.2).
 *
 * @param className the fully qualified class name of the publisher's exception (truncated to 256 bytes of UTF-8)
 * @param message   its message (truncated to 1024 bytes of UTF-8), or null when it had none
 */
public record ChannelError(String className, String message) {
    @Override
    public String toString() {
        return message == null ? className : className + ": " + message;
    }
}
