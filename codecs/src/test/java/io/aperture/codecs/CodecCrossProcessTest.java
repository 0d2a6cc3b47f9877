package io.aperture.codecs;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.google.protobuf.Struct;
import io.aperture.Aperture;
import io.aperture.ApertureException;
import io.aperture.Await;
import io.aperture.ChildJvm;
import io.aperture.IncompatibleChannelException;
import io.aperture.RemoteException;
import io.aperture.TestDirectories;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import reactor.test.StepVerifier;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every codec between two OS processes: a {@link CodecPeer} JVM publishes, this JVM subscribes. Also the
 * failures: another codec or schema at attach, a value that cannot be encoded, a record that cannot be
 * decoded, a message too large. Every test has a timeout and kills its child in teardown; conditions are
 * awaited, never slept on.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class CodecCrossProcessTest {
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final int COUNT = 2_000;
    private static final int SLOT_LENGTH = 64;
    private static final int RECORD_HEADER_LENGTH = 8;

    private final Path directory = TestDirectories.create();
    private final Aperture aperture = Aperture.create(directory, CodecPeer.OPTIONS);
    private final List<ChildJvm> children = new ArrayList<>();

    private ChildJvm child(String role, Object... args) {
        Object[] all = new Object[args.length + 1];
        all[0] = role;
        System.arraycopy(args, 0, all, 1, args.length);
        ChildJvm child = ChildJvm.start(CodecPeer.class, all);
        children.add(child);
        return child;
    }

    @AfterEach
    void tearDown() {
        TestDirectories.endCrossProcessTest(directory, children, Duration.ofSeconds(10), true);
    }

    @Test
    void shouldCarryJsonValuesToAnotherProcess() {
        ChildJvm publisher = child("publish-json", directory, "json", COUNT);
        StepVerifier.create(aperture.subscriber("json", JsonCodec.of(Quote.class)).receive())
            .expectNextSequence(CodecPeer.quotes(COUNT))
            .expectComplete()
            .verify(WAIT);
        assertThat(publisher.awaitExit(WAIT)).isZero();
        assertThat(publisher.lines()).contains("published " + COUNT);
    }

    @Test
    void shouldCarryProtobufMessagesToAnotherProcess() {
        ChildJvm publisher = child("publish-protobuf", directory, "protobuf", COUNT);
        StepVerifier.create(aperture.subscriber("protobuf", ProtobufCodec.of(Struct.class)).receive())
            .expectNextSequence(CodecPeer.structs(COUNT))
            .expectComplete()
            .verify(WAIT);
        assertThat(publisher.awaitExit(WAIT)).isZero();
    }

    @Test
    void shouldCarryFlyweightRecordsToAnotherProcessInOneReusedRecord() {
        int count = 100_000;
        ChildJvm publisher = child("publish-flyweight", directory, "flyweight", count);
        AtomicInteger index = new AtomicInteger();
        AtomicReference<Tick> first = new AtomicReference<>();
        Tick expected = new Tick();
        StepVerifier.create(aperture.subscriber("flyweight", new TickCodec()).receive()
                .doOnNext(tick -> { // valid until onNext returns: checked here, in place
                    assertThat(tick).isEqualTo(Fixtures.tick(index.getAndIncrement(), CodecPeer.SEED, expected));
                    first.compareAndSet(null, tick);
                    assertThat(tick).as("one record reused for every message").isSameAs(first.get());
                })
                .map(Tick::copy)
                .takeLast(1))
            .expectNext(Fixtures.tick(count - 1, CodecPeer.SEED, new Tick()))
            .expectComplete()
            .verify(WAIT);
        assertThat(index.get()).isEqualTo(count);
        assertThat(publisher.awaitExit(WAIT)).isZero();
    }

    @Test
    void shouldRefuseAnotherSchemaAtSubscribeNamingBothThenServeTheRightOne() {
        ChildJvm publisher = child("publish-json-schema", directory, "schema", 100, 1);
        StepVerifier.create(aperture.subscriber("schema", JsonCodec.of(Quote.class).withSchemaId(2)).receive())
            .expectErrorSatisfies(e -> assertThat(e).isInstanceOf(IncompatibleChannelException.class)
                .hasMessage("channel 'schema': publisher codec 'json:io.aperture.codecs.Quote' schema 1, "
                    + "subscriber codec 'json:io.aperture.codecs.Quote' schema 2"))
            .verify(WAIT);
        StepVerifier.create(aperture.subscriber("schema", JsonCodec.of(Quote.class).withSchemaId(1)).receive())
            .expectNextSequence(CodecPeer.quotes(100))
            .expectComplete()
            .verify(WAIT);
        assertThat(publisher.awaitExit(WAIT)).isZero();
    }

    @Test
    void shouldRefuseAnotherCodecAtSubscribeNamingBoth() {
        ChildJvm publisher = child("publish-protobuf", directory, "other", 10);
        StepVerifier.create(aperture.subscriber("other", JsonCodec.of(Quote.class)).receive())
            .expectErrorSatisfies(e -> assertThat(e).isInstanceOf(IncompatibleChannelException.class)
                .hasMessage("channel 'other': publisher codec 'protobuf:com.google.protobuf.Struct' schema 0, "
                    + "subscriber codec 'json:io.aperture.codecs.Quote' schema 0"))
            .verify(WAIT);
        StepVerifier.create(aperture.subscriber("other", ProtobufCodec.of(Struct.class)).receive())
            .expectNextCount(10)
            .expectComplete()
            .verify(WAIT);
        assertThat(publisher.awaitExit(WAIT)).isZero();
    }

    @Test
    void shouldCancelUpstreamAndSignalTheCauseWhenAValueCannotBeEncoded() {
        ChildJvm publisher = child("publish-poison", directory, "poison", 3);
        StepVerifier.create(aperture.subscriber("poison", JsonCodec.of(Order.class)).receive())
            .expectNext(new Order("A0", 0), new Order("A1", 1), new Order("A2", 2))
            .expectErrorSatisfies(e -> {
                assertThat(e).isInstanceOf(RemoteException.class);
                RemoteException remote = (RemoteException) e;
                assertThat(remote.remoteClassName()).isEqualTo(ApertureException.class.getName());
                assertThat(remote.remoteMessage())
                    .contains("codec 'json:io.aperture.codecs.Order' failed to encode element 4")
                    .contains("quantity -1 cannot be sent");
            })
            .verify(WAIT);
        assertThat(publisher.awaitExit(WAIT)).isZero();
        assertThat(publisher.lines()).contains("upstream-cancelled")
            .anyMatch(l -> l.startsWith("publish failed: io.aperture.ApertureException: channel 'poison': codec "
                + "'json:io.aperture.codecs.Order' failed to encode element 4"))
            .contains("root cause: java.lang.IllegalStateException: quantity -1 cannot be sent");
    }

    @Test
    void shouldSignalTheSequenceOfARecordThatCannotBeDecoded() {
        ChildJvm publisher = child("publish-json-tree", directory, "tree");
        List<JsonNode> trees = CodecPeer.trees();
        JsonCodec<JsonNode> treeCodec = JsonCodec.of(new ObjectMapper(), JsonNode.class);
        long sequence = 0; // the bad record's slot sequence: the records before it fill whole slots
        for (JsonNode tree : trees.subList(0, 2)) {
            sequence += (RECORD_HEADER_LENGTH + Fixtures.encodedLength(treeCodec, tree) + SLOT_LENGTH - 1) / SLOT_LENGTH;
        }
        int badLength = Fixtures.encodedLength(treeCodec, trees.get(2));
        String expected = "channel 'tree': codec 'json:io.aperture.codecs.Quote' failed to decode the " + badLength
            + "-byte record at seq " + sequence;
        StepVerifier.create(aperture.subscriber("tree", JsonCodec.of(Quote.class)).receive())
            .expectNext(new Quote("A", 1, 1, List.of()), new Quote("B", 2, 2, List.of("é")))
            .expectErrorSatisfies(e -> assertThat(e).isInstanceOf(ApertureException.class)
                .hasMessageStartingWith(expected)
                .hasCauseInstanceOf(IllegalArgumentException.class)
                .hasRootCauseInstanceOf(InvalidFormatException.class))
            .verify(WAIT);
        publisher.awaitLine("upstream-cancelled"::equals, WAIT);
        assertThat(publisher.awaitExit(WAIT)).isZero();
    }

    @ParameterizedTest
    @ValueSource(strings = {"json", "protobuf", "flyweight"})
    void shouldNameBothLengthsWhenAMessageIsTooLarge(String format) {
        String channel = "big-" + format;
        ChildJvm publisher = child("publish-too-large", directory, channel, format);
        boolean flyweight = format.equals("flyweight");
        long length = flyweight ? TickCodec.LENGTH : CodecPeer.MAX_MESSAGE_LENGTH + 1;
        int max = flyweight ? CodecPeer.FLYWEIGHT_TOO_SMALL_MAX : CodecPeer.MAX_MESSAGE_LENGTH;
        String message = "channel '" + channel + "': message length " + length + " > max message length " + max;
        StepVerifier.FirstStep<?> steps = StepVerifier.create(switch (format) {
            case "json" -> aperture.subscriber(channel, JsonCodec.of(Quote.class)).receive();
            case "protobuf" -> aperture.subscriber(channel, ProtobufCodec.of(Struct.class)).receive();
            default -> aperture.subscriber(channel, new TickCodec()).receive();
        });
        (flyweight ? steps : steps.expectNextCount(1)) // json, protobuf: a value of exactly the max length fits
            .expectErrorSatisfies(e -> {
                assertThat(e).isInstanceOf(RemoteException.class);
                assertThat(((RemoteException) e).remoteClassName()).isEqualTo("io.aperture.MessageTooLargeException");
                assertThat(((RemoteException) e).remoteMessage()).isEqualTo(message);
            })
            .verify(WAIT);
        assertThat(publisher.awaitExit(WAIT)).isZero();
        assertThat(publisher.lines()).contains("length " + length + " max " + max);
    }
}
