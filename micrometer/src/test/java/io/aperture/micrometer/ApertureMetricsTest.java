package io.aperture.micrometer;

import io.aperture.Aperture;
import io.aperture.Await;
import io.aperture.ChannelOptions;
import io.aperture.ChildJvm;
import io.aperture.Codecs;
import io.aperture.TestDirectories;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import reactor.core.Disposable;

import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The meters of a channel whose publisher runs in a child JVM and whose subscriber runs here: they count what
 * crossed, and show the publisher's death when the child is killed.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ApertureMetricsTest {
    private final Path directory = TestDirectories.create();
    private final Aperture aperture = Aperture.create(directory,
        ChannelOptions.defaults().withAttachTimeout(Duration.ofSeconds(30)));
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private ChildJvm publisher;
    private Disposable receiving;

    @AfterEach
    void tearDown() {
        try {
            if (receiving != null) {
                receiving.dispose();
            }
            if (publisher != null) {
                publisher.close();
            }
            Await.noApertureThreads(Duration.ofSeconds(20));
        } finally {
            TestDirectories.delete(directory);
        }
    }

    private double gauge(String name, String... tags) {
        Gauge gauge = registry.find(name).tags(tags).gauge();
        assertThat(gauge).as("gauge %s %s in %s", name, String.join(",", tags), registry.getMetersAsString()).isNotNull();
        return gauge.value();
    }

    @Test
    void shouldMeasureAChannelAcrossProcessesAndShowThePublishersDeath() throws Exception {
        ApertureMetrics metrics = new ApertureMetrics(directory);
        metrics.bindTo(registry);
        assertThat(gauge("aperture.channels")).isZero();

        publisher = ChildJvm.start(io.aperture.ChannelPeer.class, "publish-endless", directory, "metered");
        CountDownLatch received = new CountDownLatch(10_000);
        receiving = aperture.subscriber("metered", Codecs.longs()).receive().limitRate(256)
            .subscribe(v -> received.countDown(), e -> { }); // it fails once the publisher is killed, as it should
        assertThat(received.await(60, TimeUnit.SECONDS)).isTrue();
        metrics.refresh();

        assertThat(gauge("aperture.channels")).isEqualTo(1);
        // Read from another process, the count may lag the ring's end by up to one lazy advance of the publisher's
        // position (a quarter ring: docs/tools.md), so it is checked for having moved, not against the 10,000 received.
        assertThat(gauge("aperture.channel.published", "channel", "metered")).isPositive();
        assertThat(gauge("aperture.channel.subscribers", "channel", "metered")).isEqualTo(1);
        assertThat(gauge("aperture.channel.publisher.alive", "channel", "metered")).isEqualTo(1);
        assertThat(gauge("aperture.subscriber.alive", "channel", "metered", "subscriber", "0")).isEqualTo(1);
        assertThat(gauge("aperture.subscriber.delivered", "channel", "metered", "subscriber", "0")).isPositive();
        assertThat(gauge("aperture.subscriber.lag", "channel", "metered", "subscriber", "0")).isNotNegative();
        assertThat(gauge("aperture.subscriber.outstanding", "channel", "metered", "subscriber", "0")).isNotNegative();

        long pid = publisher.pid();
        publisher.close(); // kill -9
        Await.until(() -> {
            metrics.refresh();
            return registry.find("aperture.channel.publisher.alive").tags("channel", "metered").gauge() == null
                || gauge("aperture.channel.publisher.alive", "channel", "metered") == 0;
        }, Duration.ofSeconds(30), () -> "publisher " + pid + " shown dead: " + registry.getMetersAsString());
    }
}
