package io.aperture;

import io.aperture.micrometer.ApertureMetrics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static io.aperture.InteractionsDocsTest.assertDocHolds;
import static io.aperture.InteractionsDocsTest.snippet;
import static org.assertj.core.api.Assertions.assertThat;

/** Runs the snippet of docs/metrics.md as written (the page must hold exactly the text between the markers). */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class MetricsDocsTest {
    private final Path directory = TestDirectories.create();
    private final Aperture aperture = Aperture.create(directory, ChannelOptions.defaults().withWaiting(Waiting.BLOCKING));

    @AfterEach
    void tearDown() {
        TestDirectories.endCrossProcessTest(directory, List.of(), Duration.ofSeconds(20), true);
    }

    @Test
    void shouldRunTheSnippetOfTheMetricsPage() throws Exception {
        assertDocHolds("docs/metrics.md", snippet(Path.of("src/test/java/io/aperture/MetricsDocsTest.java"), "metrics"));
        Disposable publishing = aperture.publisher("prices", Codecs.longs())
            .publish(Flux.range(0, 1_000).map(Integer::longValue)).subscribe();
        Disposable receiving = aperture.subscriber("prices", Codecs.longs()).receive().take(100).subscribe();
        Await.until(receiving::isDisposed, Duration.ofSeconds(30), () -> "100 received");

        // snippet:metrics
        SimpleMeterRegistry registry = new SimpleMeterRegistry();      // or the application's MeterRegistry
        ApertureMetrics metrics = new ApertureMetrics(aperture.directory());
        metrics.bindTo(registry);
        metrics.refresh();                                             // before each scrape, or on a timer
        System.out.println(registry.getMetersAsString());
        // end-snippet:metrics

        assertThat(registry.find("aperture.channels").gauge()).isNotNull();
        publishing.dispose();
    }
}
