package io.aperture;

import io.aperture.internal.section.ChannelFiles;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Sections made of files ({@link ChannelOptions.Sections#FILES}, where sealed memory is unavailable or not chosen):
 * a third process of the same user truncates a live section file (the ring, or the subscriber's section) to zero
 * or to half its length, under both peers' mappings: a later access to a page past the new end faults (SIGBUS).
 * Neither JVM may crash or hang: the publisher and the subscriber, each in its own JVM, end with a
 * {@link CorruptSectionException} that names the truncated file (the publisher that loses its only subscriber to
 * the damage may instead end as a publisher whose subscribers are gone).
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class TruncatedSectionTest {
    private static final Duration END_WITHIN = Duration.ofSeconds(30);
    /** Trials per case: {@code -Daperture.truncationTrials} (1 in the build). */
    private static final int TRIALS = Integer.getInteger("aperture.truncationTrials", 1);

    private final Path directory = TestDirectories.create();
    private ChildJvm publisher;
    private ChildJvm subscriber;

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

    @ParameterizedTest(name = "{0} truncated to {1} of its length")
    @CsvSource({"ring, 0", "ring, 0.5", "subscriber, 0", "subscriber, 0.5"})
    void shouldEndBothSidesWithCorruptSectionWhenASectionIsTruncatedUnderTheirMappings(String target, double fraction)
        throws Exception {
        for (int trial = 0; trial < TRIALS; trial++) {
            trial(target, fraction, "truncated-" + target + "-" + (int) (fraction * 100) + "-" + trial);
            publisher.close();
            subscriber.close();
        }
    }

    private void trial(String target, double fraction, String channel) throws Exception {
        // Files: a sealed section (the default on Linux) cannot be truncated at all (SealedSectionTest).
        publisher = ChildJvm.startWithSections(ChannelOptions.Sections.FILES, "publish-endless", directory, channel);
        subscriber = ChildJvm.startWithSections(ChannelOptions.Sections.FILES, "receive-report", directory, channel);
        subscriber.awaitLine("flowing"::equals, Duration.ofSeconds(60));

        Path file = target.equals("ring") ? ChannelFiles.ringPath(directory, channel)
            : ChannelFiles.subscriberPath(directory, channel, 0);
        long length = Files.size(file);
        try (FileChannel open = FileChannel.open(file, StandardOpenOption.WRITE)) {
            open.truncate((long) (length * fraction)); // a hostile or buggy process with write access to the file
        }

        String subscriberEnd;
        try {
            subscriberEnd = subscriber.awaitLine(l -> l.startsWith("error ") || l.startsWith("complete"), END_WITHIN);
        } catch (AssertionError e) {
            throw new AssertionError(e.getMessage() + "\nthe publisher's output: " + publisher.lines()
                + "\nand threads:\n" + publisher.threadDump(), e);
        }
        assertThat(subscriberEnd).startsWith("error " + CorruptSectionException.class.getName())
            .contains(file.getFileName().toString());
        assertThat(subscriber.awaitExit(END_WITHIN)).as("subscriber exit code; its output: %s", subscriber.lines())
            .isZero();

        int publisherExit = publisher.awaitExit(END_WITHIN);
        assertThat(String.join("\n", publisher.lines())).doesNotContain("fatal error");
        if (target.equals("ring")) {
            assertThat(publisherExit).as("publisher exit code; its output: %s", publisher.lines()).isEqualTo(1);
            assertThat(publisher.lines()).anySatisfy(line -> assertThat(line)
                .startsWith("failed " + CorruptSectionException.class.getName())
                .contains(file.getFileName().toString()));
        } else {
            // Its only subscriber's section is damaged: the publisher lets that subscriber go and, with none left, ends.
            assertThat(publisherExit).as("publisher exit code; its output: %s", publisher.lines()).isIn(0, 1);
            if (publisherExit == 1) {
                assertThat(publisher.lines()).anySatisfy(line -> assertThat(line)
                    .startsWith("failed " + CorruptSectionException.class.getName()));
            }
        }
    }
}
