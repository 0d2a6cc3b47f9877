/**
 * The Reactor bridge: the publisher session (the upstream's subscriber, admission, demand, the conductor) and the
 * subscriber session (the downstream's subscription, the drain thread) over the ring's cores.
 */
package io.aperture.internal.bridge;
