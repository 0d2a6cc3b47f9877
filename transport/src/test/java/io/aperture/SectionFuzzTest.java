package io.aperture;

import io.aperture.internal.section.ChannelFiles;
import io.aperture.internal.section.RingDescriptor;
import io.aperture.internal.section.SubscriberDescriptor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import reactor.core.publisher.Flux;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.LongStream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A third party writes random values into random places of a live ring and subscriber section while a
 * stream runs. Every case must end, within its timeout, in one of: every element delivered in order
 * then completion; {@link CorruptSectionException}; or another clear {@link ApertureException} (the
 * publisher ended the channel after it detected the damage, or failed it with a {@link RemoteException} that
 * names the {@link CorruptSectionException} it found; it closed its section while its terminal state,
 * overwritten, read open; or the test codec, which carries each value twice, detected a payload that was
 * overwritten: a transport cannot check the user's payload bytes without a checksum). Never: wrong data without an error, another exception type, a hang, a crash.
 * Even cases use the default sections (sealed memory on Linux), odd ones file sections. One case in
 * {@value #TRUNCATE_ONE_IN} truncates the ring or the subscriber's section (to zero or to half) instead: a file case
 * then ends in the same ways; a sealed section must refuse the truncation, and the case writes into it instead. Cases: {@code -Daperture.fuzzCases} (10,000 by default; {@code scripts/fuzz.sh} runs 100,000). To replay one
 * case of a failure report, {@code -Daperture.fuzzCase=N} runs case N's writes (same seed, same values and places;
 * the timing differs) {@code aperture.fuzzCases} times.
 */
class SectionFuzzTest {
    private static final int CASES = Integer.getInteger("aperture.fuzzCases", 10_000);
    /** The one case to replay, or -1 for every case. */
    private static final int REPLAY = Integer.getInteger("aperture.fuzzCase", -1);
    private static final int MESSAGES = 200;
    /** One case in this many truncates a section file (to zero or to half) instead of writing into it. */
    private static final int TRUNCATE_ONE_IN = 20;
    private static final Duration CASE_TIMEOUT = Duration.ofSeconds(10);

    private final Path directory = TestDirectories.create();
    private final ChannelOptions options = ChannelOptions.defaults().withRingCapacity(1024).withSlotLength(16)
        .withDemandWindow(8).withAttachTimeout(Duration.ofSeconds(5));
    /** Even cases: the default sections (sealed memory on Linux), which no truncation can reach. */
    private final Aperture aperture = Aperture.create(directory, options);
    /** Odd cases: file sections, which a truncation faults under their mappings. */
    private final Aperture files = Aperture.create(directory, options.withSections(ChannelOptions.Sections.FILES));
    /** Truncations the kernel refused, of sealed sections: each one must be. */
    private int truncationsRefused;

    /** A Long written twice (value, complement): decoding detects an overwritten payload. */
    static final Codec<Long> CHECKED_LONGS = new Codec<>() {
        @Override
        public String name() {
            return "checked-long";
        }

        @Override
        public void encode(Long value, ByteBuffer window) {
            window.putLong(value).putLong(~value);
        }

        @Override
        public Long decode(ByteBuffer window) {
            if (window.remaining() != 16) {
                throw new IllegalArgumentException("checked-long needs 16 bytes, got " + window.remaining());
            }
            long value = window.getLong();
            long check = window.getLong();
            if (check != ~value) {
                throw new IllegalArgumentException("checked-long payload overwritten: " + value + " / " + check);
            }
            return value;
        }
    };

    @AfterEach
    void tearDown() {
        try {
            Await.noApertureThreads(Duration.ofSeconds(20));
        } finally {
            TestDirectories.delete(directory);
        }
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.MINUTES)
    void shouldEndEveryCaseCleanlyWhenAThirdPartyWritesIntoTheSections() throws Exception {
        long seed = Long.getLong("aperture.fuzzSeed", 7L);
        SplittableRandom random = new SplittableRandom(seed);
        List<Long> expected = LongStream.range(0, MESSAGES).boxed().toList();
        Map<String, Integer> outcomes = new TreeMap<>();
        List<String> failures = new ArrayList<>();
        int attacked = 0;
        long attackNs = 0;
        long endNs = 0;
        for (int c = 0; c < CASES && failures.size() < 10; c++) {
            String channel = "fuzz-" + c;
            long t0 = System.nanoTime();
            Aperture sides = c % 2 == 0 ? aperture : files;
            CompletableFuture<Void> publishing = sides.publisher(channel, CHECKED_LONGS)
                .publish(Flux.range(0, MESSAGES).map(Integer::longValue)).toFuture();
            CompletableFuture<List<Long>> received = sides.subscriber(channel, CHECKED_LONGS).receive()
                .limitRate(4).collectList().toFuture();
            String writes = attack(channel, REPLAY < 0 ? random.split() : caseRandom(seed, REPLAY), received);
            if (!writes.startsWith("(")) {
                attacked++;
            }
            long t1 = System.nanoTime();
            attackNs += t1 - t0;
            String outcome;
            try {
                List<Long> values = received.get(CASE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
                outcome = values.equals(expected) ? "delivered every element in order" : null;
                if (outcome == null) {
                    failures.add("case " + c + " delivered wrong data without error " + summary(values) + " after " + writes);
                }
            } catch (TimeoutException e) {
                outcome = null;
                failures.add("case " + c + " hung after " + writes + "\n" + channelThreads(channel));
                received.cancel(true);
            } catch (ExecutionException e) {
                outcome = classify(e.getCause());
                if (outcome == null) {
                    failures.add("case " + c + " ended with " + e.getCause() + " after " + writes);
                }
            }
            boolean waiting = false;
            try {
                long deadline = System.nanoTime() + CASE_TIMEOUT.toNanos();
                // Seen once, and kept: asked again, the answer may have changed (the publisher may have left its wait
                // for a first subscriber meanwhile, to fail on damage its next look at its own header finds).
                while (!publishing.isDone() && !(waiting = waitingForFirstSubscriber(channel))
                    && System.nanoTime() < deadline) {
                    java.util.concurrent.locks.LockSupport.parkNanos(200_000L);
                }
                publishing.get(0, TimeUnit.MILLISECONDS);
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof ApertureException)) {
                    failures.add("case " + c + ": publisher ended with " + e.getCause() + " after " + writes);
                }
            } catch (TimeoutException e) {
                if (waiting) {
                    // The attack destroyed the subscriber section before the publisher first read it: the
                    // publisher still waits for a subscriber, as it should. Its user cancels it.
                    outcomes.merge("publisher still waiting for a first subscriber (cancelled)", 1, Integer::sum);
                } else {
                    failures.add("case " + c + ": publisher hung after " + writes + " (its subscriber: " + outcome + ")\n"
                        + channelThreads(channel));
                }
                publishing.cancel(true);
            }
            if (outcome != null) {
                outcomes.merge(outcome, 1, Integer::sum);
            }
            endNs += System.nanoTime() - t1;
        }
        System.out.printf("fuzz timing: set-up and attack %.2f ms, end %.2f ms per case%n", attackNs / 1e6 / CASES,
            endNs / 1e6 / CASES);
        System.out.println("fuzz: " + CASES + " cases, " + attacked + " attacked while streaming: " + outcomes
            + "; truncations of sealed sections refused: " + truncationsRefused + "; failures: " + failures.size());
        assertThat(failures).isEmpty();
        assertThat(outcomes.values().stream().mapToInt(Integer::intValue).sum()).isGreaterThanOrEqualTo(CASES);
    }

    /** The random of case {@code n} in a run from {@code seed}: the one its parent splits off the n-th time. */
    private static SplittableRandom caseRandom(long seed, int n) {
        SplittableRandom root = new SplittableRandom(seed);
        for (int i = 0; i < n; i++) {
            root.split();
        }
        return root.split();
    }

    /**
     * The subscriber section is gone and the publisher's conductor still waits in {@code awaitFirstSubscriber}:
     * the publisher never attached it and waits for a first subscriber. Asked of the thread, not of the
     * damaged section, whose counters the attack may have overwritten.
     */
    private boolean waitingForFirstSubscriber(String channel) {
        if (Files.exists(ChannelFiles.subscriberPath(directory, channel, 0))) {
            return false;
        }
        return Thread.getAllStackTraces().entrySet().stream()
            .filter(e -> e.getKey().getName().equals("aperture-pub-" + channel))
            .anyMatch(e -> java.util.Arrays.stream(e.getValue()).anyMatch(f -> f.getMethodName().equals("awaitFirstSubscriber")));
    }

    private static String channelThreads(String channel) {
        StringBuilder dump = new StringBuilder();
        Thread.getAllStackTraces().forEach((thread, stack) -> {
            if (thread.getName().endsWith("-" + channel)) {
                dump.append(thread.getName()).append('\n');
                for (StackTraceElement frame : stack) {
                    dump.append("    at ").append(frame).append('\n');
                }
            }
        });
        return dump.toString();
    }

    private static String summary(List<Long> values) {
        return values.size() + " values" + (values.isEmpty() ? "" : " from " + values.get(0) + " to " + values.get(values.size() - 1));
    }

    /** The accepted ends of a damaged case, or null for an unacceptable one. */
    private static String classify(Throwable error) {
        if (error instanceof CorruptSectionException) {
            return "CorruptSectionException";
        }
        if (error instanceof ApertureException && error.getMessage().contains("failed to decode")
            && error.getCause() instanceof IllegalArgumentException) {
            return "codec detected an overwritten payload";
        }
        if (error instanceof ApertureException && error.getMessage().contains("ended the channel")) {
            return "publisher ended the channel";
        }
        if (error instanceof RemoteException remote
            && CorruptSectionException.class.getName().equals(remote.remoteClassName())) {
            // The publisher found the damage (in its own ring, or in the subscriber's section) and ended the
            // channel with an ERROR record that names it.
            return "publisher failed with CorruptSectionException";
        }
        if (error instanceof ApertureException && error.getMessage().contains("closed its section")) {
            // The publisher ended and let go of its lock, and the attack had cleared its terminal state (or vice versa).
            return "publisher gone without a terminal state";
        }
        return null;
    }

    /** Maps both sections read-write, as any process of the user could, and writes 1 to 4 random values. */
    private String attack(String channel, SplittableRandom random, CompletableFuture<?> received) throws IOException {
        Path ring = ChannelFiles.ringPath(directory, channel);
        Path sub = ChannelFiles.subscriberPath(directory, channel, 0);
        Await.until(() -> received.isDone() || Files.exists(ring) && Files.exists(sub), Duration.ofSeconds(20),
            () -> "both sections of " + channel);
        if (received.isDone()) {
            return "(stream ended before the attack)";
        }
        // Read before the sections are opened, while both names are known to exist: a name may go (the case ends)
        // while the attack runs, and a path that is gone is no symbolic link, though its section is still sealed.
        boolean sealed = Files.isSymbolicLink(ring);
        StringBuilder log = new StringBuilder();
        try (FileChannel ringFile = FileChannel.open(ring, StandardOpenOption.READ, StandardOpenOption.WRITE);
             FileChannel subFile = FileChannel.open(sub, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            MappedByteBuffer ringMap = ringFile.map(FileChannel.MapMode.READ_WRITE, 0, ringFile.size());
            MappedByteBuffer subMap = subFile.map(FileChannel.MapMode.READ_WRITE, 0, subFile.size());
            ringMap.order(ByteOrder.nativeOrder());
            subMap.order(ByteOrder.nativeOrder());
            if (random.nextInt(TRUNCATE_ONE_IN) == 0) {
                // One case in TRUNCATE_ONE_IN truncates a section instead, at a random moment of the stream.
                long spinUntil = System.nanoTime() + random.nextLong(0, 300_000);
                while (System.nanoTime() < spinUntil) {
                    Thread.onSpinWait();
                }
                boolean inRing = random.nextBoolean();
                FileChannel file = inRing ? ringFile : subFile;
                long length = random.nextBoolean() ? 0 : file.size() / 2;
                if (!sealed) {
                    file.truncate(length);
                    return (inRing ? "ring" : "sub") + " truncated to " + length;
                }
                long before = file.size();
                try {
                    file.truncate(length);
                } catch (IOException refused) {
                    truncationsRefused++; // sealed: refused, and the case goes on to write into the section instead
                }
                if (file.size() != before) {
                    throw new AssertionError("sealed " + (inRing ? ring : sub) + " truncated from " + before + " to "
                        + file.size());
                }
                log.append("truncation to ").append(length).append(" refused; ");
            }
            int writes = 1 + random.nextInt(4);
            for (int i = 0; i < writes; i++) {
                long spinUntil = System.nanoTime() + random.nextLong(0, 300_000);
                while (System.nanoTime() < spinUntil) {
                    Thread.onSpinWait();
                }
                boolean inRing = random.nextInt(10) < 7;
                ByteBuffer target = inRing ? ringMap : subMap;
                int offset = inRing ? ringOffset(random) : subscriberOffset(random);
                long value = value(random);
                if (random.nextBoolean() && offset + 8 <= target.capacity()) {
                    target.putLong(offset & ~7, value);
                    log.append(inRing ? " ring" : " sub").append('@').append(offset & ~7).append("=").append(value);
                } else {
                    target.putInt(offset & ~3, (int) value);
                    log.append(inRing ? " ring" : " sub").append('@').append(offset & ~3).append("=").append((int) value);
                }
            }
        } catch (java.nio.file.NoSuchFileException e) {
            log.append(" (section gone before the attack)");
        }
        return log.toString().trim();
    }

    private static int ringOffset(SplittableRandom random) {
        switch (random.nextInt(4)) {
            case 0: // a counter or header word
                int[] words = {RingDescriptor.CURSOR_OFFSET, RingDescriptor.PUBLISHED_OFFSET, RingDescriptor.TERMINAL_OFFSET,
                    RingDescriptor.HEARTBEAT_OFFSET, RingDescriptor.WAKE_OFFSET, RingDescriptor.PARKED_OFFSET,
                    RingDescriptor.DEMAND_PARKED_OFFSET,
                    RingDescriptor.MAGIC_VERSION_OFFSET, RingDescriptor.CAPACITY_OFFSET, RingDescriptor.SLOT_LENGTH_OFFSET};
                return words[random.nextInt(words.length)];
            case 1: // a record header (slot start)
                return RingDescriptor.SLOTS_OFFSET + 16 * random.nextInt(64) + 4 * random.nextInt(2);
            default: // anywhere
                return random.nextInt(RingDescriptor.SLOTS_OFFSET + 1024 - 8);
        }
    }

    private static int subscriberOffset(SplittableRandom random) {
        if (random.nextBoolean()) {
            int[] words = {SubscriberDescriptor.REQUESTED_OFFSET, SubscriberDescriptor.CONSUMED_OFFSET,
                SubscriberDescriptor.CANCELLED_OFFSET, SubscriberDescriptor.DELIVERED_OFFSET,
                SubscriberDescriptor.HEARTBEAT_OFFSET, SubscriberDescriptor.WAKE_OFFSET, SubscriberDescriptor.PARKED_OFFSET,
                SubscriberDescriptor.MAGIC_VERSION_OFFSET};
            return words[random.nextInt(words.length)];
        }
        return random.nextInt(SubscriberDescriptor.LENGTH - 8);
    }

    private static long value(SplittableRandom random) {
        switch (random.nextInt(5)) {
            case 0: return 0;
            case 1: return -1;
            case 2: return random.nextInt(-3, 300);
            case 3: return Long.MAX_VALUE;
            default: return random.nextLong();
        }
    }
}
