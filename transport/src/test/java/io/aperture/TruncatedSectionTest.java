package io.aperture;

import io.aperture.internal.section.ChannelFiles;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Sections made of files ({@link ChannelOptions.Sections#FILES}, where sealed memory is unavailable or not chosen):
 * a third process of the same user truncates a live section file (the ring, or the subscriber's section) to zero
 * or to half its length, under both peers' mappings: a later access to a page past the new end faults (SIGBUS).
 * Neither JVM may crash or hang: the publisher and the subscriber, each in its own JVM, end with a
 * {@link CorruptSectionException} that names the truncated file (the publisher that loses its only subscriber to
 * the damage may instead end as a publisher whose subscribers are gone; the subscriber may receive the publisher's
 * {@code CorruptSectionException} as a {@link RemoteException} when the publisher met it first).
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

    /**
     * The same at random moments: either section, truncated to zero or to a random fraction, as soon as the
     * subscriber's section exists (admission may still be under way) or after the stream flows, at a random
     * element count up to a few ring laps. {@code -Daperture.randomTruncations} trials (4 in the build), seeded
     * by {@code -Daperture.killSeed}.
     */
    @Test
    @Timeout(value = 30, unit = TimeUnit.MINUTES)
    void shouldEndBothSidesWithCorruptSectionWhenASectionIsTruncatedAtARandomMoment() throws Exception {
        SplittableRandom random = new SplittableRandom(Long.getLong("aperture.killSeed", 20261207L));
        int trials = Integer.getInteger("aperture.randomTruncations", 4);
        for (int trial = 0; trial < trials; trial++) {
            String target = random.nextBoolean() ? "ring" : "subscriber";
            double fraction = random.nextBoolean() ? 0 : random.nextDouble();
            long after = random.nextInt(4) == 0 ? -1 : random.nextLong(0, 200_000);
            try {
                trial(target, fraction, after, "truncated-random-" + trial);
            } catch (AssertionError e) {
                throw new AssertionError("trial " + trial + ": " + target + " truncated to " + fraction + " of its length "
                    + (after < 0 ? "at admission" : "after " + after + " elements") + ": " + e.getMessage(), e);
            }
            publisher.close();
            subscriber.close();
        }
        System.out.printf("truncation trials: %d sections truncated at random moments, every subscriber ended with a "
            + "CorruptSectionException naming the file (its own, or the publisher's as a RemoteException), no JVM crashed "
            + "or hung%n", trials);
    }

    private void trial(String target, double fraction, String channel) throws Exception {
        trial(target, fraction, 0, channel);
    }

    /** {@code after}: the subscriber's element count to truncate at, or -1 for as soon as its section exists. */
    private void trial(String target, double fraction, long after, String channel) throws Exception {
        // Files: a sealed section (the default on Linux) cannot be truncated at all (SealedSectionTest).
        publisher = ChildJvm.startWithSections(ChannelOptions.Sections.FILES, "publish-endless", directory, channel);
        subscriber = ChildJvm.startWithSections(ChannelOptions.Sections.FILES, "receive-report", directory, channel,
            Long.toString(after <= 0 ? 10_000 : after));
        if (after < 0) {
            Path section = ChannelFiles.subscriberPath(directory, channel, 0);
            Await.until(() -> Files.exists(section), Duration.ofSeconds(60), () -> "subscriber section created");
        } else {
            subscriber.awaitLine("flowing"::equals, Duration.ofSeconds(60));
        }

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
        int subscriberExit = subscriber.awaitExit(END_WITHIN);
        // Its own exception, or the publisher's, when the publisher met the truncation first and could still write
        // its error record into the part of the ring that is left.
        assertThat(subscriberEnd).as("the subscriber's end; its output: %s", subscriber.lines()).satisfiesAnyOf(
            end -> assertThat(end).startsWith("error " + CorruptSectionException.class.getName()),
            end -> assertThat(end).startsWith("error " + RemoteException.class.getName())
                .contains("publisher failed with " + CorruptSectionException.class.getName()))
            .contains(file.getFileName().toString());
        assertThat(subscriberExit).as("subscriber exit code; its output: %s", subscriber.lines()).isZero();

        if (target.equals("subscriber") && after < 0) {
            // Damaged during admission: if the publisher had admitted it, it lets it go and, with none left, ends;
            // if not, it still waits for a first subscriber (forever by default) and serves the next that comes.
            ChildJvm next = ChildJvm.startWithSections(ChannelOptions.Sections.FILES, "receive-report", directory, channel);
            try {
                Await.until(() -> !publisher.isAlive() || next.lines().contains("flowing"), END_WITHIN,
                    () -> "the publisher ended or served the next subscriber; publisher: " + publisher.lines()
                        + "; next subscriber: " + next.lines());
            } finally {
                next.close();
            }
            if (publisher.isAlive()) {
                return;
            }
        }
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
