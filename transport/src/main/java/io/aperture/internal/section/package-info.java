/**
 * Sections: how a channel's sections come to exist ({@code SectionStore}: sealed memory named by a link, or a file
 * made under a temporary name and linked), the read-only mapping of the peer's section, double mapping of the slot
 * area, removal of what a dead process left, their byte layouts (the {@code *Descriptor} classes, with the ordered
 * accessors of {@code RingHeader} and {@code SubscriberLink}) and the liveness of the process that owns each one.
 * The lowest layer: it imports no other internal package.
 */
package io.aperture.internal.section;
