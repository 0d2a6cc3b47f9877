package io.aperture;

import com.lmax.disruptor.BusySpinWaitStrategy;
import com.lmax.disruptor.WaitStrategy;
import com.lmax.disruptor.YieldingWaitStrategy;

/**
 * How a side waits for the other: for data (subscriber), for demand and for ring space (publisher).
 * Every strategy checks for close, cancel and a dead peer while it waits; none makes a system call per
 * message. Lock-based Disruptor strategies cannot cross processes and are not offered.
 */
public enum Waiting {
    /** Spin on the counter: lowest latency, burns a core while idle. Only for pinned, dedicated cores. */
    BUSY_SPIN {
        @Override
        WaitStrategy newStrategy() {
            return new BusySpinWaitStrategy();
        }
    },
    /** Spin briefly, then {@code Thread.yield()}: low latency, still burns a core while idle. */
    YIELDING {
        @Override
        WaitStrategy newStrategy() {
            return new YieldingWaitStrategy();
        }
    },
    /** Spin, then yield, then park with exponential backoff up to 1 ms: near-zero CPU when idle (default). */
    BACKOFF {
        @Override
        WaitStrategy newStrategy() {
            return new BackoffWaitStrategy(BackoffWaitStrategy.DEFAULT_SPINS, BackoffWaitStrategy.DEFAULT_YIELDS,
                BackoffWaitStrategy.DEFAULT_MAX_PARK_NS);
        }
    };

    abstract WaitStrategy newStrategy();
}
