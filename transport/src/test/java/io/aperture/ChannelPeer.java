package io.aperture;

import io.aperture.internal.section.ChannelFiles;
import reactor.core.publisher.Flux;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The other process of the cross-process tests. Prints what the test awaits, one fact per line, and
 * exits 0 when its role is done (non-zero on an unexpected failure).
 *
 * <pre>
 *   publish-longs  DIR CHANNEL COUNT           publishes 0..COUNT-1, prints "requested-total N" and "produced N" at the end
 *   publish-fail   DIR CHANNEL COUNT MESSAGE   publishes 0..COUNT-1 then fails with IllegalStateException(MESSAGE)
 *   publish-endless DIR CHANNEL                publishes 0, 1, 2, ... until cancelled; prints "upstream-cancelled"
 *   produce-longs  DIR CHANNEL PRODUCER COUNT OFFSET
 *                                              publishes OFFSET+0..OFFSET+COUNT-1 as producer PRODUCER of CHANNEL,
 *                                              prints "produced N" at the end
 *   receive-take   DIR CHANNEL COUNT           receives COUNT longs, cancels, prints "received N sum S"
 *   receive-forever DIR CHANNEL                receives with unbounded demand until killed; prints "attached"
 *   receive-idle   DIR CHANNEL WAITING         subscribes (unbounded demand) waiting as WAITING, prints "attached" once
 *                                              its section exists, then receives until the channel ends
 *   receive-paced  DIR CHANNEL COUNT PAUSE_US JOIN
 *                                              receives COUNT longs joining at JOIN (LATEST or OLDEST), pausing PAUSE_US
 *                                              every 1,000; checks each is the previous + 1; prints
 *                                              "first F received N sum S ordered B" (or "error E" when the stream fails)
 *   receive-hold   DIR CHANNEL N               requests N, prints "held N" once it has them, then waits for the end and
 *                                              prints "error E" or "complete" (it never requests more)
 *   receive-all    DIR CHANNEL                 receives until the end, prints "complete received N" or "error E"
 *   receive-context DIR CHANNEL KEY VALUE SEND
 *                                              receives one utf8 value with KEY=VALUE in its Reactor context, sent to the
 *                                              publisher when SEND is true (withContextKeys(KEY)); prints "got V"
 *   receive-utf8   DIR CHANNEL                 subscribes with the utf8 codec (a channel of longs refuses it); prints
 *                                              "error E" at the end
 *   receive-decode-fail DIR CHANNEL AT         receives longs with a codec named "long" whose decode throws on its AT-th record;
 *                                              prints "error E" at the end
 *   receive-report DIR CHANNEL [MARK]          receives until the end, prints "flowing" after MARK values (10,000 by
 *                                              default), then "complete received N" or "error E"
 *   receive-slow   DIR CHANNEL DELAY_MS        unbounded demand, DELAY_MS of work per element; prints "error E" at the end
 *   ring-publish   DIR CHANNEL COUNT BATCH     raw ring API: writes 0..COUNT-1, flushing every BATCH (1: publish each),
 *                                              completes, prints "written N"
 *   ring-drain     DIR CHANNEL WAITING         raw ring API: drains longs waiting as WAITING, checks each is the
 *                                              previous + 1, prints "drained N sum S" then "complete" or "error E"
 *   receive-large  DIR CHANNEL MAX_BYTES       receives byte[] messages (fragments up to MAX_BYTES) until the end, prints
 *                                              "large N bytes crc C at T" for each (T: nanoTime when
 *                                              received, before the checksum), then "complete" or "error E"
 * </pre>
 */
public final class ChannelPeer {
    /** The system property naming what this peer's own sections are made of ({@link ChannelOptions.Sections}). */
    static final String SECTIONS_PROPERTY = "aperture.test.sections";

    private ChannelPeer() {
    }

    public static void main(String[] args) {
        String role = args[0];
        Aperture aperture = Aperture.create(Path.of(args[1]),
            ChannelOptions.defaults().withAttachTimeout(Duration.ofSeconds(30))
                .withSections(ChannelOptions.Sections.valueOf(System.getProperty(SECTIONS_PROPERTY, "AUTO"))));
        String channel = args[2];
        try {
            switch (role) {
                case "publish-longs":
                    publishLongs(aperture, channel, Long.parseLong(args[3]));
                    break;
                case "produce-longs":
                    produceLongs(aperture, channel, args[3], Long.parseLong(args[4]), Long.parseLong(args[5]));
                    break;
                case "publish-fail":
                    publishFail(aperture, channel, Long.parseLong(args[3]), args[4]);
                    break;
                case "publish-endless":
                    publishEndless(aperture, channel);
                    break;
                case "receive-forever":
                    aperture.subscriber(channel, Codecs.longs()).receive()
                        .doOnSubscribe(s -> System.out.println("attached"))
                        .blockLast(Duration.ofMinutes(5));
                    break;
                case "receive-take":
                    receiveTake(aperture, channel, Long.parseLong(args[3]));
                    break;
                case "receive-idle":
                    receiveIdle(aperture, channel, Waiting.valueOf(args[3]));
                    break;
                case "receive-paced":
                    receivePaced(aperture, channel, Long.parseLong(args[3]), Long.parseLong(args[4]),
                        ChannelOptions.JoinAt.valueOf(args[5]));
                    break;
                case "receive-hold":
                    receiveHold(aperture, channel, Long.parseLong(args[3]));
                    break;
                case "receive-all":
                    receiveAll(aperture, channel);
                    break;
                case "receive-slow":
                    receiveSlow(aperture, channel, Long.parseLong(args[3]));
                    break;
                case "ring-publish":
                    ringPublish(aperture, channel, Long.parseLong(args[3]), Integer.parseInt(args[4]));
                    break;
                case "ring-drain":
                    ringDrain(aperture, channel, Waiting.valueOf(args[3]));
                    break;
                case "receive-context": {
                    String key = args[3];
                    ChannelOptions options = Boolean.parseBoolean(args[5]) ? aperture.defaults().withContextKeys(key)
                        : aperture.defaults();
                    String got = aperture.subscriber(channel, Codecs.utf8(), options).receive()
                        .next()
                        .contextWrite(reactor.util.context.Context.of(key, args[4]))
                        .block(Duration.ofMinutes(1));
                    System.out.println("got " + got);
                    break;
                }
                case "receive-utf8":
                    try {
                        aperture.subscriber(channel, Codecs.utf8()).receive().blockLast(Duration.ofMinutes(5));
                        System.out.println("complete");
                    } catch (RuntimeException e) {
                        System.out.println("error " + e);
                    }
                    break;
                case "receive-decode-fail":
                    receiveDecodeFail(aperture, channel, Long.parseLong(args[3]));
                    break;
                case "receive-report":
                    receiveReport(aperture, channel, args.length > 3 ? Long.parseLong(args[3]) : 10_000);
                    break;
                case "receive-large":
                    receiveLarge(aperture, channel, Integer.parseInt(args[3]));
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

    private static void publishLongs(Aperture aperture, String channel, long count) {
        AtomicLong requested = new AtomicLong();
        AtomicLong produced = new AtomicLong();
        System.out.println("publishing " + count);
        aperture.publisher(channel, Codecs.longs())
            .publish(counting(count)
                .doOnRequest(n -> requested.updateAndGet(r -> r + n < 0 ? Long.MAX_VALUE : r + n))
                .doOnNext(v -> produced.incrementAndGet()))
            .block(Duration.ofMinutes(5));
        System.out.println("requested-total " + requested.get());
        System.out.println("produced " + produced.get());
    }

    private static void ringPublish(Aperture aperture, String channel, long count, int batch) throws Exception {
        long written = 0;
        try (RingPublisher<Long> ring = aperture.publisher(channel, Codecs.longs()).open()) {
            for (long i = 0; i < count; i++) {
                boolean ok = batch == 1 ? ring.publish(i) : ring.write(i);
                if (!ok) {
                    break;
                }
                written++;
                if (batch > 1 && written % batch == 0) {
                    ring.flush();
                }
            }
            ring.complete();
            if (!ring.awaitTermination(Duration.ofMinutes(2))) {
                throw new IllegalStateException("channel did not end");
            }
        }
        System.out.println("written " + written);
    }

    private static void ringDrain(Aperture aperture, String channel, Waiting waiting) throws Exception {
        long[] state = new long[2]; // count, sum (drain thread only until the drain ended)
        RingDrain drain = aperture.subscriber(channel, Codecs.longs(), aperture.defaults().withWaiting(waiting))
            .drain(v -> {
                if (v != state[0]) {
                    throw new IllegalStateException("expected " + state[0] + " got " + v);
                }
                state[0]++;
                state[1] += v;
            });
        if (!drain.await(Duration.ofMinutes(2))) {
            throw new IllegalStateException("drain did not end");
        }
        System.out.println("drained " + state[0] + " sum " + state[1]);
        System.out.println(drain.isCompleted() ? "complete" : "error " + drain.failure());
    }

    private static void produceLongs(Aperture aperture, String channel, String producer, long count, long offset) {
        AtomicLong produced = new AtomicLong();
        System.out.println("producing " + count);
        aperture.producer(channel, producer, Codecs.longs())
            .publish(counting(count).map(i -> offset + i).doOnNext(v -> produced.incrementAndGet()))
            .block(Duration.ofMinutes(5));
        System.out.println("produced " + produced.get());
    }

    private static void publishFail(Aperture aperture, String channel, long count, String message) {
        try {
            aperture.publisher(channel, Codecs.longs())
                .publish(counting(count).concatWith(Flux.error(new IllegalStateException(message))))
                .block(Duration.ofMinutes(5));
            System.out.println("publish ended without the error");
        } catch (IllegalStateException expected) {
            System.out.println("publish failed as told: " + expected.getMessage());
        }
    }

    private static void publishEndless(Aperture aperture, String channel) {
        aperture.publisher(channel, Codecs.longs())
            .publish(counting(Long.MAX_VALUE).doOnCancel(() -> System.out.println("upstream-cancelled")))
            .block(Duration.ofMinutes(5));
        System.out.println("publish completed");
    }

    private static void receiveIdle(Aperture aperture, String channel, Waiting waiting) throws Exception {
        CompletableFuture<Void> done = aperture.subscriber(channel, Codecs.longs(),
            aperture.defaults().withWaiting(waiting)).receive().then().toFuture(); // then(): unbounded request
        Path section = ChannelFiles.subscriberPath(aperture.directory(), channel, 0);
        Await.until(() -> Files.exists(section), Duration.ofSeconds(30), () -> "own section " + section);
        System.out.println("attached waiting " + waiting);
        done.get(5, TimeUnit.MINUTES);
    }

    private static void receiveDecodeFail(Aperture aperture, String channel, long at) {
        Codec<Long> failing = new Codec<>() {
            @Override
            public String name() {
                return "long";
            }

            @Override
            public void encode(Long value, java.nio.ByteBuffer window) {
                window.putLong(value);
            }

            private long decoded;

            @Override
            public Long decode(java.nio.ByteBuffer window) {
                long value = window.getLong();
                if (++decoded == at) {
                    throw new IllegalStateException("record " + at + " is not welcome here");
                }
                return value;
            }
        };
        try {
            aperture.subscriber(channel, failing).receive().blockLast(Duration.ofMinutes(5));
            System.out.println("complete");
        } catch (RuntimeException e) {
            System.out.println("error " + e);
        }
    }

    private static void receiveReport(Aperture aperture, String channel, long mark) {
        long[] received = new long[1];
        try {
            aperture.subscriber(channel, Codecs.longs()).receive()
                .doOnNext(v -> {
                    if (++received[0] == mark) {
                        System.out.println("flowing");
                    }
                })
                .blockLast(Duration.ofMinutes(5));
            System.out.println("complete received " + received[0]);
        } catch (RuntimeException e) {
            System.out.println("error " + e);
            e.printStackTrace(System.out);
        }
    }

    private static void receiveTake(Aperture aperture, String channel, long count) {
        long[] sum = new long[1];
        Long received = aperture.subscriber(channel, Codecs.longs()).receive()
            .take(count)
            .doOnNext(v -> sum[0] += v)
            .count()
            .block(Duration.ofMinutes(5));
        System.out.println("received " + received + " sum " + sum[0]);
    }

    private static void receivePaced(Aperture aperture, String channel, long count, long pauseUs,
                                     ChannelOptions.JoinAt joinAt) {
        long[] first = {-1};
        long[] previous = {-1};
        boolean[] ordered = {true};
        long[] sum = {0};
        long[] received = {0};
        try {
            aperture.subscriber(channel, Codecs.longs(), aperture.defaults().withJoinAt(joinAt)).receive()
                .take(count)
                .doOnNext(v -> {
                    if (first[0] < 0) {
                        first[0] = v;
                    } else if (v != previous[0] + 1) {
                        ordered[0] = false;
                    }
                    previous[0] = v;
                    sum[0] += v;
                    if (++received[0] % 1000 == 0 && pauseUs > 0) {
                        java.util.concurrent.locks.LockSupport.parkNanos(pauseUs * 1000); // a slow consumer's work
                    }
                })
                .blockLast(Duration.ofMinutes(5));
            System.out.println("first " + first[0] + " received " + received[0] + " sum " + sum[0] + " ordered " + ordered[0]);
        } catch (RuntimeException e) {
            System.out.println("error " + e + " after first " + first[0] + " received " + received[0] + " ordered "
                + ordered[0]);
        }
    }

    private static void receiveHold(Aperture aperture, String channel, long n) throws Exception {
        CompletableFuture<String> end = new CompletableFuture<>();
        long[] received = {0};
        aperture.subscriber(channel, Codecs.longs()).receive().subscribe(new reactor.core.publisher.BaseSubscriber<Long>() {
            @Override
            protected void hookOnSubscribe(org.reactivestreams.Subscription subscription) {
                subscription.request(n);
            }

            @Override
            protected void hookOnNext(Long value) {
                if (++received[0] == n) {
                    System.out.println("held " + n);
                }
            }

            @Override
            protected void hookOnError(Throwable throwable) {
                end.complete("error " + throwable);
            }

            @Override
            protected void hookOnComplete() {
                end.complete("complete");
            }
        });
        System.out.println(end.get(5, TimeUnit.MINUTES));
    }

    private static void receiveAll(Aperture aperture, String channel) {
        try {
            Long count = aperture.subscriber(channel, Codecs.longs()).receive().count().block(Duration.ofMinutes(5));
            System.out.println("complete received " + count);
        } catch (RuntimeException e) {
            System.out.println("error " + e);
        }
    }

    private static void receiveSlow(Aperture aperture, String channel, long delayMs) {
        long[] received = {0};
        try {
            aperture.subscriber(channel, Codecs.longs()).receive()
                .doOnNext(v -> {
                    received[0]++;
                    java.util.concurrent.locks.LockSupport.parkNanos(delayMs * 1_000_000L); // a slow consumer's work
                })
                .blockLast(Duration.ofMinutes(5));
            System.out.println("complete received " + received[0]);
        } catch (RuntimeException e) {
            System.out.println("error " + e);
            e.printStackTrace(System.out);
        }
    }

    private static void receiveLarge(Aperture aperture, String channel, int maxBytes) {
        try {
            aperture.subscriber(channel, Codecs.bytes(), aperture.defaults().withMaxFragmentedMessageLength(maxBytes))
                .receive()
                .doOnNext(bytes -> {
                    long at = System.nanoTime(); // CLOCK_MONOTONIC: comparable with the parent's clock
                    java.util.zip.CRC32 crc = new java.util.zip.CRC32();
                    crc.update(bytes);
                    System.out.println("large " + bytes.length + " bytes crc " + crc.getValue() + " at " + at);
                })
                .blockLast(Duration.ofMinutes(5));
            System.out.println("complete");
        } catch (RuntimeException e) {
            System.out.println("error " + e);
        }
    }
}
