package io.aperture;

import io.aperture.internal.section.ChannelFiles;
import io.aperture.internal.section.MappedSection;
import io.aperture.internal.section.ProcessIdentity;
import io.aperture.internal.section.RingDescriptor;
import io.aperture.internal.section.SectionPlatform;
import io.aperture.internal.section.SubscriberDescriptor;
import io.aperture.internal.section.SubscriberLink;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Bad input and misuse end in a clear error naming the cause and the values, never a hang. */
@Timeout(30)
class ChannelErrorsTest {
    private final Path directory = TestDirectories.create();
    private final ChannelOptions options = ChannelOptions.defaults().withRingCapacity(1 << 14)
        .withAttachTimeout(Duration.ofMillis(300));
    private final Aperture aperture = Aperture.create(directory, options);

    @AfterEach
    void tearDown() {
        Await.noApertureThreads(Duration.ofSeconds(10));
        TestDirectories.delete(directory);
    }

    @Test
    void shouldFailWhenChannelDoesNotAppearInTime() {
        StepVerifier.create(aperture.subscriber("absent", Codecs.longs()).receive())
            .expectErrorSatisfies(e -> assertThat(e).isInstanceOf(ApertureException.class)
                .hasMessageContaining("channel 'absent' not available").hasMessageContaining("after 300 ms")
                .hasMessageContaining("no ring file"))
            .verify(Duration.ofSeconds(10));
        assertThat(TestDirectories.files(directory)).isEmpty();
    }

    @Test
    void shouldRefuseARingWithWrongMagic() throws IOException {
        writeRing("garbage", 0x1234_5678L << 32);
        StepVerifier.create(aperture.subscriber("garbage", Codecs.longs()).receive())
            .expectErrorSatisfies(e -> assertThat(e).isInstanceOf(IncompatibleChannelException.class)
                .hasMessageContaining("magic 0x12345678").hasMessageContaining("expected 0x41505254"))
            .verify(Duration.ofSeconds(10));
    }

    @Test
    void shouldRefuseARingOfAnotherMajorVersion() throws IOException {
        writeRing("future", ((long) RingDescriptor.MAGIC << 32) | (9L << 16));
        StepVerifier.create(aperture.subscriber("future", Codecs.longs()).receive())
            .expectErrorSatisfies(e -> assertThat(e).isInstanceOf(IncompatibleChannelException.class)
                .hasMessageContaining("layout version 9.0").hasMessageContaining("reads 3.0"))
            .verify(Duration.ofSeconds(10));
    }

    private void writeRing(String channel, long magic) throws IOException {
        ByteBuffer header = ByteBuffer.allocate(RingDescriptor.SLOTS_OFFSET + 1024).order(ByteOrder.nativeOrder());
        header.putLong(RingDescriptor.MAGIC_VERSION_OFFSET, magic);
        try (FileChannel file = FileChannel.open(ChannelFiles.ringPath(directory, channel), StandardOpenOption.CREATE_NEW,
            StandardOpenOption.WRITE)) {
            file.write(header);
        }
    }

    @Test
    void shouldRefuseASubscriberWithAnotherCodecNamingBoth() {
        CompletableFuture<Void> publishing = aperture.publisher("codec", Codecs.longs()).publish(Flux.just(1L)).toFuture();
        StepVerifier.create(aperture.subscriber("codec", Codecs.utf8()).receive())
            .expectErrorSatisfies(e -> assertThat(e).isInstanceOf(IncompatibleChannelException.class)
                .hasMessageContaining("publisher codec 'long' schema 0")
                .hasMessageContaining("subscriber codec 'utf8' schema 0"))
            .verify(Duration.ofSeconds(10));
        publishing.cancel(true);
    }

    @Test
    void shouldFailWhenTheDirectoryCannotBeCreated() throws IOException {
        Path file = Files.createFile(directory.resolve("a-file"));
        Aperture blocked = Aperture.create(file.resolve("sections"), options);
        StepVerifier.create(blocked.publisher("x", Codecs.longs()).publish(Flux.just(1L)))
            .expectErrorSatisfies(e -> assertThat(e).isInstanceOf(ApertureException.class)
                .hasMessageContaining("cannot create section directory").hasMessageContaining("a-file"))
            .verify(Duration.ofSeconds(10));
        Aperture notADirectory = Aperture.create(file, options);
        StepVerifier.create(notADirectory.publisher("x", Codecs.longs()).publish(Flux.just(1L)))
            .expectErrorSatisfies(e -> assertThat(e).hasMessageContaining("is not a directory"))
            .verify(Duration.ofSeconds(10));
    }

    @Test
    void shouldCreateSectionsWithExactModes() {
        Path nested = directory.resolve("nested");
        Aperture inNested = Aperture.create(nested, options);
        Disposable publishing = inNested.publisher("modes", Codecs.longs()).publish(Flux.never()).subscribe();
        try {
            Path ring = ChannelFiles.ringPath(nested, "modes");
            Await.until(() -> Files.exists(ring), Duration.ofSeconds(10), () -> "ring created");
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(ring))).isEqualTo("rw-------");
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(nested))).isEqualTo("rwx------");
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } finally {
            publishing.dispose();
        }
        Await.until(() -> TestDirectories.files(nested).isEmpty(), Duration.ofSeconds(10), () -> "ring removed");
    }

    @Test
    void shouldNameBothNumbersWhenAMessageIsTooLarge() {
        Aperture small = Aperture.create(directory, options.withMaxMessageLength(100));
        CompletableFuture<Void> publishing = small.publisher("large", Codecs.bytes())
            .publish(Flux.just(new byte[10], new byte[200])).toFuture();
        StepVerifier.create(small.subscriber("large", Codecs.bytes()).receive())
            .expectNextMatches(b -> b.length == 10)
            .expectErrorSatisfies(e -> assertThat(e).isInstanceOf(RemoteException.class)
                .hasMessageContaining("MessageTooLargeException")
                .hasMessageContaining("message length 200 > max message length 100"))
            .verify(Duration.ofSeconds(10));
        assertThat(publishing).failsWithin(Duration.ofSeconds(10)).withThrowableThat()
            .havingCause().isInstanceOf(MessageTooLargeException.class)
            .withMessage("channel 'large': message length 200 > max message length 100");
    }

    @Test
    void shouldRefuseASubscriberBeyondTheMaximum() {
        Disposable publishing = aperture.publisher("single", Codecs.longs(), options.withMaxSubscribers(1))
            .publish(Flux.never()).subscribe();
        try {
            StepVerifier.create(aperture.subscriber("single", Codecs.longs()).receive(), 0)
                .then(() -> Await.until(() -> Files.exists(ChannelFiles.subscriberPath(directory, "single", 0)),
                    Duration.ofSeconds(10), () -> "first subscriber attached"))
                .then(() -> StepVerifier.create(aperture.subscriber("single", Codecs.longs()).receive())
                    .expectErrorSatisfies(e -> assertThat(e).isInstanceOf(ApertureException.class)
                        .hasMessageContaining("already has 1 subscriber(s)"))
                    .verify(Duration.ofSeconds(10)))
                .thenCancel()
                .verify(Duration.ofSeconds(10));
        } finally {
            publishing.dispose();
        }
    }

    @Test
    void shouldRefuseASecondPublisherWhileTheFirstLives() {
        Disposable first = aperture.publisher("busy", Codecs.longs()).publish(Flux.never()).subscribe();
        try {
            Await.until(() -> Files.exists(ChannelFiles.ringPath(directory, "busy")), Duration.ofSeconds(10),
                () -> "first ring created");
            StepVerifier.create(aperture.publisher("busy", Codecs.longs()).publish(Flux.just(1L)))
                .expectErrorSatisfies(e -> assertThat(e).isInstanceOf(ApertureException.class)
                    .hasMessageContaining("already has a live publisher (pid " + ProcessHandle.current().pid() + ")"))
                .verify(Duration.ofSeconds(10));
        } finally {
            first.dispose();
        }
    }

    @Test
    void shouldFailTheSubscriberWhenThePublisherIsCancelledLocally() {
        Disposable publishing = aperture.publisher("closed", Codecs.longs()).publish(Flux.<Long>never()).subscribe();
        StepVerifier.create(aperture.subscriber("closed", Codecs.longs()).receive())
            .then(() -> Await.until(() -> Files.exists(ChannelFiles.subscriberPath(directory, "closed", 0)),
                Duration.ofSeconds(10), () -> "subscriber attached"))
            .then(publishing::dispose)
            .expectErrorSatisfies(e -> assertThat(e).isInstanceOf(ApertureException.class)
                .hasMessageContaining("ended the channel (CLOSED)"))
            .verify(Duration.ofSeconds(10));
    }

    @Test
    void shouldSignalIllegalArgumentForNonPositiveRequest() {
        Disposable publishing = aperture.publisher("bad-request", Codecs.longs()).publish(Flux.never()).subscribe();
        CompletableFuture<Throwable> error = new CompletableFuture<>();
        try {
            aperture.subscriber("bad-request", Codecs.longs()).receive().subscribe(new reactor.core.publisher.BaseSubscriber<Long>() {
                @Override
                protected void hookOnSubscribe(org.reactivestreams.Subscription subscription) {
                    subscription.request(0);
                }

                @Override
                protected void hookOnError(Throwable throwable) {
                    error.complete(throwable);
                }
            });
            assertThat(error).succeedsWithin(Duration.ofSeconds(10))
                .isInstanceOf(IllegalArgumentException.class)
                .extracting(Throwable::getMessage).asString().contains("§3.9").contains("was 0");
        } finally {
            publishing.dispose();
        }
    }

    @Test
    void shouldEndTheChannelWhenAnotherProcessOverwritesTheRingHeaderBeforeASubscriberAttaches() throws IOException {
        CompletableFuture<Void> publishing = aperture.publisher("header", Codecs.longs()).publish(Flux.never()).toFuture();
        Path ring = ChannelFiles.ringPath(directory, "header");
        Await.until(() -> Files.exists(ring), Duration.ofSeconds(10), () -> "ring created");
        overwriteLong(ring, RingDescriptor.SESSION_ID_OFFSET, 146L);
        // Without the check the publisher would wait for a subscriber of its own session forever, and a
        // subscriber that read the overwritten session would wait for records forever.
        assertThat(publishing).failsWithin(Duration.ofSeconds(10)).withThrowableThat()
            .havingCause().isInstanceOf(CorruptSectionException.class)
            .withMessageContaining("header.ring at offset 8").withMessageContaining("written by this publisher");
        StepVerifier.create(aperture.subscriber("header", Codecs.longs()).receive())
            .expectError(ApertureException.class)
            .verify(Duration.ofSeconds(10));
    }

    @Test
    void shouldFailTheSubscriberWhenAnotherProcessOverwritesItsSessionWord() throws IOException {
        Disposable publishing = aperture.publisher("identity", Codecs.longs()).publish(Flux.never()).subscribe();
        try {
            Path sub = ChannelFiles.subscriberPath(directory, "identity", 0);
            StepVerifier.create(aperture.subscriber("identity", Codecs.longs()).receive())
                .then(() -> Await.until(() -> Files.exists(sub), Duration.ofSeconds(10), () -> "subscriber attached"))
                .then(() -> {
                    try {
                        overwriteLong(sub, SubscriberDescriptor.RING_SESSION_ID_OFFSET, -1L);
                    } catch (IOException e) {
                        throw new java.io.UncheckedIOException(e);
                    }
                })
                .expectErrorSatisfies(e -> assertThat(e).isInstanceOf(CorruptSectionException.class)
                    .hasMessageContaining("identity.sub-0 at offset 8").hasMessageContaining("written by this subscriber"))
                .verify(Duration.ofSeconds(10));
        } finally {
            publishing.dispose();
        }
    }

    @Test
    void shouldLetGoOfAnInProcessSubscriberThatClosedItsSectionWithoutCancelling() throws Exception {
        // A subscriber of this JVM that ended (its cancel flag then cleared by a third party, as a fuzz case did) or
        // that lost its section: it holds no lock any more. Taken as alive for being in this process, it held the
        // publisher forever. Its section is claimed here by hand, as SubscriberCore claims one, then closed.
        CompletableFuture<Void> publishing = aperture.publisher("vanished", Codecs.longs()).publish(Flux.never()).toFuture();
        Path ring = ChannelFiles.ringPath(directory, "vanished");
        Await.until(() -> Files.exists(ring), Duration.ofSeconds(10), () -> "ring created");
        long sessionId;
        try (FileChannel file = FileChannel.open(ring, StandardOpenOption.READ)) {
            sessionId = file.map(FileChannel.MapMode.READ_ONLY, 0, RingDescriptor.SLOTS_OFFSET).order(ByteOrder.nativeOrder())
                .getLong(RingDescriptor.SESSION_ID_OFFSET);
        }
        Path sub = ChannelFiles.subscriberPath(directory, "vanished", 0);
        Path temporary = ChannelFiles.createTemporary(directory, "vanished.sub-0", SubscriberDescriptor.LENGTH);
        MappedSection section = SectionPlatform.current().open(temporary, SubscriberDescriptor.LENGTH, true);
        try {
            ByteBuffer s = section.buffer();
            s.putLong(SubscriberDescriptor.RING_SESSION_ID_OFFSET, sessionId);
            s.putLong(SubscriberDescriptor.PID_OFFSET, ProcessIdentity.CURRENT.pid);
            s.putLong(SubscriberDescriptor.START_OFFSET, ProcessIdentity.CURRENT.startEpochMs);
            s.putLong(SubscriberDescriptor.SUBSCRIBER_ID_OFFSET, 77L);
            s.putLong(SubscriberDescriptor.CONSUMED_OFFSET, SubscriberLink.NOT_STARTED);
            s.putLong(SubscriberDescriptor.MAGIC_VERSION_OFFSET, SubscriberDescriptor.MAGIC_VERSION);
            section.lockExclusive();
            assertThat(ChannelFiles.linkIntoPlace(temporary, sub)).isTrue();
            Await.until(() -> subscriberIdInTable(ring) == 77L, Duration.ofSeconds(10), () -> "subscriber admitted");
            assertThat(publishing).isNotDone();
        } finally {
            section.close(); // the lock goes; the cancel flag stays 0
            ChannelFiles.deleteQuietly(temporary);
        }
        assertThat(publishing).succeedsWithin(Duration.ofSeconds(10));
        assertThat(TestDirectories.files(directory)).isEmpty();
    }

    private static long subscriberIdInTable(Path ring) {
        try (FileChannel file = FileChannel.open(ring, StandardOpenOption.READ)) {
            return file.map(FileChannel.MapMode.READ_ONLY, 0, RingDescriptor.SLOTS_OFFSET).order(ByteOrder.nativeOrder())
                .getLong(RingDescriptor.entryOffset(0) + RingDescriptor.ENTRY_ID_OFFSET);
        } catch (IOException e) {
            return 0L; // the ring is gone: not admitted
        }
    }

    /** Writes one word of a live section as any process of the same user could. */
    private static void overwriteLong(Path section, int offset, long value) throws IOException {
        try (FileChannel file = FileChannel.open(section, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            file.map(FileChannel.MapMode.READ_WRITE, 0, file.size()).order(ByteOrder.nativeOrder()).putLong(offset, value);
        }
    }

    @Test
    void shouldRejectInvalidNamesAndOptionsNamingTheValue() {
        assertThatThrownBy(() -> aperture.subscriber("../etc", Codecs.longs()))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'../etc'");
        assertThatThrownBy(() -> ChannelOptions.defaults().withRingCapacity(3000))
            .hasMessageContaining("ring capacity 3000");
        assertThatThrownBy(() -> ChannelOptions.defaults().withSlotLength(24)).hasMessageContaining("slot length 24");
        assertThatThrownBy(() -> aperture.publisher("x", Codecs.longs(),
            options.withMaxMessageLength(1 << 13)))
            .hasMessageContaining("max message length 8192 > 8184");
        assertThatThrownBy(() -> ChannelOptions.defaults().withDemandWindow(0)).hasMessageContaining("demand window 0");
        assertThat(Mono.just(1).block()).isEqualTo(1);
    }
}
