package io.aperture;

import org.reactivestreams.Publisher;
import org.reactivestreams.tck.PublisherVerification;
import org.reactivestreams.tck.TestEnvironment;
import org.testng.annotations.AfterClass;
import org.testng.annotations.AfterMethod;
import org.testng.annotations.BeforeClass;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;

import static org.testng.Assert.assertEquals;

/**
 * Reactive Streams TCK for the Flux of {@link ChannelSubscriber#receive()}: each publisher under test is the
 * subscribing end of a fresh channel whose publishing end runs in this JVM, already subscribed, and publishes
 * exactly the requested number of elements before it completes.
 *
 * <p>The channel is unicast (one subscriber section per ring): the optional multi-subscriber rules (§1.11)
 * end as skips.
 */
public class ReceivePublisherTckTest extends PublisherVerification<Long> {
    /** Signals cross two threads and a shared-memory ring; a 2-core build machine needs more than the 100 ms default. */
    static final long DEFAULT_TIMEOUT_MS = 1_000;
    /** How long "no further signal" is watched for. */
    static final long NO_SIGNALS_TIMEOUT_MS = 200;
    /** How often the TCK looks for an expected error (it otherwise sleeps the whole default timeout first). */
    static final long POLL_TIMEOUT_MS = 10;
    /** The ManualSubscriber is unreachable once the drain thread noticed the cancel and ended (§3.13). */
    private static final long PUBLISHER_REFERENCE_GC_TIMEOUT_MS = 300;
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
    private final List<Disposable> publishing = new CopyOnWriteArrayList<>();
    private final List<Throwable> publisherFailures = new CopyOnWriteArrayList<>();

    public ReceivePublisherTckTest() {
        super(new TestEnvironment(DEFAULT_TIMEOUT_MS, NO_SIGNALS_TIMEOUT_MS, POLL_TIMEOUT_MS), PUBLISHER_REFERENCE_GC_TIMEOUT_MS);
    }

    @Override
    public Publisher<Long> createPublisher(long elements) {
        // Lazy: the TCK asks for up to Integer.MAX_VALUE elements and only takes what it requests. The last
        // element and the completion go out together, so completion needs no extra demand.
        Flux<Long> source = Flux.generate(() -> 0L, (next, sink) -> {
            if (next < elements) {
                sink.next(next);
            }
            if (next + 1 >= elements) {
                sink.complete();
            }
            return next + 1;
        });
        return aperture.subscriber(open(source), Codecs.longs()).receive();
    }

    @Override
    public Publisher<Long> createFailedPublisher() {
        // A receive() that cannot serve: its channel's publisher writes another codec, so the subscriber gets
        // onSubscribe, then IncompatibleChannelException as onError, with no demand (§1.9 rejection after
        // onSubscribe). A source that fails is subscribed only once demand crossed, so it does not serve here.
        Codec<Long> otherCodec = new Codec<>() {
            @Override
            public String name() {
                return "long-other";
            }

            @Override
            public void encode(Long value, java.nio.ByteBuffer window) {
                Codecs.longs().encode(value, window);
            }

            @Override
            public Long decode(java.nio.ByteBuffer window) {
                return Codecs.longs().decode(window);
            }
        };
        return aperture.subscriber(open(Flux.never()), otherCodec).receive();
    }

    /** Starts publishing {@code source} on a fresh channel and returns its name. */
    private String open(Flux<Long> source) {
        String channel = "tck-receive-" + CHANNELS.incrementAndGet();
        channels.add(channel);
        publishing.add(aperture.publisher(channel, Codecs.longs()).publish(source)
            .subscribe(done -> { }, publisherFailures::add));
        return channel;
    }

    @AfterMethod(alwaysRun = true)
    public void closeChannels() throws InterruptedException {
        List<String> opened = new ArrayList<>(channels);
        channels.clear();
        publishing.forEach(Disposable::dispose);
        publishing.clear();
        // Closing the publisher ends its conductor, and any subscriber still attached fails and detaches.
        List<String> alive = TestThreads.awaitChannelThreadsEnded(opened, THREADS_END_TIMEOUT);
        assertEquals(alive, List.of(), "channel threads still alive: " + alive);
        List<String> files = TestDirectories.files(directory);
        assertEquals(files, List.of(), "section files left behind: " + files);
        List<Throwable> failures = new ArrayList<>(publisherFailures);
        publisherFailures.clear();
        assertEquals(failures, List.of(), "publishing ends failed: " + failures);
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
}
