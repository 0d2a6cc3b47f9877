package io.aperture.benchmarks.bench;

import io.aperture.Aperture;
import io.aperture.ChannelOptions;
import io.aperture.Codec;
import io.aperture.Codecs;
import org.reactivestreams.Subscription;
import reactor.core.publisher.BaseSubscriber;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Sinks;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Aperture: a {@code Flux} published in one JVM and received in another, default options (BLOCKING waits,
 * 1 MiB ring of 64-byte slots, demand window 1024) unless the scenario says otherwise.
 */
final class AperturePeer {
    private AperturePeer() {
    }

    static void run(String role, Params p) throws Exception {
        Duration timeout = Duration.ofSeconds(p.getLong("timeout"));
        Aperture aperture = Aperture.create(p.getPath("dir"),
            ChannelOptions.defaults().withAttachTimeout(Duration.ofSeconds(60))
                .withPayloadChecksums(p.getInt("checksums", 0) != 0));
        switch (role) {
            case "consumer" -> consume(aperture, p, timeout);
            case "producer" -> produce(aperture, p, timeout);
            case "pinger" -> ping(aperture, p, timeout);
            case "ponger" -> pong(aperture, timeout);
            default -> throw new IllegalArgumentException("role " + role);
        }
    }

    private static boolean bandwidth(Params p) {
        return p.get("scenario").equals("bw");
    }

    /**
     * The ring for 1 MiB messages: 8 MiB, max message = its size (default would be capacity / 8), and the 4 bytes
     * of a payload checksum when the channel carries them.
     */
    static ChannelOptions bandwidthOptions(ChannelOptions base, int size) {
        int capacity = Integer.highestOneBit(size) * 8;
        return base.withRingCapacity(capacity).withMaxMessageLength(size + (base.payloadChecksums() ? 4 : 0));
    }

    private static void consume(Aperture aperture, Params p, Duration timeout) throws Exception {
        long n = p.getLong("messages");
        int window = p.getInt("window", 0);
        ChannelOptions options = aperture.defaults();
        if (window > 0) {
            options = options.withDemandWindow(window);
        }
        BlockCodec blocks = bandwidth(p) ? new BlockCodec(p.getInt("size")) : null;
        boolean quads = !bandwidth(p) && p.getInt("size", Long.BYTES) == Quad.SIZE;
        BenchChild.ready();
        for (int r = 0; r < p.rounds(); r++) {
            long nanos;
            if (quads) {
                BenchChild.SequenceCheck<Quad> check = BenchChild.quadsCheck(n);
                aperture.subscriber("tp-" + r, new Quad.QuadCodec(), options).receive().subscribe(check);
                nanos = check.await(timeout);
                BenchChild.alloc(r, "consumer", check.allocated(), n - 1);
            } else {
                BenchChild.SequenceCheck<Long> check = BenchChild.longsCheck(n);
                Flux<Long> in = blocks != null
                    ? aperture.subscriber("bw-" + r, blocks, options).receive()
                    : aperture.subscriber("tp-" + r, Codecs.longs(), options).receive();
                in.subscribe(check);
                nanos = check.await(timeout);
                if (blocks == null) {
                    BenchChild.alloc(r, "consumer", check.allocated(), n - 1);
                }
            }
            BenchChild.round(r, n, nanos);
        }
    }

    private static void produce(Aperture aperture, Params p, Duration timeout) {
        long n = p.getLong("messages");
        for (int r = 0; r < p.rounds(); r++) {
            if (bandwidth(p)) {
                int size = p.getInt("size");
                aperture.publisher("bw-" + r, new BlockCodec(size), bandwidthOptions(aperture.defaults(), size))
                    .publish(BenchChild.sequence(n)).block(timeout);
            } else if (p.getInt("size", Long.BYTES) == Quad.SIZE) {
                aperture.publisher("tp-" + r, new Quad.QuadCodec()).publish(BenchChild.quads(n)).block(timeout);
            } else if (p.getInt("async", 0) != 0) {
                // The upstream emits on a thread of its own: Aperture sees a foreign thread's onNext per record.
                Scheduler upstream = Schedulers.newSingle("bench-upstream");
                try {
                    aperture.publisher("tp-" + r, Codecs.longs()).publish(BenchChild.sequence(n).subscribeOn(upstream))
                        .block(timeout);
                } finally {
                    upstream.dispose();
                }
            } else {
                aperture.publisher("tp-" + r, Codecs.longs()).publish(BenchChild.sequence(n)).block(timeout);
            }
        }
    }

    /** Echoes channel "ping" onto channel "pong". */
    private static void pong(Aperture aperture, Duration timeout) {
        var done = aperture.publisher("pong", Codecs.longs()).publish(aperture.subscriber("ping", Codecs.longs()).receive());
        BenchChild.ready();
        done.block(timeout);
    }

    private static void ping(Aperture aperture, Params p, Duration timeout) throws Exception {
        Sinks.Many<Long> pings = Sinks.many().unicast().onBackpressureBuffer();
        var published = aperture.publisher("ping", Codecs.longs()).publish(pings.asFlux()).toFuture();
        PingLoop loop = new PingLoop(pings, new RoundTrips(p));
        aperture.subscriber("pong", Codecs.longs()).receive().subscribe(loop);
        loop.start();
        loop.await(timeout);
        published.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Sends ping i when pong i-1 arrives; records each round trip after the warm-up. */
    private static final class PingLoop extends BaseSubscriber<Long> {
        private final Sinks.Many<Long> pings;
        private final RoundTrips trips;
        private final long total;
        private final CountDownLatch done = new CountDownLatch(1);
        private long seq;
        private long sentAt;
        private volatile Throwable failure;

        PingLoop(Sinks.Many<Long> pings, RoundTrips trips) {
            this.pings = pings;
            this.trips = trips;
            this.total = trips.total;
        }

        @Override
        protected void hookOnSubscribe(Subscription subscription) {
            subscription.request(Long.MAX_VALUE);
        }

        void start() {
            send();
        }

        private void send() {
            sentAt = System.nanoTime();
            Sinks.EmitResult result = pings.tryEmitNext(seq);
            if (result.isFailure()) {
                fail(new IllegalStateException("emit failed: " + result));
            }
        }

        @Override
        protected void hookOnNext(Long value) {
            long now = System.nanoTime();
            if (value != seq) {
                fail(new IllegalStateException("pong out of order: expected " + seq + ", got " + value));
                return;
            }
            trips.record(seq, now - sentAt);
            seq++;
            if (seq == total) {
                pings.tryEmitComplete();
                cancel();
                done.countDown();
            } else {
                send();
            }
        }

        @Override
        protected void hookOnError(Throwable t) {
            fail(t);
        }

        @Override
        protected void hookOnComplete() {
            if (seq != total) {
                fail(new IllegalStateException("pong completed after " + seq + " of " + total));
            }
        }

        private void fail(Throwable t) {
            failure = t;
            done.countDown();
        }

        void await(Duration timeout) throws InterruptedException {
            if (!done.await(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new IllegalStateException("ping-pong did not end within " + timeout + " at " + seq);
            }
            if (failure != null) {
                throw new IllegalStateException("ping-pong failed", failure);
            }
        }
    }

    /**
     * A {@code size}-byte message: the sequence number, then a fixed payload. Encoding copies the payload
     * into the ring; decoding copies it out into the consumer's buffer (as a socket read would).
     */
    static final class BlockCodec implements Codec<Long> {
        private final int size;
        private final ByteBuffer payload;
        private final byte[] sink;

        BlockCodec(int size) {
            this.size = size;
            this.payload = ByteBuffer.allocateDirect(size - Long.BYTES);
            for (int i = 0; i < payload.capacity(); i++) {
                payload.put(i, (byte) i);
            }
            this.sink = new byte[size - Long.BYTES];
        }

        @Override
        public String name() {
            return "bench-block";
        }

        @Override
        public int schemaId() {
            return size;
        }

        @Override
        public void encode(Long value, ByteBuffer window) {
            window.putLong(value);
            window.put(payload.duplicate());
        }

        @Override
        public Long decode(ByteBuffer window) {
            if (window.remaining() != size) {
                throw new IllegalStateException("block of " + window.remaining() + " bytes, expected " + size);
            }
            long seq = window.getLong();
            window.get(sink);
            if (sink[sink.length - 1] != (byte) (sink.length - 1)) {
                throw new IllegalStateException("block " + seq + " payload damaged");
            }
            return seq;
        }
    }
}
