package io.aperture;

import com.lmax.disruptor.AlertException;
import com.lmax.disruptor.Sequence;
import io.aperture.internal.ring.RingSequencer;
import io.aperture.internal.waiting.BackoffWaitStrategy;
import org.junit.jupiter.api.Test;

import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A producer that nobody gates (no subscriber left) and that should stop is told so within one ring: with no
 * gating sequence the ring never fills, so without the check a synchronous source would write on for ever.
 */
class RingSequencerStopTest {
    private static final int SLOTS = 16;

    @Test
    void shouldStopAProducerThatNobodyGatesOnceItShouldStop() throws Exception {
        AtomicBoolean stop = new AtomicBoolean();
        RingSequencer sequencer = new RingSequencer(SLOTS, new BackoffWaitStrategy(1, 1, 1_000), stop::get);
        Sequence reader = new Sequence(-1L);
        sequencer.addGatingSequences(reader);
        sequencer.removeGatingSequence(reader); // the last subscriber left
        stop.set(true);
        long claimed = 0;
        while (sequencer.freeSlots() > 0 && claimed < 10L * SLOTS) {
            sequencer.claim(sequencer.nextValue() + 1);
            claimed++;
        }
        assertThat(claimed).as("slots claimed after the stop").isLessThanOrEqualTo(SLOTS);
        assertThatThrownBy(() -> sequencer.awaitFree(1, System.nanoTime() + 1_000_000_000L))
            .isInstanceOf(AlertException.class);
    }

    @Test
    void shouldLetAProducerThatNobodyGatesWriteWhileItNeedNotStop() throws Exception {
        RingSequencer sequencer = new RingSequencer(SLOTS, new BackoffWaitStrategy(1, 1, 1_000), () -> false);
        for (int i = 0; i < 10 * SLOTS; i++) {
            assertThat(sequencer.freeSlots()).isPositive();
            sequencer.claim(sequencer.nextValue() + 1);
        }
        sequencer.awaitFree(1, System.nanoTime() + 1_000_000_000L); // returns: nobody gates, nothing to wait for
    }
}
