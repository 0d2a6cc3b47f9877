package io.aperture;

import io.aperture.internal.waiting.Backoff;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The one back-off of the polling waits: steps that double up to a ceiling, and start again on reset. */
class BackoffTest {
    @Test
    void shouldDoubleEachStepUpToTheCeiling() {
        Backoff backoff = new Backoff(1_000L, 5_000L);
        assertThat(backoff.stepNs()).isEqualTo(1_000L);
        backoff.park(this, 0L); // a deadline already passed: no wait, the step still grows
        assertThat(backoff.stepNs()).isEqualTo(2_000L);
        backoff.park(this, 0L);
        assertThat(backoff.stepNs()).isEqualTo(4_000L);
        backoff.park(this, 0L);
        assertThat(backoff.stepNs()).isEqualTo(5_000L);
        backoff.park(this, 0L);
        assertThat(backoff.stepNs()).isEqualTo(5_000L);
        backoff.reset();
        assertThat(backoff.stepNs()).isEqualTo(1_000L);
    }

    @Test
    void shouldRefuseStepsThatCannotGrow() {
        assertThatThrownBy(() -> new Backoff(0L, 10L)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Backoff(10L, 5L)).isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("10 to 5");
    }
}
