package io.aperture;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import reactor.core.publisher.Flux;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.zip.CRC32;

import static org.assertj.core.api.Assertions.assertThat;

/** Messages far larger than the ring, in fragments, from this JVM to a subscriber process. */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class LargeMessageCrossProcessTest {
    private static final Duration WAIT = Duration.ofSeconds(120);
    private static final int MIB = 1 << 20;

    private final Path directory = TestDirectories.create();
    private final List<ChildJvm> children = new ArrayList<>();

    @AfterEach
    void tearDown() {
        TestDirectories.endCrossProcessTest(directory, children, Duration.ofSeconds(20), true);
    }

    private static byte[] random(int length, long seed) {
        byte[] bytes = new byte[length];
        new SplittableRandom(seed).nextBytes(bytes);
        return bytes;
    }

    private static long crc(byte[] bytes) {
        CRC32 crc = new CRC32();
        crc.update(bytes);
        return crc.getValue();
    }

    @Test
    void shouldCarryA100MibMessageThroughA1MibRingWithItsChecksum() {
        byte[] big = random(100 * MIB, 100);
        byte[] small = random(10, 1);
        Aperture aperture = Aperture.create(directory, ChannelOptions.defaults().withRingCapacity(MIB)
            .withMaxFragmentedMessageLength(128 * MIB));
        ChildJvm child = ChildJvm.startWithHeap("512m", "receive-large", directory, "large", 128 * MIB);
        children.add(child);
        CompletableFuture<Void> publishing = aperture.publisher("large", Codecs.bytes())
            .publish(Flux.just(small, big, small)).toFuture();
        String first = child.awaitLineStartingWith("large ", WAIT);
        assertThat(first).startsWith("large 10 bytes crc " + crc(small) + " at ");
        String second = child.awaitLine(l -> l.startsWith("large 104857600"), WAIT);
        assertThat(second).startsWith("large " + big.length + " bytes crc " + crc(big) + " at ");
        assertThat(child.awaitLine(l -> l.equals("complete") || l.startsWith("error"), WAIT)).isEqualTo("complete");
        assertThat(publishing).succeedsWithin(WAIT);
        // From the small message's arrival to the big one's: encode, 800 fragments, assembly, decode (one run).
        double seconds = (at(second) - at(first)) / 1e9;
        System.out.printf("100 MiB through a 1 MiB ring: %.0f ms, %.2f GiB/s%n", seconds * 1e3,
            big.length / seconds / (1 << 30));
    }

    private static long at(String line) {
        return Long.parseLong(line.substring(line.lastIndexOf(' ') + 1));
    }

    @Test
    void shouldRefuseClearlyAMessageLargerThanTheSubscriberTakes() {
        Aperture aperture = Aperture.create(directory, ChannelOptions.defaults().withRingCapacity(1 << 16)
            .withMaxFragmentedMessageLength(8 * MIB));
        ChildJvm child = ChildJvm.start("receive-large", directory, "refused", MIB);
        children.add(child);
        CompletableFuture<Void> publishing = aperture.publisher("refused", Codecs.bytes())
            .publish(Flux.just(random(2 * MIB, 3))).toFuture();
        assertThat(child.awaitLine(l -> l.startsWith("error") || l.equals("complete"), WAIT))
            .contains("message of 2097152 bytes").contains("max fragmented message length 1048576")
            .doesNotContain("OutOfMemoryError");
        // The subscriber left: the publisher, with no subscriber, cancels and ends.
        assertThat(publishing).succeedsWithin(WAIT);
    }
}
