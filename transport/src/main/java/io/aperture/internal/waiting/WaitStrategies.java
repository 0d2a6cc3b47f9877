package io.aperture.internal.waiting;

import com.lmax.disruptor.BusySpinWaitStrategy;
import com.lmax.disruptor.WaitStrategy;
import com.lmax.disruptor.YieldingWaitStrategy;
import io.aperture.Waiting;

/** The wait strategy behind each public {@link Waiting} choice. */
public final class WaitStrategies {
    private WaitStrategies() {
    }

    /**
     * A new strategy for one waiting side.
     *
     * @param spot where this side announces itself parked and is woken; used by {@link Waiting#BLOCKING} only
     */
    public static WaitStrategy of(Waiting waiting, ParkingSpot spot) {
        return switch (waiting) {
            case BUSY_SPIN -> new BusySpinWaitStrategy();
            case YIELDING -> new YieldingWaitStrategy();
            case BACKOFF -> new BackoffWaitStrategy(BackoffWaitStrategy.DEFAULT_SPINS, BackoffWaitStrategy.DEFAULT_YIELDS,
                BackoffWaitStrategy.DEFAULT_MAX_PARK_NS);
            case BLOCKING -> new FutexWaitStrategy(spot, FutexWaitStrategy.DEFAULT_SPIN_NS, FutexWaitStrategy.DEFAULT_YIELDS,
                FutexWaitStrategy.MAX_SLEEP_NS, spot.singleWaiter());
        };
    }
}
