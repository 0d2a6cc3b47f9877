/**
 * Aperture: Reactive Streams across OS processes on one machine, through shared memory.
 *
 * <h2>Public API</h2>
 * {@link io.aperture.Aperture}, {@link io.aperture.ChannelPublisher}, {@link io.aperture.ChannelSubscriber},
 * {@link io.aperture.ChannelOptions}, {@link io.aperture.Waiting}, {@link io.aperture.Codec}, {@link io.aperture.CodecProvider},
 * {@link io.aperture.Codecs}, {@link io.aperture.Produced}, the interactions ({@link io.aperture.ServiceResponder},
 * {@link io.aperture.ServiceRequester}, {@link io.aperture.ServiceConnection}, {@link io.aperture.ServiceHandler})
 * and the exceptions. Everything else is package-private.
 *
 * <h2>Memory-ordering conventions</h2>
 * Sections are mapped files; shared words are accessed through byte-buffer {@code VarHandle}s (aligned,
 * native order). Each shared word has one writer process:
 * <ul>
 *   <li>Ring section ({@code RingDescriptor}), written by the publisher only:
 *     <ul>
 *       <li>header fields: plain stores, then the magic with a <b>release</b> store; readers load the magic
 *           with <b>acquire</b> before any header field;</li>
 *       <li>records (header and payload): plain stores by the single writer thread, published by a
 *           <b>release</b> store of {@code cursor}; the subscriber's {@code EventPoller} loads
 *           {@code cursor} with <b>acquire</b> before reading any slot;</li>
 *       <li>{@code terminal}: <b>CAS</b> from OPEN (the writer thread and the conductor may race), read
 *           with <b>acquire</b>; a terminal record, when there is one, is published before it;</li>
 *       <li>{@code published}, {@code heartbeat}: <b>release</b> stores, <b>acquire</b> loads.</li>
 *     </ul></li>
 *   <li>Subscriber section ({@code SubscriberDescriptor}), written by its subscriber only:
 *     <ul>
 *       <li>magic: <b>release</b> store after the other fields, before the file is linked into place;</li>
 *       <li>{@code consumed}: <b>release</b> store by the poller after a batch is read; the publisher loads
 *           it with <b>acquire</b> before overwriting slots (gating);</li>
 *       <li>{@code requested}: <b>release</b> store, <b>acquire</b> load by the conductor;</li>
 *       <li>{@code cancelled}: <b>release</b> store, <b>acquire</b> load.</li>
 *     </ul></li>
 * </ul>
 * Every value loaded from the other process's section is validated before use (see
 * {@code RingReader}, {@code RingHeader}, {@code SubscriberLink}).
 */
package io.aperture;
