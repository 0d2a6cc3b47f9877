/**
 * Sections: the mapped files of a channel (creation by temporary name and link, read-only mapping of the peer's
 * file, double mapping of the slot area, removal of what a dead process left), their byte layouts (the
 * {@code *Descriptor} classes, with the ordered accessors of {@code RingHeader} and {@code SubscriberLink}) and the
 * liveness of the process that owns each one. The lowest layer: it imports no other internal package.
 */
package io.aperture.internal.section;
