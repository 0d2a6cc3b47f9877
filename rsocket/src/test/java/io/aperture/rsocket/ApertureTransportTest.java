package io.aperture.rsocket;

import io.aperture.Aperture;
import io.aperture.ChannelOptions;
import io.aperture.TestDirectories;
import io.aperture.Waiting;
import io.rsocket.test.TransportTest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Timeout;

import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * RSocket's own transport test kit ({@code io.rsocket.test.TransportTest} of rsocket-test, unmodified) over
 * Aperture rings: client and server in this JVM, every interaction model, large payloads, many streams at once.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
final class ApertureTransportTest implements TransportTest {
    private static final Path DIRECTORY = TestDirectories.create();
    private static final Aperture APERTURE = Aperture.create(DIRECTORY,
        ChannelOptions.defaults().withWaiting(Waiting.BLOCKING).withAttachTimeout(Duration.ofSeconds(30)));
    private static final AtomicInteger SERVERS = new AtomicInteger();

    private final TransportPair<String, io.rsocket.Closeable> pair = new TransportPair<>(
        () -> "rsocket-" + SERVERS.incrementAndGet(),
        (server, bound, allocator) -> ApertureClientTransport.create(APERTURE, server).withAllocator(allocator),
        (server, allocator) -> ApertureServerTransport.create(APERTURE, server).withAllocator(allocator));

    @AfterAll
    static void removeDirectory() {
        TestDirectories.delete(DIRECTORY);
    }

    @Override
    public Duration getTimeout() {
        return Duration.ofMinutes(2);
    }

    @Override
    public TransportPair<String, io.rsocket.Closeable> getTransportPair() {
        return pair;
    }
}
