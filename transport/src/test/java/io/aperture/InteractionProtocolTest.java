package io.aperture;

import io.aperture.internal.composite.Frame;
import io.aperture.internal.composite.FrameCodec;
import io.aperture.internal.composite.FrameDescriptor;
import io.aperture.internal.composite.FrameKind;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import reactor.core.Disposable;
import reactor.core.publisher.Sinks;
import reactor.test.StepVerifier;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The interaction frames and their validation: the envelope codec over plain buffers, then a real requester
 * against a fake responder, and a real responder against a fake requester, each fake writing raw frames through
 * the channel API. A frame that breaks the protocol ends the connection with an error naming the value; never a hang.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class InteractionProtocolTest {
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final FrameCodec<String> FRAMES = new FrameCodec<>(Codecs.utf8());

    private final Path directory = TestDirectories.create();
    private final Aperture aperture = Aperture.create(directory, InteractionPeer.options());
    private final List<Disposable> disposables = new ArrayList<>();

    @AfterEach
    void tearDown() {
        disposables.forEach(Disposable::dispose);
        TestDirectories.endCrossProcessTest(directory, List.of(), Duration.ofSeconds(20), false);
    }

    // ---- the envelope codec over plain buffers ----

    private static Frame<String> roundTrip(Frame<String> frame) {
        ByteBuffer window = ByteBuffer.allocate(4096).order(ByteOrder.nativeOrder());
        FRAMES.encode(frame, window);
        window.flip();
        return FRAMES.decode(window.asReadOnlyBuffer().order(ByteOrder.nativeOrder()));
    }

    private static Frame<String> decode(ByteBuffer raw) {
        return FRAMES.decode(raw.flip().asReadOnlyBuffer().order(ByteOrder.nativeOrder()));
    }

    private static ByteBuffer header(int kind, long id) {
        return ByteBuffer.allocate(256).order(ByteOrder.nativeOrder()).putInt(kind).putInt(0).putLong(id);
    }

    @Test
    void shouldCarryEveryKindThroughTheEnvelopeCodec() {
        assertThat(roundTrip(Frame.setup(0xABCDL)).n).isEqualTo(0xABCDL);
        Frame<String> stream = roundTrip(Frame.of(FrameKind.REQUEST_STREAM, 7, 3, "q"));
        assertThat(stream.kind).isEqualTo(FrameKind.REQUEST_STREAM);
        assertThat(stream.correlationId).isEqualTo(7);
        assertThat(stream.n).isEqualTo(3);
        assertThat(stream.value).isEqualTo("q");
        assertThat(roundTrip(Frame.of(FrameKind.REQUEST_CHANNEL, 8, Long.MAX_VALUE, null)).n).isEqualTo(Long.MAX_VALUE);
        assertThat(roundTrip(Frame.of(FrameKind.REQUEST_RESPONSE, 9, 0, "r")).value).isEqualTo("r");
        assertThat(roundTrip(Frame.of(FrameKind.FIRE_AND_FORGET, 10, 0, "f")).value).isEqualTo("f");
        assertThat(roundTrip(Frame.of(FrameKind.NEXT, 11, 0, "")).value).isEqualTo("");
        assertThat(roundTrip(Frame.signal(FrameKind.COMPLETE, 12)).kind).isEqualTo(FrameKind.COMPLETE);
        assertThat(roundTrip(Frame.signal(FrameKind.CANCEL, 13)).kind).isEqualTo(FrameKind.CANCEL);
        assertThat(roundTrip(Frame.requestN(14, 5)).n).isEqualTo(5);
        Frame<String> error = roundTrip(Frame.error(15, new IllegalStateException("boom")));
        assertThat(error.errorClass).isEqualTo(IllegalStateException.class.getName());
        assertThat(error.errorMessage).isEqualTo("boom");
        assertThat(roundTrip(Frame.error(16, new IllegalStateException())).errorMessage).isNull();
        assertThat(roundTrip(Frame.error(0, "x.Y", "m")).correlationId).isZero();
        assertThat(FRAMES.name()).isEqualTo("frames1/utf8");
    }

    @Test
    void shouldPinTheFrameLayout() {
        assertThat(FrameDescriptor.KIND_OFFSET).isEqualTo(0);
        assertThat(FrameDescriptor.FLAGS_OFFSET).isEqualTo(4);
        assertThat(FrameDescriptor.CORRELATION_OFFSET).isEqualTo(8);
        assertThat(FrameDescriptor.HEADER_LENGTH).isEqualTo(16);
        assertThat(FrameDescriptor.BODY_OFFSET).isEqualTo(16);
        assertThat(FrameDescriptor.SETUP_VERSION_OFFSET).isEqualTo(16);
        assertThat(FrameDescriptor.SETUP_CONNECTION_OFFSET).isEqualTo(24);
        assertThat(FrameDescriptor.SETUP_LENGTH).isEqualTo(32);
        assertThat(FrameDescriptor.REQUEST_N_LENGTH).isEqualTo(24);
        assertThat(FrameDescriptor.STREAM_VALUE_OFFSET).isEqualTo(24);
        assertThat(FrameDescriptor.ERROR_CLASS_MAX_BYTES).isEqualTo(256);
        assertThat(FrameDescriptor.ERROR_MESSAGE_MAX_BYTES).isEqualTo(1024);
        assertThat(FrameDescriptor.NO_MESSAGE).isEqualTo(0xFFFF);
        int[] codes = {FrameKind.SETUP.code, FrameKind.REQUEST_RESPONSE.code, FrameKind.REQUEST_STREAM.code,
            FrameKind.REQUEST_CHANNEL.code, FrameKind.FIRE_AND_FORGET.code, FrameKind.NEXT.code, FrameKind.COMPLETE.code,
            FrameKind.ERROR.code, FrameKind.CANCEL.code, FrameKind.REQUEST_N.code};
        assertThat(codes).containsExactly(1, 2, 3, 4, 5, 6, 7, 8, 9, 10);
        ByteBuffer window = ByteBuffer.allocate(64).order(ByteOrder.nativeOrder());
        FRAMES.encode(Frame.of(FrameKind.REQUEST_STREAM, 7, 3, "q"), window);
        assertThat(window.position()).isEqualTo(25);
        assertThat(window.getInt(0)).isEqualTo(3);
        assertThat(window.getInt(4)).isZero();
        assertThat(window.getLong(8)).isEqualTo(7);
        assertThat(window.getLong(16)).isEqualTo(3);
        assertThat(window.get(24)).isEqualTo((byte) 'q');
    }

    @Test
    void shouldNameTheValueOfEveryInvalidFrame() {
        assertThat(decode(header(77, 3)).problem).contains("unknown frame kind 77");
        assertThat(decode(header(0, 3)).problem).contains("unknown frame kind 0");
        assertThat(decode(header(FrameKind.REQUEST_N.code, 3).putLong(-5)).problem).contains("request-n -5");
        assertThat(decode(header(FrameKind.REQUEST_N.code, 3).putLong(0)).problem).contains("request-n 0");
        assertThat(decode(header(FrameKind.REQUEST_STREAM.code, 3).putLong(-1)).problem).contains("request-n -1");
        assertThat(decode(header(FrameKind.NEXT.code, -4)).problem).contains("correlation id -4");
        assertThat(decode(header(FrameKind.NEXT.code, 0)).problem).contains("correlation id 0");
        assertThat(decode(header(FrameKind.SETUP.code, 0).putInt(2).putInt(0).putLong(1)).problem).contains("version 2");
        assertThat(decode(ByteBuffer.allocate(8).order(ByteOrder.nativeOrder()).putLong(1).position(8)).problem)
            .contains("8 bytes").contains("16-byte header");
        assertThat(decode(ByteBuffer.allocate(32).order(ByteOrder.nativeOrder()).putInt(FrameKind.COMPLETE.code).putInt(9).putLong(1)).problem)
            .contains("flags 9");
        assertThat(decode(header(FrameKind.ERROR.code, 3).putShort((short) 300)).problem).contains("class length 300");
        assertThat(decode(header(FrameKind.COMPLETE.code, 3).putInt(1)).problem).contains("20 bytes");
        // a long's codec given one byte: the problem is that interaction's only
        Frame<Long> undecodable = new FrameCodec<>(Codecs.longs())
            .decode(header(FrameKind.NEXT.code, 3).put((byte) 1).flip().asReadOnlyBuffer().order(ByteOrder.nativeOrder()));
        assertThat(undecodable.isValid()).isFalse();
        assertThat(undecodable.interactionProblem).isTrue();
        assertThat(undecodable.problem).contains("codec 'long'").contains("correlation id 3");
    }

    @Test
    void shouldRefuseACodecWhoseNameIsTooLongToWrap() {
        Codec<String> longName = new Codec<>() {
            @Override
            public String name() {
                return "x".repeat(60);
            }

            @Override
            public void encode(String value, ByteBuffer window) {
            }

            @Override
            public String decode(ByteBuffer window) {
                return "";
            }
        };
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> aperture.responder("svc", longName, Codecs.utf8()))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("68 bytes");
    }

    // ---- a real requester against a fake responder ----

    /** Writes raw frames: its name is the envelope's, so a real end attaches to it. */
    private static final Codec<byte[]> RAW = new Codec<>() {
        @Override
        public String name() {
            return FRAMES.name();
        }

        @Override
        public void encode(byte[] value, ByteBuffer window) {
            window.put(value);
        }

        @Override
        public byte[] decode(ByteBuffer window) {
            throw new UnsupportedOperationException("write only");
        }
    };

    private static byte[] bytes(ByteBuffer b) {
        b.flip();
        byte[] out = new byte[b.remaining()];
        b.get(out);
        return out;
    }

    private static byte[] setup(long connection) {
        return bytes(header(FrameKind.SETUP.code, 0).putInt(FrameDescriptor.VERSION).putInt(0).putLong(connection));
    }

    /** A responder that accepts the connection and answers the first request with {@code reply}'s bytes. */
    private ServiceConnection<String, String> connectToFakeResponder(String service, Function<Frame<String>, byte[]> reply) {
        return connectToFakeResponder(service, reply, 1);
    }

    /** As above, the reply sent {@code times} times. */
    private ServiceConnection<String, String> connectToFakeResponder(String service, Function<Frame<String>, byte[]> reply,
                                                                     int times) {
        Sinks.Many<byte[]> out = Sinks.many().unicast().onBackpressureBuffer();
        disposables.add(aperture.subscriber(service, FRAMES).receiveFromProducersTagged(Integer.MAX_VALUE).subscribe(p -> {
            Frame<String> frame = p.value();
            if (frame.kind == FrameKind.SETUP) {
                String channel = FrameDescriptor.responseChannel(service, p.producer(), frame.n);
                disposables.add(aperture.publisher(channel, RAW).publish(out.asFlux()).subscribe());
                out.tryEmitNext(setup(frame.n));
            } else if (frame.kind.opens()) {
                for (int i = 0; i < times; i++) {
                    out.tryEmitNext(reply.apply(frame));
                }
            }
        }));
        ServiceConnection<String, String> connection = aperture.requester(service, "real", Codecs.utf8(), Codecs.utf8())
            .connect().block(WAIT);
        disposables.add(connection);
        return connection;
    }

    private void assertRequestFailsNaming(ServiceConnection<String, String> connection, String... parts) {
        StepVerifier.create(connection.requestResponse("q"))
            .expectErrorSatisfies(e -> {
                assertThat(e).isInstanceOf(ApertureException.class).hasMessageContaining("protocol error from the responder");
                for (String part : parts) {
                    assertThat(e).hasMessageContaining(part);
                }
            })
            .verify(WAIT);
        StepVerifier.create(connection.onClose()).expectError(ApertureException.class).verify(WAIT);
    }

    @Test
    void shouldFailTheConnectionOnAnUnknownFrameKindFromTheResponder() {
        assertRequestFailsNaming(connectToFakeResponder("kind", f -> bytes(header(77, f.correlationId))), "unknown frame kind 77");
    }

    @Test
    void shouldFailTheConnectionOnAnUnknownCorrelationIdFromTheResponder() {
        assertRequestFailsNaming(connectToFakeResponder("correlation",
                f -> bytes(header(FrameKind.NEXT.code, 99).put("x".getBytes(StandardCharsets.UTF_8)))),
            "unknown correlation id 99", "highest this connection opened is 1");
    }

    @Test
    void shouldFailTheConnectionOnANegativeRequestNFromTheResponder() {
        assertRequestFailsNaming(connectToFakeResponder("request-n",
            f -> bytes(header(FrameKind.REQUEST_N.code, f.correlationId).putLong(-5))), "request-n -5");
    }

    @Test
    void shouldFailAnInteractionThatGetsMoreThanItRequested() {
        ServiceConnection<String, String> connection = connectToFakeResponder("overflow", f -> {
            ByteBuffer b = ByteBuffer.allocate(64).order(ByteOrder.nativeOrder());
            return bytes(b.putInt(FrameKind.NEXT.code).putInt(0).putLong(f.correlationId).put("a".getBytes(StandardCharsets.UTF_8)));
        }, 2);
        // two NEXT frames for a stream that requested 1: the first is delivered, the second fails the interaction
        StepVerifier.create(connection.requestStream("s"), 0)
            .thenRequest(1)
            .expectNext("a")
            .expectErrorSatisfies(e -> assertThat(e).isInstanceOf(ApertureException.class)
                .hasMessageContaining("request-stream 1").hasMessageContaining("NEXT frame beyond the demand requested"))
            .verify(WAIT);
        // the connection itself goes on
        assertThat(connection.isDisposed()).isFalse();
    }

    @Test
    void shouldHandleAFireAndForgetWhoseRequesterDisposesRightAfterIt() {
        List<String> events = new CopyOnWriteArrayList<>();
        disposables.add(aperture.responder("fnf-dispose", Codecs.utf8(), Codecs.utf8()).serve(new EchoService(events::add))
            .subscribe());
        int rounds = 20;
        for (int i = 0; i < rounds; i++) {
            ServiceConnection<String, String> connection = aperture.requester("fnf-dispose", "quick-" + i, Codecs.utf8(),
                Codecs.utf8()).connect().block(WAIT);
            connection.fireAndForget("last words " + i).block(WAIT); // completes once the frame is in the ring
            connection.dispose(); // at once: the responder must still read and handle the frame
        }
        Await.until(() -> events.size() >= rounds, WAIT, () -> "every fire-and-forget handled, got " + events);
        assertThat(events).hasSize(rounds);
    }

    // ---- a real responder against a fake requester ----

    /** Connects a fake requester to a real responder, sends {@code bad}, and returns the responder's ERROR on the connection. */
    private Frame<String> responderAnswerTo(String service, byte[] bad) {
        disposables.add(aperture.responder(service, Codecs.utf8(), Codecs.utf8()).serve(new EchoService(e -> { })).subscribe());
        long connection = 0x5EED;
        Sinks.Many<byte[]> out = Sinks.many().unicast().onBackpressureBuffer();
        disposables.add(aperture.producer(service, "fake", RAW).publish(out.asFlux()).subscribe());
        List<Frame<String>> received = new CopyOnWriteArrayList<>();
        disposables.add(aperture.subscriber(FrameDescriptor.responseChannel(service, "fake", connection), FRAMES).receive()
            .subscribe(received::add));
        out.tryEmitNext(setup(connection));
        Await.until(() -> !received.isEmpty(), WAIT, () -> "the responder's SETUP");
        assertThat(received.get(0).kind).isEqualTo(FrameKind.SETUP);
        assertThat(received.get(0).n).isEqualTo(connection);
        out.tryEmitNext(bad);
        Await.until(() -> received.stream().anyMatch(f -> f.kind == FrameKind.ERROR), WAIT, () -> "an ERROR, got " + received);
        Frame<String> error = received.stream().filter(f -> f.kind == FrameKind.ERROR).findFirst().orElseThrow();
        assertThat(error.correlationId).as("on the connection").isZero();
        return error;
    }

    @Test
    void shouldAnswerAnUnknownFrameKindFromARequesterWithAConnectionError() {
        assertThat(responderAnswerTo("r-kind", bytes(header(77, 1))).errorMessage)
            .contains("requester 'fake'").contains("unknown frame kind 77");
    }

    @Test
    void shouldAnswerAnUnknownCorrelationIdFromARequesterWithAConnectionError() {
        assertThat(responderAnswerTo("r-correlation", bytes(header(FrameKind.REQUEST_N.code, 42).putLong(1))).errorMessage)
            .contains("unknown correlation id 42");
    }

    @Test
    void shouldAnswerANegativeRequestNFromARequesterWithAConnectionError() {
        assertThat(responderAnswerTo("r-request-n", bytes(header(FrameKind.REQUEST_STREAM.code, 1).putLong(-5)
            .put("count:3".getBytes(StandardCharsets.UTF_8)))).errorMessage)
            .contains("request-n -5");
    }

    @Test
    void shouldAnswerAReusedCorrelationIdWithAConnectionError() {
        // FIRE_AND_FORGET 1 is fine; opening 1 again is not
        byte[] fnf = bytes(header(FrameKind.FIRE_AND_FORGET.code, 1).put("a".getBytes(StandardCharsets.UTF_8)));
        String service = "r-reuse";
        disposables.add(aperture.responder(service, Codecs.utf8(), Codecs.utf8()).serve(new EchoService(e -> { })).subscribe());
        long connection = 0x5EED;
        Sinks.Many<byte[]> out = Sinks.many().unicast().onBackpressureBuffer();
        disposables.add(aperture.producer(service, "fake", RAW).publish(out.asFlux()).subscribe());
        List<Frame<String>> received = new CopyOnWriteArrayList<>();
        disposables.add(aperture.subscriber(FrameDescriptor.responseChannel(service, "fake", connection), FRAMES).receive()
            .subscribe(received::add));
        out.tryEmitNext(setup(connection));
        out.tryEmitNext(fnf);
        out.tryEmitNext(bytes(header(FrameKind.REQUEST_RESPONSE.code, 1).put("b".getBytes(StandardCharsets.UTF_8))));
        Await.until(() -> received.stream().anyMatch(f -> f.kind == FrameKind.ERROR), WAIT, () -> "an ERROR, got " + received);
        assertThat(received.stream().filter(f -> f.kind == FrameKind.ERROR).findFirst().orElseThrow().errorMessage)
            .contains("correlation id 1").contains("highest already opened, 1");
    }
}
