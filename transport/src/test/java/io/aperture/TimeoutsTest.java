package io.aperture;

import io.aperture.internal.section.ChannelFiles;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import reactor.core.publisher.Flux;
import reactor.test.StepVerifier;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.temporal.ChronoUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** The publisher's bound for its first subscriber, and timeouts that last forever. */
@Timeout(60)
class TimeoutsTest {
    private final Path directory = TestDirectories.create();
    private final Aperture aperture = Aperture.create(directory, ChannelOptions.defaults().withRingCapacity(1 << 14)
        .withWaiting(Waiting.BACKOFF));

    @AfterEach
    void tearDown() {
        TestDirectories.delete(directory);
    }

    @Test
    void shouldFailThePublishWhenNoSubscriberCameWithinTheBound() {
        ChannelOptions options = aperture.defaults().withFirstSubscriberTimeout(Duration.ofMillis(200));

        StepVerifier.create(aperture.publisher("lonely", Codecs.longs(), options).publish(Flux.just(1L, 2L)))
            .expectErrorSatisfies(e -> assertThat(e).isInstanceOf(ApertureException.class)
                .hasMessageContaining("channel 'lonely'").hasMessageContaining("no subscriber within 200 ms"))
            .verify(Duration.ofSeconds(20));
        assertThat(Files.exists(ChannelFiles.ringPath(directory, "lonely"))).as("ring removed").isFalse();
    }

    @Test
    void shouldWaitForeverForTheFirstSubscriberByDefault() {
        assertThat(ChannelOptions.defaults().firstSubscriberTimeout()).isEqualTo(ChannelOptions.FOREVER);
        assertThat(ChannelOptions.isForever(ChannelOptions.defaults().firstSubscriberTimeoutNanos())).isTrue();
    }

    @Test
    void shouldTakeForeverAsAnAttachTimeout() {
        ChannelOptions forever = aperture.defaults().withAttachTimeout(ChronoUnit.FOREVER.getDuration());
        assertThat(ChannelOptions.isForever(forever.attachTimeoutNanos())).isTrue();
        assertThat(ChannelOptions.describe(forever.attachTimeoutNanos())).isEqualTo("forever");

        // The subscriber comes first and waits for the publisher without a deadline.
        Flux<Long> received = aperture.subscriber("later", Codecs.longs(), forever).receive();
        StepVerifier.create(received)
            .then(() -> aperture.publisher("later", Codecs.longs()).publish(Flux.range(0, 100).map(i -> (long) i))
                .subscribe())
            .expectNextCount(100)
            .verifyComplete();
    }

    @Test
    void shouldRefuseNegativeTimeouts() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> ChannelOptions.defaults()
                .withFirstSubscriberTimeout(Duration.ofMillis(-1)))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("first subscriber timeout");
    }
}
