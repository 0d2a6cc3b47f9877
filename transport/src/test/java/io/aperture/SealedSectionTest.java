package io.aperture;

import io.aperture.inspect.ChannelInspector;
import io.aperture.inspect.ChannelSnapshot;
import io.aperture.internal.section.ChannelFiles;
import io.aperture.internal.section.SealedMemory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Sections made of sealed memory ({@link ChannelOptions.Sections#SEALED}, the default on Linux), across real
 * processes: no process can truncate or grow them, the stream goes on unharmed when one tries, a dead owner's name is
 * known dead at once (never a wait for the attach timeout), and the next publisher or {@code clean} removes it.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class SealedSectionTest {
    private final Path directory = TestDirectories.create();
    private ChildJvm publisher;
    private ChildJvm subscriber;

    @BeforeEach
    void sealedMemoryHere() {
        assumeTrue(SealedMemory.AVAILABLE, "this system cannot make sealed memory (memfd_create with sealing)");
    }

    @AfterEach
    void tearDown() {
        try {
            if (publisher != null) {
                publisher.close();
            }
            if (subscriber != null) {
                subscriber.close();
            }
        } finally {
            TestDirectories.delete(directory);
        }
    }

    /** A publisher and a subscriber, each in its own JVM with sealed sections, once the stream flows. */
    private void startFlowing(String channel) {
        publisher = ChildJvm.startWithSections(ChannelOptions.Sections.SEALED, "publish-endless", directory, channel);
        subscriber = ChildJvm.startWithSections(ChannelOptions.Sections.SEALED, "receive-report", directory, channel);
        subscriber.awaitLine("flowing"::equals, Duration.ofSeconds(60));
    }

    @Test
    void shouldRefuseEveryTruncationAndGrowthAndKeepTheStreamFlowing() throws Exception {
        String channel = "sealed-truncation";
        startFlowing(channel);

        for (Path section : List.of(ChannelFiles.ringPath(directory, channel),
            ChannelFiles.subscriberPath(directory, channel, 0))) {
            assertThat(Files.isSymbolicLink(section)).as("%s is a link to sealed memory", section).isTrue();
            long length = Files.size(section);
            for (long to : new long[] {0, length / 2}) {
                try (FileChannel open = FileChannel.open(section, StandardOpenOption.WRITE)) {
                    assertThatThrownBy(() -> open.truncate(to)).as("truncating %s to %d", section, to)
                        .isInstanceOf(IOException.class).hasMessageContaining("not permitted");
                }
            }
            try (RandomAccessFile file = new RandomAccessFile(section.toFile(), "rw")) {
                assertThatThrownBy(() -> file.setLength(length * 2)).as("growing %s", section)
                    .isInstanceOf(IOException.class);
            }
            assertThat(Files.size(section)).as("%s keeps its length", section).isEqualTo(length);
        }

        // The stream is unharmed: the ring's published count goes on growing, and neither side has ended.
        ChannelInspector inspector = ChannelInspector.open(directory);
        long before = inspector.snapshot(channel).published();
        Await.until(() -> inspector.snapshot(channel).published() >= before + 100_000, Duration.ofSeconds(60),
            () -> "published stayed near " + before + "; subscriber: " + subscriber.lines());
        assertThat(subscriber.isAlive()).as("subscriber; its output: %s", subscriber.lines()).isTrue();
        assertThat(subscriber.lines()).noneMatch(line -> line.startsWith("error "));
    }

    @Test
    void shouldSayAtOnceThatASealedRingsPublisherIsGoneAndLetTheNextPublisherTakeTheName() throws Exception {
        String channel = "sealed-dead-publisher";
        startFlowing(channel);
        long pid = publisher.pid();
        publisher.close(); // kill -9
        assertThat(subscriber.awaitLine(line -> line.startsWith("error ") || line.startsWith("complete"),
            Duration.ofSeconds(30))).startsWith("error ");
        subscriber.awaitExit(Duration.ofSeconds(30));

        Path ring = ChannelFiles.ringPath(directory, channel);
        assertThat(Files.isSymbolicLink(ring)).as("the dead publisher's link is left").isTrue();
        assertThat(Files.exists(ring)).as("the link dangles: the memory went with its process").isFalse();

        Aperture aperture = Aperture.create(directory, ChannelOptions.defaults().withAttachTimeout(Duration.ofSeconds(30)));
        long started = System.nanoTime();
        assertThatThrownBy(() -> aperture.subscriber(channel, Codecs.longs()).receive().blockLast(Duration.ofSeconds(60)))
            .isInstanceOf(ApertureException.class)
            .hasMessageContaining("pid " + pid).hasMessageContaining("no longer running");
        assertThat(Duration.ofNanos(System.nanoTime() - started)).as("said at once, not after the attach timeout")
            .isLessThan(Duration.ofSeconds(10));

        ChannelSnapshot dead = ChannelInspector.open(directory).snapshot(channel);
        assertThat(dead.publisherPid()).isEqualTo(pid);
        assertThat(dead.publisherAlive()).isFalse();

        // The next publisher removes the dangling name and serves the channel.
        Disposable published = aperture.publisher(channel, Codecs.longs()).publish(Flux.range(0, 100).map(i -> (long) i))
            .subscribe();
        try {
            List<Long> got = aperture.subscriber(channel, Codecs.longs()).receive().take(100)
                .collectList().block(Duration.ofSeconds(60));
            assertThat(got).hasSize(100).startsWith(0L, 1L, 2L).endsWith(99L);
        } finally {
            published.dispose();
        }
    }

    @Test
    void shouldCleanTheDanglingLinksOfDeadOwnersAndNeverALiveOne() throws Exception {
        String channel = "sealed-clean";
        startFlowing(channel);
        ChannelInspector inspector = ChannelInspector.open(directory);
        assertThat(inspector.clean(false)).singleElement().satisfies(d -> assertThat(d.removed()).isFalse());

        subscriber.close(); // kill -9
        publisher.close(); // kill -9
        publisher.awaitExit(Duration.ofSeconds(30));
        subscriber.awaitExit(Duration.ofSeconds(30));
        Path ring = ChannelFiles.ringPath(directory, channel);
        Path sub = ChannelFiles.subscriberPath(directory, channel, 0);
        assertThat(Files.isSymbolicLink(ring) && Files.isSymbolicLink(sub)).as("both links left").isTrue();

        assertThat(inspector.clean(false)).singleElement().satisfies(d -> {
            assertThat(d.removed()).as("decision %s", d).isTrue();
            assertThat(d.files()).contains(ring, sub);
        });
        assertThat(ChannelFiles.present(ring) || ChannelFiles.present(sub)).as("links removed").isFalse();
    }

    @Test
    void shouldTakeALinkWhoseDescriptorNowHoldsSomethingElseForAnOwnerThatIsGone() throws Exception {
        // The form of a sealed section's link, but the descriptor (this JVM's standard input) is no Aperture memory:
        // as after the owner closed its section and reused the number, or died and its pid was reused.
        String channel = "reused-descriptor";
        long pid = ProcessHandle.current().pid();
        Files.createSymbolicLink(ChannelFiles.ringPath(directory, channel), ChannelFiles.sealedLinkTarget(pid, 0));
        Aperture aperture = Aperture.create(directory, ChannelOptions.defaults().withAttachTimeout(Duration.ofSeconds(30)));
        long started = System.nanoTime();
        assertThatThrownBy(() -> aperture.subscriber(channel, Codecs.longs()).receive().blockLast(Duration.ofSeconds(60)))
            .isInstanceOf(ApertureException.class).hasMessageContaining("pid " + pid)
            .hasMessageContaining("no longer holds it");
        assertThat(Duration.ofNanos(System.nanoTime() - started)).as("said at once, not after the attach timeout")
            .isLessThan(Duration.ofSeconds(10));
        assertThat(ChannelInspector.open(directory).clean(false)).singleElement()
            .satisfies(d -> assertThat(d.removed()).as("decision %s", d).isTrue());
    }

    @Test
    void shouldRefuseALinkThatLeadsAnywhereButASealedSection() throws Exception {
        Path target = directory.resolve("not-a-section");
        Files.write(target, new byte[8192]);
        String channel = "planted-link";
        Files.createSymbolicLink(ChannelFiles.ringPath(directory, channel), target);
        Aperture aperture = Aperture.create(directory, ChannelOptions.defaults().withAttachTimeout(Duration.ofSeconds(2)));
        assertThatThrownBy(() -> aperture.subscriber(channel, Codecs.longs()).receive().blockLast(Duration.ofSeconds(30)))
            .isInstanceOf(ApertureException.class).hasMessageContaining(channel + ".ring")
            .hasMessageContaining("not to a sealed section");
    }
}
