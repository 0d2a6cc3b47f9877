package io.aperture;

/**
 * How a side waits for the other: for data (subscriber), for demand and for ring space (publisher).
 * Every strategy checks for close and cancel while it waits, and every wait ends at the liveness
 * interval so that a dead peer is noticed;
 * none makes a system call per message. Lock-based Disruptor strategies cannot cross processes and are not offered.
 */
public enum Waiting {
    /** Spin on the counter: lowest latency, burns a core while idle. Only for pinned, dedicated cores. */
    BUSY_SPIN,
    /** Spin briefly, then {@code Thread.yield()}: low latency, still burns a core while idle. */
    YIELDING,
    /** Spin, then yield, then park with exponential backoff up to 1 ms: low CPU when idle, wake-up within 1 ms. */
    BACKOFF,
    /**
     * Bounded spin, then sleep until the peer wakes this side (default): a futex on a 32-bit word of the
     * peer's section on Linux, so an idle side uses no CPU and wakes in microseconds; the peer makes the
     * wake system call only when this side announced itself parked. Elsewhere: timed parking.
     */
    BLOCKING;
}
