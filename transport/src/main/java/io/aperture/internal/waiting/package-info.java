/**
 * Waiting across processes: the futex parking spots in the sections, the waker that wakes a parked peer only when it
 * announced itself parked, and the wait strategies behind {@link io.aperture.Waiting}. Imports only the section
 * layer.
 */
package io.aperture.internal.waiting;
