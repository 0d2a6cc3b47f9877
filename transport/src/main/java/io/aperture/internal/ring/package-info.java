/**
 * The ring: the writer core (claim, encode in place, commit by the header's release store, batch flush, wait for space)
 * and the reader core (a record-walking drain loop, validation in one place), with no Reactor in them. Imports the
 * section and waiting layers.
 */
package io.aperture.internal.ring;
