package io.aperture;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.test.StepVerifier;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The four interaction models between processes: this JVM and {@link InteractionPeer} JVMs, one as the responder
 * and the other as requester(s). Every test has a timeout and kills its children in teardown; conditions are
 * awaited, never slept on.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class InteractionsCrossProcessTest {
    private static final Duration WAIT = Duration.ofSeconds(60);

    private final Path directory = TestDirectories.create();
    private final Aperture aperture = Aperture.create(directory, InteractionPeer.options());
    private final List<ChildJvm> children = new ArrayList<>();
    private final List<Disposable> disposables = new ArrayList<>();
    private final List<String> events = new CopyOnWriteArrayList<>();
    private boolean expectEmpty = true;

    private ChildJvm child(String role, Object... args) {
        Object[] all = new Object[args.length + 1];
        all[0] = role;
        System.arraycopy(args, 0, all, 1, args.length);
        ChildJvm child = ChildJvm.start(InteractionPeer.class, all);
        children.add(child);
        return child;
    }

    /** A responder in another process, serving {@link EchoService} on {@code service}. */
    private ChildJvm remoteResponder(String service) {
        ChildJvm responder = child("serve", directory, service);
        responder.awaitLine("serving"::equals, WAIT);
        return responder;
    }

    private ServiceConnection<String, String> connect(String service, String name) {
        ServiceConnection<String, String> connection = aperture.requester(service, name, Codecs.utf8(), Codecs.utf8())
            .connect().block(WAIT);
        disposables.add(connection);
        return connection;
    }

    private void serveHere(String service) {
        disposables.add(aperture.responder(service, Codecs.utf8(), Codecs.utf8()).serve(new EchoService(events::add)).subscribe());
    }

    @AfterEach
    void tearDown() {
        disposables.forEach(Disposable::dispose);
        try {
            if (expectEmpty) { // before the children are killed: every live end removes its own files
                Await.until(() -> TestDirectories.files(directory).isEmpty(), Duration.ofSeconds(10),
                    () -> "files left: " + TestDirectories.files(directory));
            }
        } finally {
            TestDirectories.endCrossProcessTest(directory, children, Duration.ofSeconds(20), false);
        }
    }

    @Test
    void shouldAnswerRequestResponsesEachWithItsOwnAnswer() {
        remoteResponder("rr");
        ServiceConnection<String, String> connection = connect("rr", "test");

        StepVerifier.create(connection.requestResponse("hello"))
            .expectNext("HELLO")
            .verifyComplete();
        StepVerifier.create(connection.requestResponse("empty")).verifyComplete();
        // 500 interactions in flight together: each answer reaches the interaction that asked for it.
        List<String> mismatches = Flux.range(0, 500)
            .flatMap(i -> connection.requestResponse("q-" + i)
                .filter(answer -> !answer.equals(("q-" + i).toUpperCase(Locale.ROOT)))
                .map(answer -> "q-" + i + " answered " + answer), 64)
            .collectList().block(WAIT);
        assertThat(mismatches).isEmpty();
    }

    @Test
    void shouldProduceOnlyWhatTheRequesterAskedForInARequestStream() {
        ChildJvm responder = remoteResponder("stream");
        ServiceConnection<String, String> connection = connect("stream", "test");

        StepVerifier.create(connection.requestStream("endless:a"), 0)
            .thenRequest(3)
            .expectNext("0", "1", "2")
            .thenRequest(2)
            .expectNext("3", "4")
            .thenCancel()
            .verify(WAIT);
        // The responder's handler Flux was asked for 5 in all: it produced 5 when the cancel reached it.
        responder.awaitLine("stream-cancelled a produced 5"::equals, WAIT);

        StepVerifier.create(connection.requestStream("count:1000"), 0)
            .thenRequest(1000)
            .expectNextCount(1000)
            .verifyComplete();
    }

    @Test
    void shouldHonourDemandBothWaysInARequestChannel() {
        remoteResponder("channel");
        ServiceConnection<String, String> connection = connect("channel", "test");
        AtomicLong requestedOfRequests = new AtomicLong();
        Flux<String> requests = Flux.range(0, 10).map(String::valueOf).doOnRequest(n -> requestedOfRequests.addAndGet(n));

        StepVerifier.create(connection.requestChannel(requests), 0)
            .thenRequest(2)
            .expectNext("0!", "1!")
            // the handler (requests.map) asks for what its downstream asked for: 2, and no more
            .then(() -> assertThat(requestedOfRequests.get()).isEqualTo(2))
            .thenRequest(8)
            .expectNext("2!", "3!", "4!", "5!", "6!", "7!", "8!", "9!")
            .verifyComplete();
        assertThat(requestedOfRequests.get()).isEqualTo(10);
    }

    @Test
    void shouldCancelTheRequestsOfARequestChannelWhenTheRequesterCancels() {
        ChildJvm responder = remoteResponder("channel-cancel");
        ServiceConnection<String, String> connection = connect("channel-cancel", "test");

        StepVerifier.create(connection.requestChannel(Flux.<String, Long>generate(() -> 0L, (i, sink) -> {
            sink.next(String.valueOf(i));
            return i + 1;
        })), 0)
            .thenRequest(3)
            .expectNext("0!", "1!", "2!")
            .thenCancel()
            .verify(WAIT);
        responder.awaitLine("channel-requests-cancelled"::equals, WAIT);
    }

    @Test
    void shouldCompleteFireAndForgetOnceTheRequestIsInTheRing() {
        ChildJvm responder = remoteResponder("fnf");
        ServiceConnection<String, String> connection = connect("fnf", "test");

        StepVerifier.create(connection.fireAndForget("ping-1")).verifyComplete();
        responder.awaitLine("fnf ping-1"::equals, WAIT);
    }

    @Test
    void shouldCancelOnlyTheCancelledInteraction() {
        ChildJvm responder = remoteResponder("cancel-one");
        ServiceConnection<String, String> connection = connect("cancel-one", "test");

        StepVerifier.create(connection.requestStream("endless:kept"), 0)
            .thenRequest(2)
            .expectNext("0", "1")
            .then(() -> StepVerifier.create(connection.requestStream("endless:cancelled"), 0)
                .thenRequest(1)
                .expectNext("0")
                .thenCancel()
                .verify(WAIT))
            .then(() -> responder.awaitLine("stream-cancelled cancelled produced 1"::equals, WAIT))
            .thenRequest(3)
            .expectNext("2", "3", "4")
            .thenCancel()
            .verify(WAIT);
        responder.awaitLine("stream-cancelled kept produced 5"::equals, WAIT);
        assertThat(responder.lines()).filteredOn(l -> l.startsWith("stream-cancelled")).hasSize(2);
    }

    @Test
    void shouldDeliverAnErrorOfTheHandlerAsRemoteException() {
        remoteResponder("errors");
        ServiceConnection<String, String> connection = connect("errors", "test");

        StepVerifier.create(connection.requestResponse("fail:boom"))
            .expectErrorSatisfies(e -> assertThat(e).isInstanceOf(RemoteException.class)
                .hasMessageContaining("service 'errors'").hasMessageContaining("request-response")
                .satisfies(r -> {
                    assertThat(((RemoteException) r).remoteClassName()).isEqualTo(IllegalStateException.class.getName());
                    assertThat(((RemoteException) r).remoteMessage()).isEqualTo("boom");
                }))
            .verify(WAIT);
        StepVerifier.create(connection.requestStream("fail-after:3"), 0)
            .thenRequest(10)
            .expectNext("0", "1", "2")
            .expectErrorSatisfies(e -> assertThat(e).isInstanceOf(RemoteException.class).hasMessageContaining("after 3"))
            .verify(WAIT);
        StepVerifier.create(connection.requestChannel(Flux.just("x")))
            .expectNext("x!")
            .verifyComplete();
        // the connection is unharmed by the failed interactions
        StepVerifier.create(connection.requestResponse("still")).expectNext("STILL").verifyComplete();
    }

    @Test
    void shouldServeSeveralRequesterProcessesAtOnce() {
        serveHere("many");
        List<ChildJvm> callers = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            callers.add(child("call", directory, "many", "caller" + i, 300));
        }
        for (int i = 0; i < callers.size(); i++) {
            assertThat(callers.get(i).awaitExit(WAIT)).as("caller %d: %s", i, callers.get(i).lines()).isZero();
            assertThat(callers.get(i).lines()).contains("done caller" + i + " 300 50");
        }
    }

    @Test
    void shouldCancelTheInteractionsOfARequesterWhoseProcessDies() {
        serveHere("killed-requester");
        ChildJvm requester = child("hold-stream", directory, "killed-requester", "victim", 5);
        requester.awaitLine("held 5"::equals, WAIT);
        ChildJvm survivor = child("hold-stream", directory, "killed-requester", "survivor", 3);
        survivor.awaitLine("held 3"::equals, WAIT);

        requester.close(); // destroyForcibly
        Await.until(() -> events.contains("stream-cancelled victim produced 5"), WAIT, () -> "events " + events);
        assertThat(events).noneMatch(e -> e.startsWith("stream-cancelled survivor"));
        expectEmpty = false; // the killed requester's request ring stays until a requester of its name starts again
    }

    @Test
    void shouldFailPendingInteractionsWhenTheResponderProcessDies() {
        ChildJvm responder = remoteResponder("killed-responder");
        ServiceConnection<String, String> connection = connect("killed-responder", "test");

        StepVerifier.create(connection.requestStream("endless:s"), 0)
            .thenRequest(2)
            .expectNext("0", "1")
            .then(responder::close) // destroyForcibly
            .expectErrorSatisfies(e -> assertThat(e).isInstanceOf(ApertureException.class)
                .hasMessageContaining("service 'killed-responder'").hasMessageContaining("request-stream")
                .hasMessageContaining("died"))
            .verify(WAIT);
        StepVerifier.create(connection.onClose()).expectError(ApertureException.class).verify(WAIT);
        StepVerifier.create(connection.requestResponse("after"))
            .expectErrorSatisfies(e -> assertThat(e).isInstanceOf(ApertureException.class).hasMessageContaining("died"))
            .verify(WAIT);
        expectEmpty = false; // the killed responder's rings stay until a responder of the service starts again
    }

    @Test
    void shouldWaitForAResponderThatStartsLater() {
        var connecting = aperture.requester("late", "test", Codecs.utf8(), Codecs.utf8()).connect().toFuture();
        remoteResponder("late");

        ServiceConnection<String, String> connection = connecting.orTimeout(60, TimeUnit.SECONDS).join();
        disposables.add(connection);
        StepVerifier.create(connection.requestResponse("late")).expectNext("LATE").verifyComplete();
    }

    @Test
    void shouldFailClearlyWhenNoResponderAnswersWithinTheAttachTimeout() {
        Aperture impatient = Aperture.create(directory, InteractionPeer.options().withAttachTimeout(Duration.ofMillis(300)));

        StepVerifier.create(impatient.requester("nobody", "test", Codecs.utf8(), Codecs.utf8()).connect())
            .expectErrorSatisfies(e -> assertThat(e).isInstanceOf(ApertureException.class)
                .hasMessageContaining("service 'nobody'").hasMessageContaining("requester 'test'")
                .hasMessageContaining("no responder answered within the attach timeout (300 ms)"))
            .verify(WAIT);
    }
}
