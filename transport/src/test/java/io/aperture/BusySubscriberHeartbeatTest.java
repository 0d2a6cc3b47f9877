package io.aperture;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import reactor.core.publisher.Flux;

import io.aperture.internal.section.ChannelFiles;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A subscriber that is never idle (every poll reads a record: the publisher keeps a demand window of records ahead of
 * it, and its downstream works 1 ms on each) still beats its heartbeat: a publisher with a heartbeat timeout must not
 * take it for hung. Across processes: a publisher checks the heartbeat of subscribers in other processes only.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class BusySubscriberHeartbeatTest {
    private final Path directory = TestDirectories.create();
    private final Aperture aperture = Aperture.create(directory, ChannelOptions.defaults()
        .withAttachTimeout(Duration.ofSeconds(20)).withHeartbeatTimeout(Duration.ofMillis(300)));
    private ChildJvm subscriber;

    @AfterEach
    void tearDown() {
        try {
            if (subscriber != null) {
                subscriber.close();
            }
            Await.noApertureThreads(Duration.ofSeconds(20));
        } finally {
            TestDirectories.delete(directory);
        }
    }

    @Test
    void shouldKeepABusySubscriberAliveForAPublisherWithAHeartbeatTimeout() throws Exception {
        CompletableFuture<PublishReport> report = aperture.publisher("busy", Codecs.longs())
            .publishReport(Flux.generate(() -> 0L, (i, sink) -> {
                sink.next(i);
                return i + 1;
            })).toFuture();
        subscriber = ChildJvm.start("receive-slow", directory, "busy", 1); // 1 ms of work per element
        Await.until(() -> Files.exists(ChannelFiles.subscriberPath(directory, "busy", 0)), Duration.ofSeconds(30),
            () -> "the subscriber's section");
        // The subject is a stretch of time: five heartbeat timeouts of a subscriber that is busy all along.
        assertThat(subscriber.aliveAfter(Duration.ofMillis(1_500))).as("still receiving; its output: %s", subscriber.lines())
            .isTrue();
        assertThat(report).as("the publisher still serves its only subscriber").isNotDone();
        subscriber.close(); // kill -9: now it is dead, and found so by its lock
        PublishReport ended = report.get(30, TimeUnit.SECONDS);
        assertThat(ended.subscribers()).singleElement().satisfies(end -> {
            assertThat(end.kind()).as("%s", end).isEqualTo(SubscriberEnd.Kind.DIED);
            assertThat(end.detail()).as("%s", end).doesNotContain("hung").contains("died");
        });
    }
}
