/**
 * Read-only inspection of the channels in a section directory, for tools and monitors: {@link
 * io.aperture.inspect.ChannelInspector} lists the channels of a directory as immutable {@link
 * io.aperture.inspect.ChannelSnapshot}s (with one {@link io.aperture.inspect.SubscriberSnapshot} per subscriber
 * section), reads the error record of a channel that ended with an error ({@link io.aperture.inspect.ChannelError}),
 * removes the sections of channels whose every owner is dead, and follows a channel's records with a {@link
 * io.aperture.inspect.Tail} that never registers as a subscriber.
 *
 * <p>Sections are mapped read-only and nothing is ever written into them. Every value read from a section comes
 * from another process and is validated with the transport's own checks (the ring header, record headers,
 * error records); a section that fails them is reported in its snapshot's {@code problem}, never thrown.
 */
package io.aperture.inspect;
