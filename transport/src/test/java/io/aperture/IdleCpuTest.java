package io.aperture;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

/**
 * CPU used by an idle channel: this JVM publishes {@code Flux.never()}, a second JVM subscribes with
 * unbounded demand, and nothing flows for {@link #WINDOW}. With the default {@link Waiting#BLOCKING} both
 * sides sleep on futexes between housekeeping beats; with {@link Waiting#BUSY_SPIN} the subscriber burns
 * a core, which shows the measurement can fail.
 *
 * <p>The subject here is a stretch of wall-clock time, so the test holds for it with a timed join on the
 * child (which also notices a child that dies meanwhile); it synchronises on nothing by sleeping: the
 * subscriber is awaited through its "attached" line.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class IdleCpuTest {
    private static final Duration WAIT = Duration.ofSeconds(30);
    /** After attaching: the child's JIT compiles the wait loops and its startup work ends. */
    private static final Duration SETTLE = Duration.ofSeconds(1);
    private static final Duration WINDOW = Duration.ofSeconds(5);

    private final Path directory = TestDirectories.create();
    private final Aperture aperture = Aperture.create(directory);
    private final List<ChildJvm> children = new ArrayList<>();
    private Disposable publishing;

    @AfterEach
    void tearDown() {
        if (publishing != null) {
            publishing.dispose(); // the subscriber sees the channel closed, removes its section and exits
        }
        children.forEach(c -> c.awaitExit(WAIT));
        children.forEach(ChildJvm::close);
        try {
            Await.noApertureThreads(Duration.ofSeconds(10));
            Await.until(() -> TestDirectories.files(directory).isEmpty(), Duration.ofSeconds(10),
                () -> "files left: " + TestDirectories.files(directory));
        } finally {
            TestDirectories.delete(directory);
        }
    }

    @Test
    void shouldUseUnderHalfASecondOfCpuInFiveIdleSecondsWithBlockingWaits() {
        IdleCpu idle = measureIdle("idle-blocking", Waiting.BLOCKING);

        System.out.println("idle " + WINDOW.toSeconds() + " s, BLOCKING: subscriber process " + idle.subscriberMs
            + " ms CPU, publisher conductor thread " + idle.conductorMs + " ms CPU");
        assertThat(idle.subscriberMs).as("subscriber process CPU ms in %s idle", WINDOW).isLessThan(500);
        assertThat(idle.conductorMs).as("publisher conductor CPU ms in %s idle", WINDOW).isLessThan(250);
    }

    @Test
    void shouldBurnACoreWhileIdleWithBusySpin() {
        IdleCpu idle = measureIdle("idle-spin", Waiting.BUSY_SPIN);

        System.out.println("idle " + WINDOW.toSeconds() + " s, BUSY_SPIN subscriber: subscriber process "
            + idle.subscriberMs + " ms CPU, publisher (BLOCKING) conductor thread " + idle.conductorMs + " ms CPU");
        // About 5 s on a free core; at least half of it even when the machine's two cores are shared.
        assertThat(idle.subscriberMs).as("subscriber process CPU ms in %s idle", WINDOW).isGreaterThanOrEqualTo(2_500);
    }

    private IdleCpu measureIdle(String channel, Waiting subscriberWaiting) {
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        assumeThat(threads.isCurrentThreadCpuTimeSupported()).as("thread CPU time").isTrue();
        AtomicLong upstreamRequested = new AtomicLong();
        publishing = aperture.publisher(channel, Codecs.longs())
            .publish(Flux.<Long>never().doOnRequest(upstreamRequested::addAndGet))
            .subscribe();
        ChildJvm subscriber = ChildJvm.start("receive-idle", directory, channel, subscriberWaiting);
        children.add(subscriber);
        subscriber.awaitLineStartingWith("attached", WAIT);
        long conductor = conductorThreadId(channel);
        // The publisher attached and forwarded the subscriber's demand (its window) upstream: both sides run.
        Await.until(() -> upstreamRequested.get() > 0, WAIT, () -> "publisher forwarded demand upstream");

        assertThat(subscriber.aliveAfter(SETTLE)).as("subscriber alive after settling").isTrue();
        long subscriberStartNs = subscriber.cpuTime().toNanos();
        long conductorStartNs = threads.getThreadCpuTime(conductor);
        assertThat(subscriber.aliveAfter(WINDOW)).as("subscriber alive through the idle window").isTrue();
        long subscriberNs = subscriber.cpuTime().toNanos() - subscriberStartNs;
        long conductorNs = threads.getThreadCpuTime(conductor) - conductorStartNs;
        assertThat(conductorStartNs).as("conductor CPU time readable").isNotNegative();
        return new IdleCpu(subscriberNs / 1_000_000L, conductorNs / 1_000_000L);
    }

    private static long conductorThreadId(String channel) {
        Thread conductor = Thread.getAllStackTraces().keySet().stream()
            .filter(t -> t.getName().equals("aperture-pub-" + channel))
            .findFirst()
            .orElseThrow(() -> new AssertionError("no conductor thread aperture-pub-" + channel));
        return conductor.getId();
    }

    private static final class IdleCpu {
        final long subscriberMs;
        final long conductorMs;

        IdleCpu(long subscriberMs, long conductorMs) {
            this.subscriberMs = subscriberMs;
            this.conductorMs = conductorMs;
        }
    }
}
