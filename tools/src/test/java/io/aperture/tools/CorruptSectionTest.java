package io.aperture.tools;

import com.fasterxml.jackson.databind.JsonNode;
import io.aperture.Await;
import io.aperture.ChildJvm;
import io.aperture.TestDirectories;
import io.aperture.inspect.ChannelInspector;
import io.aperture.inspect.ChannelSnapshot;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Corrupt and truncated sections, made from a real ring a killed publisher left: every command reports them per
 * channel, in a line or a JSON field, and none crashes, hangs or prints a stack trace.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class CorruptSectionTest {
    private static final Duration WAIT = Duration.ofSeconds(30);
    private final Path dir = TestDirectories.create();
    private final List<ChildJvm> children = new ArrayList<>();
    private long end;

    @AfterEach
    void endTest() {
        TestDirectories.endCrossProcessTest(dir, children, WAIT, false);
    }

    /** A ring with records in it, its publisher and subscriber killed; then damaged copies of it. */
    @BeforeEach
    void damagedCopiesOfARealRing() throws IOException {
        // Files: the ring of a killed publisher stays to be copied (a sealed ring goes with its process).
        List<String> files = List.of("-D" + ToolPeer.SECTIONS_PROPERTY + "=FILES");
        ChildJvm publisher = ChildJvm.startWith(files, ToolPeer.class, "publish-endless", dir, "src", 100);
        children.add(publisher);
        Await.until(() -> Files.exists(dir.resolve("src.ring")), WAIT, () -> "ring: " + publisher.lines());
        ChildJvm subscriber = ChildJvm.startWith(files, ToolPeer.class, "receive", dir, "src", 100);
        children.add(subscriber);
        Await.until(() -> ChannelInspector.open(dir).snapshot("src").publishedExact() > 100, WAIT,
            () -> "publishing: " + subscriber.lines());
        publisher.close();
        subscriber.close();
        ChannelSnapshot src = ChannelInspector.open(dir).snapshot("src");
        assertThat(src.readable()).as(src.problem()).isTrue();
        end = src.end();
        Path ring = dir.resolve("src.ring");
        copy(ring, "capacity", 16, 12345);                     // capacity not a power of two
        copy(ring, "magic", 4, 0x0BADF00D);                    // the magic's high half
        copy(ring, "state", 512, 9);                           // a terminal state that is none of the states
        int slotCount = src.capacity() / src.slotLength();
        long index = (end + 1) & (slotCount - 1);
        Path record = copy(ring, "record", 0, 0);
        overwrite(record, 4096 + index * src.slotLength(), 0x7777_0001_0000_0010L); // a garbage commit word after the end
        Files.write(dir.resolve("short.ring"), java.util.Arrays.copyOf(Files.readAllBytes(ring), 100));
        Files.write(dir.resolve("cut.ring"), java.util.Arrays.copyOf(Files.readAllBytes(ring), 4096 + 512));
        Files.write(dir.resolve("tiny.ring"), new byte[10]);
        Files.createSymbolicLink(dir.resolve("link.ring"), ring.getFileName());  // a link, even to a good ring
        mkfifo(dir.resolve("pipe.ring"));                                   // opening a FIFO would block a reader
        Files.copy(ring, dir.resolve("subcut.ring"));
        Files.write(dir.resolve("subcut.sub-0"), new byte[100]);
        Files.delete(ring);
        TestDirectories.files(dir).stream().filter(f -> f.startsWith("src.")).forEach(f -> {
            try {
                Files.delete(dir.resolve(f));
            } catch (IOException e) {
                throw new AssertionError(e);
            }
        });
    }

    private static void mkfifo(Path path) throws IOException {
        try {
            Process p = new ProcessBuilder("mkfifo", path.toString()).inheritIO().start();
            assertThat(p.waitFor(10, TimeUnit.SECONDS)).isTrue();
            assertThat(p.exitValue()).isZero();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    private Path copy(Path ring, String channel, long offset, int value) throws IOException {
        Path target = dir.resolve(channel + ".ring");
        Files.copy(ring, target);
        if (offset != 0 || value != 0) {
            try (RandomAccessFile file = new RandomAccessFile(target.toFile(), "rw")) {
                file.seek(offset);
                file.write(ByteBuffer.allocate(4).order(ByteOrder.nativeOrder()).putInt(value).array());
            }
        }
        return target;
    }

    private static void overwrite(Path file, long offset, long word) throws IOException {
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
            f.seek(offset);
            f.write(ByteBuffer.allocate(8).order(ByteOrder.nativeOrder()).putLong(word).array());
        }
    }

    @Test
    void everyCommandReportsCorruptAndTruncatedSectionsPerChannel() {
        Cli.Run list = Cli.in(dir, "list");
        assertThat(list.exit()).isZero();
        assertThat(list.out()).contains("capacity 12345 is not a power of two", "not an Aperture ring",
            "record check", "file length 100 < header length 4096 (truncated)", "file length 4608 != header length",
            "file length 10 < header length 4096", "subcut.sub-0: ", "file length 100 != expected 4096",
            "link.ring at offset 0: a link to src.ring, not to a sealed section's owner",
            "pipe.ring is not a regular file", "unknown terminal state 9");
        assertNoStackTrace(list);

        JsonNode json = Cli.in(dir, "list", "--json").json();
        for (String channel : List.of("capacity", "magic", "state", "record", "short", "cut", "tiny", "link",
            "pipe")) {
            JsonNode c = Cli.channel(json, channel);
            assertThat(c.get("readable").asBoolean()).as(channel).isFalse();
            assertThat(c.get("problem").asText()).as(channel).isNotBlank();
        }
        JsonNode subcut = Cli.channel(json, "subcut");
        assertThat(subcut.get("readable").asBoolean()).isTrue();
        assertThat(subcut.at("/subscribers/0/problem").asText()).contains("file length 100 != expected 4096");

        Cli.Run stat = Cli.in(dir, "stat", "record", "--interval", "10ms");
        assertThat(stat.exit()).isEqualTo(1);
        assertThat(stat.out()).contains("problem: ", "record check");
        Cli.Run statCapacity = Cli.in(dir, "stat", "capacity", "--interval", "10ms");
        assertThat(statCapacity.exit()).isEqualTo(1);
        assertThat(statCapacity.out()).contains("problem: corrupt section capacity.ring at offset 16: capacity 12345",
            "(no counters: the ring did not validate)").doesNotContain("published 0");
        assertNoStackTrace(stat);
        Cli.Run tail = Cli.in(dir, "tail", "record", "--timeout", "5s");
        assertThat(tail.exit()).isEqualTo(1);
        assertThat(tail.err()).contains("aperture tail: record: ", "record check");
        assertNoStackTrace(tail);
        Cli.Run tailShort = Cli.in(dir, "tail", "short", "--timeout", "5s");
        assertThat(tailShort.err()).contains("truncated");
        assertNoStackTrace(tailShort);
        Cli.Run tailPipe = Cli.in(dir, "tail", "pipe", "--timeout", "5s");
        assertThat(tailPipe.err()).contains("pipe.ring is not a regular file");
        assertThat(Cli.in(dir, "errors").out()).contains("no channel");

        // Their publisher is dead: clean removes them, but not a ring too short to name its owner.
        Cli.Run dry = Cli.in(dir, "clean", "--dry-run");
        assertThat(dry.out()).contains("would remove capacity", "would remove record", "would remove short",
            "would remove subcut", "would remove state", "kept tiny (the ring's owner cannot be read", "kept link", "kept pipe");
        assertNoStackTrace(dry);
        Cli.in(dir, "clean");
        assertThat(TestDirectories.files(dir)).containsExactly("link.ring", "pipe.ring", "tiny.ring");
    }

    private static void assertNoStackTrace(Cli.Run run) {
        assertThat(run.out() + run.err()).doesNotContain("\tat ", "Exception in", "NullPointerException",
            "IndexOutOfBounds");
    }
}
