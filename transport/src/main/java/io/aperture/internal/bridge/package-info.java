/**
 * The Reactor bridge: the publisher session (the source's subscriber and the publisher core's upstream) and the
 * subscriber session (the downstream's subscription, the drain thread) over the ring layer.
 */
package io.aperture.internal.bridge;
