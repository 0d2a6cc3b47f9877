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

    /**
     * A new strategy for a wait that no peer's counter can end, only a stop condition or the deadline (the publisher's
     * conductor with all demand requested upstream): under {@link Waiting#BLOCKING} it sleeps without announcing
     * itself ({@link FutexWaitStrategy#stopOnly}); the other choices wait as {@link #of} does.
     */
    public static WaitStrategy stopOnly(Waiting waiting, ParkingSpot spot) {
        return waiting == Waiting.BLOCKING ? FutexWaitStrategy.stopOnly(spot) : of(waiting, spot);
    }
}
