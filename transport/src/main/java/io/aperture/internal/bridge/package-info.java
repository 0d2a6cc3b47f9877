/**
 * The Reactor bridge: the publisher session (the source's subscriber and the publisher core's upstream) and the
 * subscriber session (the downstream's subscription and the subscriber core's downstream), thin adapters over the
 * ring layer's cores.
 */
package io.aperture.internal.bridge;
