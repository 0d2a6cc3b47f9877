package io.aperture;

import io.aperture.internal.waiting.SpinBudget;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The adaptive spin of {@link Waiting#BLOCKING}: kept while it pays, halved to nothing while it does not. */
class SpinBudgetTest {
    private static final long MAX = 10_000L;

    @Test
    void shouldStartWithTheWholeBudget() {
        SpinBudget b = new SpinBudget(MAX, 20);
        assertThat(b.spinNs()).isEqualTo(MAX);
        assertThat(b.yields()).isEqualTo(20);
    }

    @Test
    void shouldHalveToNothingWhileWaitsSleepAndProbeWithTheWholeBudgetEverySixteenthWait() {
        SpinBudget b = new SpinBudget(MAX, 20);
        long[] expected = {5_000, 2_500, 1_250, 625, 0, 0};
        for (long e : expected) {
            b.slept(490_000); // a message every 500 µs: the spin never caught one
            assertThat(b.budgetNs()).isEqualTo(e);
        }
        int probes = 0;
        for (int wait = 0; wait < 64; wait++) {
            b.begin();
            if (b.spinNs() == MAX) {
                probes++;
                assertThat(b.yields()).isEqualTo(20);
            } else {
                assertThat(b.spinNs()).isZero();
                assertThat(b.yields()).isZero();
            }
            b.slept(490_000);
        }
        assertThat(probes).isEqualTo(64 / SpinBudget.PROBE_EVERY);
    }

    @Test
    void shouldKeepTheBudgetThroughShortSleeps() {
        SpinBudget b = new SpinBudget(MAX, 20);
        for (int i = 0; i < 100; i++) {
            b.slept(30_000); // a futex wake-up on a loaded machine, in a ping-pong: says nothing about the spin
        }
        b.begin();
        assertThat(b.spinNs()).isEqualTo(MAX);
        b.slept(SpinBudget.LONG_SLEEP_NS);
        assertThat(b.budgetNs()).isEqualTo(MAX / 2);
    }

    @Test
    void shouldRestoreTheWholeBudgetWhenAWaitEndsWhileSpinning() {
        SpinBudget b = new SpinBudget(MAX, 20);
        b.slept(Long.MAX_VALUE); // ended by its deadline: idle
        b.slept(Long.MAX_VALUE);
        b.begin();
        assertThat(b.spinNs()).isEqualTo(2_500);
        assertThat(b.yields()).isEqualTo(5);
        b.caught(); // messages back to back again: a probe (or any wait) caught one
        b.begin();
        assertThat(b.spinNs()).isEqualTo(MAX);
        assertThat(b.yields()).isEqualTo(20);
    }

    @Test
    void shouldKeepANoSpinBudgetAsIs() {
        SpinBudget b = new SpinBudget(0, 3);
        b.slept(Long.MAX_VALUE);
        b.begin();
        assertThat(b.spinNs()).isZero();
        assertThat(b.yields()).isEqualTo(3);
        assertThatThrownBy(() -> new SpinBudget(-1, 0)).isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("-1");
    }
}
