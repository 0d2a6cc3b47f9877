package io.aperture.stress;

import io.aperture.internal.section.OwnSubscriberSection;
import io.aperture.internal.section.RingDescriptor;
import io.aperture.internal.section.SubscriberDescriptor;
import io.aperture.internal.section.SubscriberLink;
import io.aperture.internal.waiting.ParkingSpot;
import io.aperture.internal.waiting.FutexWaitStrategy;
import io.aperture.internal.waiting.ShmBarrier;
import io.aperture.internal.waiting.Waker;
import com.lmax.disruptor.AlertException;
import com.lmax.disruptor.Sequence;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Description;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.II_Result;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

/**
 * The wait that only a stop can end ({@link FutexWaitStrategy#stopOnly}: the publisher's conductor with all demand requested
 * upstream), which announces nothing: the production steps before its sleep
 * ({@link FutexWaitStrategy#beforeStopOnlySleep}: the real {@link ParkingSpot} reads the subscriber's wake word, then
 * the barrier's stop condition checks the subscriber's cancel flag, as the conductor's does through
 * {@link SubscriberLink#cancelledIn}); the subscriber stores its cancel ({@link OwnSubscriberSection#storeCancelled}),
 * then bumps its wake word ({@link Waker#wakeAll()}), as its detach does. The waiter stops before its futex wait, which
 * compares against the value it read. r1: the check saw the cancel (the steps ended with the stop); r2: the value the
 * waiter would sleep on, -1 when it does not sleep.
 *
 * <p>Mutations that make it fail ({@code 0, 1}): {@code beforeStopOnlySleep} checks the stop condition before it reads
 * the wake word, or the subscriber bumps the word before it stores its cancel.
 */
@JCStressTest
@Description("Stop-only sleep: the waiter's stop check sees the cancel, or the value it sleeps on is already stale")
@Outcome(id = "1, -1", expect = ACCEPTABLE, desc = "the waiter saw the cancel: it does not sleep")
@Outcome(id = "0, 0", expect = ACCEPTABLE, desc = "the waiter missed the cancel; it sleeps on a stale value and returns at once")
@Outcome(id = "0, 1", expect = FORBIDDEN, desc = "lost wake-up: it missed the cancel and sleeps on the current value")
@State
public class ParkWakeStopOnlyStress {
    final ByteBuffer ring = StressSections.ringHeaderWords();
    final ByteBuffer subscriber = StressSections.subscriberWords();
    /** The publisher's read-only mapping of the subscriber's section. */
    final ByteBuffer subscriberSeen = subscriber.asReadOnlyBuffer().order(ByteOrder.nativeOrder());
    final ParkingSpot spot = new ParkingSpot(ring, RingDescriptor.PARKED_OFFSET,
        subscriberSeen, SubscriberDescriptor.WAKE_OFFSET, false);
    final Waker waker = new Waker(subscriber, SubscriberDescriptor.WAKE_OFFSET,
        RingDescriptor.PARKED_OFFSET);

    /** The conductor's stop condition, its remote part: the subscriber's cancel flag (acquire load). */
    final ShmBarrier barrier = new ShmBarrier(null, new Sequence(-1L), () -> SubscriberLink.cancelledIn(subscriberSeen));

    /** FutexWaitStrategy.stopOnly's steps before it sleeps: read the wake word, then check the stop condition. */
    @Actor
    public void waiter(II_Result r) {
        try {
            r.r2 = FutexWaitStrategy.beforeStopOnlySleep(spot, barrier);
            r.r1 = 0;
        } catch (AlertException stopped) {
            r.r1 = 1;
            r.r2 = -1;
        }
    }

    /** SubscriberCore's detach: the cancel stored, then the wake word bumped and its sleepers woken. */
    @Actor
    public void subscriber() {
        // Release store of the cancel flag.
        OwnSubscriberSection.storeCancelled(subscriber);
        // Volatile store of wake + 1 (under the section's lock), then futex_wake.
        waker.wakeAll();
    }
}
