package io.aperture;

import io.aperture.internal.bridge.PublisherSession;
import org.reactivestreams.Subscriber;
import org.reactivestreams.Subscription;
import org.reactivestreams.tck.SubscriberBlackboxVerification;
import org.reactivestreams.tck.TestEnvironment;
import org.testng.annotations.AfterClass;
import org.testng.annotations.AfterMethod;
import org.testng.annotations.BeforeClass;
import reactor.core.Disposable;
import reactor.core.publisher.BaseSubscriber;
import reactor.core.publisher.Mono;
import reactor.core.publisher.MonoSink;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import static org.testng.Assert.assertEquals;
import static org.testng.Assert.assertNotNull;

/**
 * Reactive Streams TCK (black box) for the publisher end's inner subscriber: the {@link PublisherSession}
 * that {@link ChannelPublisher#publish} subscribes to its source. Each subscriber under test owns a real
 * ring, and a real remote end is attached to it: a {@link ChannelSubscriber#receive()} Flux on the same
 * channel in this JVM. The TCK plays the source: it calls {@code onSubscribe} on the session itself.
 *
 * <p>The remote end starts with no demand. {@link #triggerRequest} makes it request: the demand crosses the
 * subscriber section, and the session's conductor turns it into {@code request(n)} on the TCK's subscription.
 */
public class PublisherSubscriberTckTest extends SubscriberBlackboxVerification<Long> {
    /** Demand the remote end asks for when the TCK triggers a request. */
    private static final long TRIGGERED_DEMAND = 16;
    private static final Duration THREADS_END_TIMEOUT = Duration.ofSeconds(10);
    private static final ChannelOptions OPTIONS = ChannelOptions.defaults()
        .withRingCapacity(1 << 14)
        .withAttachTimeout(Duration.ofSeconds(1));
    private static final AtomicLong CHANNELS = new AtomicLong();

    // Made in @BeforeClass, not in field initialisers: the TestNG engine also instantiates the class to
    // discover its tests, and such an instance never runs @AfterClass.
    private Path directory;
    private Aperture aperture;
    private final List<String> channels = new CopyOnWriteArrayList<>();
    private final List<Disposable> disposables = new CopyOnWriteArrayList<>();
    private final Map<Subscriber<?>, RemoteEnd> remotes = Collections.synchronizedMap(new IdentityHashMap<>());

    public PublisherSubscriberTckTest() {
        super(new TestEnvironment(ReceivePublisherTckTest.DEFAULT_TIMEOUT_MS,
            ReceivePublisherTckTest.NO_SIGNALS_TIMEOUT_MS, ReceivePublisherTckTest.POLL_TIMEOUT_MS));
    }

    @Override
    public Subscriber<Long> createSubscriber() {
        String channel = "tck-session-" + CHANNELS.incrementAndGet();
        channels.add(channel);
        // The session is built as ChannelPublisher.publish builds it, minus the source: its completion goes to
        // a MonoSink whose disposal closes the session.
        AtomicReference<MonoSink<Void>> done = new AtomicReference<>();
        disposables.add(Mono.<Void>create(done::set).subscribe(ignored -> { }, error -> { }));
        assertNotNull(done.get(), "Mono.create hands its sink over on subscribe");
        PublisherSession<Long> session = new PublisherSession<>(directory, channel, Codecs.longs(), OPTIONS,
            upstream -> { }, done.get(), true);
        done.get().onDispose(session::close);
        session.start();

        RemoteEnd remote = new RemoteEnd();
        aperture.subscriber(channel, Codecs.longs()).receive().subscribe(remote);
        disposables.add(remote);
        remotes.put(session, remote);
        return session;
    }

    @Override
    public void triggerRequest(Subscriber<? super Long> subscriber) {
        RemoteEnd remote = remotes.get(subscriber);
        assertNotNull(remote, "no remote end for " + subscriber);
        remote.request(TRIGGERED_DEMAND);
    }

    @Override
    public Long createElement(int element) {
        return (long) element;
    }

    @AfterMethod(alwaysRun = true)
    public void closeChannels() throws InterruptedException {
        List<String> opened = new ArrayList<>(channels);
        channels.clear();
        disposables.forEach(Disposable::dispose);
        disposables.clear();
        remotes.clear();
        List<String> alive = TestThreads.awaitChannelThreadsEnded(opened, THREADS_END_TIMEOUT);
        assertEquals(alive, List.of(), "channel threads still alive: " + alive);
        List<String> files = TestDirectories.files(directory);
        assertEquals(files, List.of(), "section files left behind: " + files);
    }

    @BeforeClass
    public void createDirectory() {
        directory = TestDirectories.create();
        aperture = Aperture.create(directory, OPTIONS);
    }

    @AfterClass(alwaysRun = true)
    public void deleteDirectory() {
        TestDirectories.delete(directory);
    }

    /** The remote subscriber: requests only when told to; its signals are not under test here. */
    private static final class RemoteEnd extends BaseSubscriber<Long> {
        @Override
        protected void hookOnSubscribe(Subscription subscription) {
            // no demand until the TCK triggers a request
        }

        @Override
        protected void hookOnError(Throwable throwable) {
            // the remote end fails when a test closes the channel before completing it
        }
    }
}
