/**
 * The ring: the writer core (claim, encode in place, commit by the header's release store, batch flush, wait for space),
 * the reader core (a record-walking drain loop, validation in one place), and the channel ends built on them with no
 * Reactor in them: the publisher's core ({@code PublisherCore}: the lifecycle and entry points, over one
 * class per job: {@code PublisherRing} the ring and what both threads share, {@code PublisherConductor} the
 * conductor's loop, {@code PublisherHousekeeping} its checks, {@code PublisherUpstream} demand and cancel upstream,
 * {@code PublisherSink} the writer and its waits, {@code PublisherFaults} truncated sections, {@code PublisherTeardown}
 * the end) with its subscribers ({@code SubscriberRoster}) and its own-ring checks ({@code OwnRingAudit}), and the subscriber's core ({@code SubscriberCore}: attach through {@code RingAttachment},
 * admission, demand, the drain loop). The Reactor adapters and the raw ring API sit side by side on these cores.
 * Imports the section and waiting layers.
 */
package io.aperture.internal.ring;
