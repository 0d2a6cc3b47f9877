/**
 * The ring: the writer core (claim, encode in place, commit by the header's release store, batch flush, wait for space),
 * the reader core (a record-walking drain loop, validation in one place), and the channel ends built on them with no
 * Reactor in them. The publisher's core, {@code PublisherCore} (the lifecycle and the entry points), works through one
 * class per job: {@code PublisherRing} (the ring and what both publisher threads share), {@code PublisherConductor}
 * (the conductor's loop), {@code PublisherHousekeeping} (its checks once a liveness interval), {@code PublisherUpstream}
 * (start, requests and cancel upstream), {@code PublisherSink} (the writer and its waits), {@code PublisherFaults}
 * (truncated sections) and {@code PublisherTeardown} (the end), with its subscribers ({@code SubscriberRoster}) and its
 * own-ring checks ({@code OwnRingAudit}). The subscriber's core, {@code SubscriberCore} (attach through
 * {@code RingAttachment}, the faults and the end), works through {@code SubscriberDemand} (demand and cancel),
 * {@code SubscriberAdmission} (the admission), {@code SubscriberDrain} (the drain loop) and {@code SubscriberDelivery}
 * (each record delivered). The Reactor adapters and the raw ring API sit side by side on these cores.
 * Imports the section and waiting layers.
 */
package io.aperture.internal.ring;
