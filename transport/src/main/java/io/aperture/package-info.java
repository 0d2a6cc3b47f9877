/**
 * Aperture: Reactive Streams across OS processes on one machine, through shared memory.
 *
 * <h2>Public API</h2>
 * {@link io.aperture.Aperture}, {@link io.aperture.ChannelPublisher}, {@link io.aperture.ChannelSubscriber},
 * {@link io.aperture.ChannelOptions}, {@link io.aperture.Waiting}, {@link io.aperture.Codec}, {@link io.aperture.CodecProvider},
 * {@link io.aperture.Codecs}, {@link io.aperture.Produced}, the interactions ({@link io.aperture.ServiceResponder},
 * {@link io.aperture.ServiceRequester}, {@link io.aperture.ServiceConnection}, {@link io.aperture.ServiceHandler})
 * and the exceptions. Everything else lives in the internal packages, a ladder in which no import points up:
 * {@code io.aperture.internal.section} (files, mappings, layouts, liveness), {@code .waiting} (parking, waking,
 * wait strategies), {@code .ring} (the record writer and reader), {@code .bridge} (the Reactor publisher and
 * subscriber sessions) and {@code .composite} (what is built from whole channels: the producer merge and the
 * interactions). The module exports {@code io.aperture} only; {@code ArchitectureTest} enforces the ladder.
 *
 * <h2>Memory-ordering conventions</h2>
 * Sections are mapped files; shared words are accessed through byte-buffer {@code VarHandle}s (aligned,
 * native order). Each shared word has one writer process:
 * <ul>
 *   <li>Ring section ({@code RingDescriptor}), written by the publisher only:
 *     <ul>
 *       <li>header fields: plain stores, then the magic with a <b>release</b> store; readers load the magic
 *           with <b>acquire</b> before any header field;</li>
 *       <li>records (layout 3.0): the payload and the next slot's zeroed header by plain stores of the
 *           single writer thread, then the record's 64-bit header word by a <b>release</b> store: the commit
 *           (a batch: its first header, stored last); the subscriber's {@code RingReader} loads each header
 *           with <b>acquire</b> before the payload;</li>
 *       <li>{@code cursor}, {@code published}: the lazy position, <b>release</b> stores at batch ends, waits,
 *           terminal records and once per quarter ring; never loaded per record;</li>
 *       <li>{@code terminal}: <b>CAS</b> from OPEN (the writer thread and the conductor may race), read
 *           with <b>acquire</b>; a terminal record, when there is one, is published before it;</li>
 *       <li>{@code heartbeat}: <b>release</b> stores, <b>acquire</b> loads.</li>
 *     </ul></li>
 *   <li>Subscriber section ({@code SubscriberDescriptor}), written by its subscriber only:
 *     <ul>
 *       <li>magic: <b>release</b> store after the other fields, before the file is linked into place;</li>
 *       <li>{@code consumed}: <b>release</b> store by the reader once per batch; the publisher loads
 *           it with <b>acquire</b> before overwriting slots (gating);</li>
 *       <li>{@code requested}: <b>release</b> store, <b>acquire</b> load by the conductor;</li>
 *       <li>{@code cancelled}: <b>release</b> store, <b>acquire</b> load.</li>
 *     </ul></li>
 * </ul>
 * Every value loaded from the other process's section is validated before use (see
 * {@code RecordCheck}, {@code RingReader}, {@code RingHeader}, {@code SubscriberLink}).
 */
package io.aperture;
