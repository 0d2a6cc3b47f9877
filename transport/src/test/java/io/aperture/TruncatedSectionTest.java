package io.aperture;

import io.aperture.internal.section.ChannelFiles;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A ring truncated under a live mapping: reading it faults (SIGBUS). The JVM must not crash; the
 * subscriber's stream ends with {@link CorruptSectionException}.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class TruncatedSectionTest {
    private final Path directory = TestDirectories.create();
    private final Aperture aperture = Aperture.create(directory,
        ChannelOptions.defaults().withAttachTimeout(Duration.ofSeconds(30)));
    private ChildJvm publisher;

    @AfterEach
    void tearDown() {
        if (publisher != null) {
            publisher.close();
        }
        try {
            Await.noApertureThreads(Duration.ofSeconds(10));
        } finally {
            TestDirectories.delete(directory);
        }
    }

    @Test
    void shouldEndTheStreamWithCorruptSectionWhenTheRingIsTruncatedUnderTheMapping() throws Exception {
        publisher = ChildJvm.start("publish-endless", directory, "truncated");
        CountDownLatch flowing = new CountDownLatch(10_000);
        CompletableFuture<Void> done = aperture.subscriber("truncated", Codecs.longs()).receive()
            .doOnNext(v -> flowing.countDown())
            .then()
            .toFuture();
        assertThat(flowing.await(60, TimeUnit.SECONDS)).isTrue();

        Path ring = ChannelFiles.ringPath(directory, "truncated");
        try (FileChannel file = FileChannel.open(ring, StandardOpenOption.WRITE)) {
            file.truncate(0); // a hostile or buggy process with write access to the file
        }
        assertThat(Files.size(ring)).isZero();

        assertThat(done).failsWithin(Duration.ofSeconds(30)).withThrowableThat()
            .havingRootCause().isInstanceOf(CorruptSectionException.class)
            .withMessageContaining("inaccessible");
    }
}
