package io.aperture;

import io.aperture.internal.section.ChannelFiles;
import io.aperture.internal.section.SubscriberDescriptor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import reactor.core.publisher.Flux;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The publishing side learns how each subscriber's part ended ({@link ChannelPublisher#publishReport}): subscribers
 * in child JVMs that refuse the channel (another codec), cancel, fail to decode, are killed, and read to the end.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class PublishReportTest {
    private static final Duration WITHIN = Duration.ofSeconds(60);

    private final Path directory = TestDirectories.create();
    private final Aperture aperture = Aperture.create(directory,
        ChannelOptions.defaults().withAttachTimeout(Duration.ofSeconds(30)));
    private final List<ChildJvm> children = new ArrayList<>();

    @AfterEach
    void tearDown() {
        try {
            children.forEach(ChildJvm::close);
            Await.noApertureThreads(Duration.ofSeconds(20));
        } finally {
            TestDirectories.delete(directory);
        }
    }

    private ChildJvm start(String role, Object... args) {
        Object[] all = new Object[args.length + 2];
        all[0] = directory;
        all[1] = "report";
        System.arraycopy(args, 0, all, 2, args.length);
        ChildJvm child = ChildJvm.start(role, all);
        children.add(child);
        return child;
    }

    @Test
    void shouldSayHowEachSubscriberEnded() throws Exception {
        AtomicBoolean finish = new AtomicBoolean();
        Flux<Long> source = Flux.generate(() -> 0L, (i, sink) -> {
            if (finish.get()) {
                sink.complete();
            } else {
                sink.next(i);
            }
            return i + 1;
        });
        CompletableFuture<PublishReport> reported = aperture.publisher("report", Codecs.longs())
            .publishReport(source).toFuture();

        ChildJvm reader = start("receive-all"); // reads to the end
        ChildJvm killed = start("receive-report");
        killed.awaitLine("flowing"::equals, WITHIN); // admitted: 10,000 values received
        ChildJvm refused = start("receive-utf8");
        assertThat(refused.awaitLineStartingWith("error ", WITHIN))
            .contains(IncompatibleChannelException.class.getSimpleName());
        ChildJvm canceller = start("receive-take", 5_000);
        assertThat(canceller.awaitLineStartingWith("received ", WITHIN)).startsWith("received 5000");
        ChildJvm failing = start("receive-decode-fail", 1_000);
        // It fails once the stream reaches the value it refuses to decode.
        assertThat(failing.awaitLineStartingWith("error ", WITHIN)).contains("is not welcome here");
        long killedPid = killed.pid();
        killed.close(); // kill -9
        assertThat(refused.awaitExit(WITHIN)).isZero();
        assertThat(canceller.awaitExit(WITHIN)).isZero();
        assertThat(failing.awaitExit(WITHIN)).isZero();

        // The publisher finds the killed one dead (and removes its section), then the source completes.
        Await.until(() -> !hasSectionOfQuietly(killedPid), WITHIN, () -> "the killed subscriber's section removed");
        finish.set(true);
        PublishReport report = reported.get(WITHIN.toSeconds(), TimeUnit.SECONDS);
        assertThat(reader.awaitLineStartingWith("complete received ", WITHIN)).isNotNull();

        assertThat(report.channel()).isEqualTo("report");
        assertThat(report.published()).isGreaterThan(10_000L);
        assertThat(report.subscribers()).hasSize(5);
        assertThat(single(report, SubscriberEnd.Kind.REFUSED).detail())
            .contains("codec 'long'").contains("codec 'utf8'");
        assertThat(single(report, SubscriberEnd.Kind.REFUSED).pid()).isEqualTo(refused.pid());
        assertThat(single(report, SubscriberEnd.Kind.CANCELLED).pid()).isEqualTo(canceller.pid());
        SubscriberEnd failed = single(report, SubscriberEnd.Kind.FAILED);
        assertThat(failed.pid()).isEqualTo(failing.pid());
        assertThat(failed.detail()).contains("failed to decode").contains("record 1000 is not welcome here");
        assertThat(failed.delivered()).isBetween(0L, 999L);
        SubscriberEnd died = single(report, SubscriberEnd.Kind.DIED);
        assertThat(died.pid()).isEqualTo(killedPid);
        assertThat(died.detail()).isNotEmpty();
        assertThat(single(report, SubscriberEnd.Kind.COMPLETED).pid()).isEqualTo(reader.pid());
    }

    private boolean hasSectionOfQuietly(long pid) {
        try {
            return hasSectionOf(pid);
        } catch (java.io.IOException e) {
            return true; // looked at again
        }
    }

    /** Whether a subscriber section in the directory names {@code pid} as its owner. */
    private boolean hasSectionOf(long pid) throws java.io.IOException {
        for (int index = 0; index < 8; index++) {
            Path path = ChannelFiles.subscriberPath(directory, "report", index);
            try {
                java.nio.ByteBuffer section = java.nio.ByteBuffer.wrap(java.nio.file.Files.readAllBytes(path))
                    .order(java.nio.ByteOrder.nativeOrder());
                if (section.capacity() >= SubscriberDescriptor.LENGTH
                    && section.getLong(SubscriberDescriptor.PID_OFFSET) == pid) {
                    return true;
                }
            } catch (java.nio.file.NoSuchFileException e) {
                // not there (or removed meanwhile)
            }
        }
        return false;
    }

    private static SubscriberEnd single(PublishReport report, SubscriberEnd.Kind kind) {
        List<SubscriberEnd> ends = report.ended(kind);
        assertThat(ends).as("%s in %s", kind, report).hasSize(1);
        return ends.get(0);
    }
}
