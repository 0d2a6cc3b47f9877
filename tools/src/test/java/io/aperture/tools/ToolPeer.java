package io.aperture.tools;

import io.aperture.Aperture;
import io.aperture.ChannelOptions;
import io.aperture.Codec;
import io.aperture.Codecs;
import io.aperture.Waiting;
import reactor.core.publisher.Flux;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * The other processes of the tool tests: a publisher or a subscriber of longs, which prints what the test awaits,
 * one fact per line. Every role waits by blocking (never spins).
 *
 * <pre>
 *   publish        DIR CHANNEL COUNT CAPACITY LINGER_S   publishes 0..COUNT-1 on a ring of CAPACITY bytes, completes,
 *                                                        prints "published N in T ms"; with LINGER_S &gt; 0 keeps the
 *                                                        ring that long and stays alive until killed
 *   publish-endless DIR CHANNEL LIVENESS_MS              publishes 0, 1, 2, ... until killed (liveness interval LIVENESS_MS)
 *   publish-fail   DIR CHANNEL COUNT MESSAGE             publishes 0..COUNT-1, then fails with IllegalStateException(MESSAGE);
 *                                                        keeps the ring and stays alive until killed
 *   publish-custom DIR CHANNEL COUNT                     as publish (64 KiB ring, no linger), with a codec the tool does
 *                                                        not know ("point-v1": two ints)
 *   receive-custom DIR CHANNEL                           receives "point-v1" values until the end, prints "received N"
 *   receive        DIR CHANNEL PAUSE_US                  receives until the end, PAUSE_US of work per element; checks
 *                                                        each is the previous + 1; prints "received N ordered B" then
 *                                                        "complete" or "error E"
 * </pre>
 */
public final class ToolPeer {
    /** The system property naming what this peer's own sections are made of ({@link ChannelOptions.Sections}). */
    static final String SECTIONS_PROPERTY = "aperture.test.sections";

    private ToolPeer() {
    }

    public static void main(String[] args) {
        String role = args[0];
        Path directory = Path.of(args[1]);
        String channel = args[2];
        ChannelOptions options = ChannelOptions.defaults().withWaiting(Waiting.BLOCKING)
            .withSections(ChannelOptions.Sections.valueOf(System.getProperty(SECTIONS_PROPERTY, "AUTO")))
            .withAttachTimeout(Duration.ofSeconds(30));
        try {
            switch (role) {
                case "publish": {
                    long count = Long.parseLong(args[3]);
                    int linger = Integer.parseInt(args[5]);
                    ChannelOptions o = options.withRingCapacity(Integer.parseInt(args[4]))
                        .withLinger(Duration.ofSeconds(linger));
                    long start = System.nanoTime();
                    Aperture.create(directory, o).publisher(channel, Codecs.longs(), o).publish(counting(count))
                        .block(Duration.ofMinutes(2));
                    System.out.println("published " + count + " in " + (System.nanoTime() - start) / 1_000_000 + " ms");
                    if (linger > 0) {
                        idleUntilKilled();
                    }
                    break;
                }
                case "publish-endless": {
                    ChannelOptions o = options.withLivenessInterval(Duration.ofMillis(Long.parseLong(args[3])));
                    Aperture.create(directory, o).publisher(channel, Codecs.longs(), o).publish(counting(Long.MAX_VALUE))
                        .block(Duration.ofMinutes(5));
                    System.out.println("publish ended");
                    break;
                }
                case "publish-fail": {
                    ChannelOptions o = options.withLinger(Duration.ofMinutes(5));
                    try {
                        Aperture.create(directory, o).publisher(channel, Codecs.longs(), o)
                            .publish(counting(Long.parseLong(args[3]))
                                .concatWith(Flux.error(new IllegalStateException(args[4]))))
                            .block(Duration.ofMinutes(2));
                        System.out.println("publish ended without the error");
                    } catch (IllegalStateException expected) {
                        System.out.println("publish failed as told: " + expected.getMessage());
                    }
                    idleUntilKilled();
                    break;
                }
                case "publish-custom": {
                    long count = Long.parseLong(args[3]);
                    Aperture.create(directory, options).publisher(channel, POINT, options)
                        .publish(counting(count).map(i -> new int[] {i.intValue(), -i.intValue()}))
                        .block(Duration.ofMinutes(2));
                    System.out.println("published " + count);
                    break;
                }
                case "receive-custom":
                    System.out.println("received " + Aperture.create(directory, options).subscriber(channel, POINT,
                        options).receive().count().block(Duration.ofMinutes(2)));
                    break;
                case "receive":
                    receive(Aperture.create(directory, options), channel, Long.parseLong(args[3]));
                    break;
                default:
                    throw new IllegalArgumentException("unknown role " + role);
            }
            System.out.println("exit 0");
            System.exit(0);
        } catch (Throwable t) {
            System.out.println("failed " + t);
            t.printStackTrace(System.out);
            System.exit(1);
        }
    }

    /** A codec of the tests only, unknown to the tool: an {x, y} pair of ints. */
    static final Codec<int[]> POINT = new Codec<>() {
        @Override
        public String name() {
            return "point-v1";
        }

        @Override
        public void encode(int[] value, ByteBuffer window) {
            window.putInt(value[0]).putInt(value[1]);
        }

        @Override
        public int[] decode(ByteBuffer window) {
            return new int[] {window.getInt(), window.getInt()};
        }
    };

    /** 0, 1, ..., count - 1 then complete, generated on demand. */
    static Flux<Long> counting(long count) {
        return Flux.generate(() -> 0L, (i, sink) -> {
            if (i < count) {
                sink.next(i);
            } else {
                sink.complete();
            }
            return i + 1;
        });
    }

    private static void receive(Aperture aperture, String channel, long pauseMicros) {
        AtomicLong received = new AtomicLong();
        boolean[] ordered = {true};
        try {
            aperture.subscriber(channel, Codecs.longs()).receive()
                .doOnSubscribe(s -> System.out.println("subscribed"))
                .doOnNext(v -> {
                    if (v != received.getAndIncrement()) {
                        ordered[0] = false;
                    }
                    if (pauseMicros > 0) {
                        LockSupport.parkNanos(pauseMicros * 1000); // a slow consumer's work, not a synchronisation
                    }
                })
                .blockLast(Duration.ofMinutes(2));
            System.out.println("received " + received.get() + " ordered " + ordered[0]);
            System.out.println("complete");
        } catch (RuntimeException e) {
            System.out.println("received " + received.get() + " ordered " + ordered[0]);
            System.out.println("error " + e);
        }
    }

    /** Keeps the process (and so its lingering ring) alive until the test kills it. */
    private static void idleUntilKilled() {
        System.out.println("idle");
        System.out.flush();
        while (true) {
            LockSupport.parkNanos(Duration.ofSeconds(1).toNanos());
        }
    }
}
