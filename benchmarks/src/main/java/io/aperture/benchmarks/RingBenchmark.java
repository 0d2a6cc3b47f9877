package io.aperture.benchmarks;

import io.aperture.ChannelOptions;
import io.aperture.Codec;
import io.aperture.Codecs;
import io.aperture.codecs.Tick;
import io.aperture.codecs.TickCodec;
import io.aperture.internal.ring.PublisherCore;
import io.aperture.internal.bridge.SubscriberSession;
import io.aperture.internal.ring.RingReader;
import io.aperture.internal.ring.RingSequencer;
import io.aperture.internal.ring.RingWriter;
import io.aperture.internal.section.DoubleMapping;
import io.aperture.internal.section.MappedSection;
import io.aperture.internal.section.RingDescriptor;
import io.aperture.internal.section.RingHeader;
import io.aperture.internal.section.SectionPlatform;
import io.aperture.internal.section.ShmSequence;
import io.aperture.internal.section.SubscriberDescriptor;
import io.aperture.internal.waiting.ParkingSpot;
import io.aperture.internal.waiting.PeerSet;
import io.aperture.internal.waiting.WaitStrategies;
import io.aperture.internal.waiting.Waker;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * The ring's own cost per record, on one thread: the publisher's claim, encode in place and publish
 * ({@link RingWriter}), and the subscriber's poll, validation and decode ({@link RingReader}), over the
 * sections a channel uses (files in {@code /dev/shm}, the ring mapped read-write by the publisher and
 * read-only by the subscriber, the slot area double mapped where the system allows, the subscriber's
 * section read-only for the publisher), built as {@link PublisherCore} and {@link SubscriberSession}
 * build them, but both sides in one thread. So the figures are the cost of the operations themselves:
 * every cache line is the thread's own, with no cross-core transfer of the slot and consumed
 * lines that two processes pay.
 * Run with the allocation profiler, e.g.
 * <pre>
 *   java -jar benchmarks/target/benchmarks.jar RingBenchmark -prof gc
 * </pre>
 * and read {@code gc.alloc.rate.norm}: bytes allocated per operation, that is per record.
 *
 * <ul>
 *   <li>{@code publishLong}: one 8-byte {@code Codecs.longs()} record written: claim, encode, the zeroed
 *   header of the next slot, the header's release store (the commit; the lazy cursor once a quarter ring),
 *   then the wake check
 *   (a full fence and a load of the subscriber's parked word) as the real path does. The benchmark stands
 *   in for the subscriber by advancing its {@code consumed} word (one release store) so the ring never
 *   fills; the writer reads it only when its cached gating value says the ring is full, once a lap.</li>
 *   <li>{@code consumeLong}: one record read, one poll each (the subscriber keeping up record by record):
 *   the check of its own {@code consumed} word, the acquire of the record's header word and its checks, the
 *   decode, the release store of {@code consumed}, then the drain loop's
 *   {@code delivered} store and wake check. The records come from a setup per invocation that publishes
 *   {@value #BACKLOG} of them (not timed); the invocation consumes all {@value #BACKLOG}, so JMH's two
 *   timestamps per invocation are spread over that many records.</li>
 *   <li>{@code roundTripLong}, {@code roundTripFlyweight}: publish one record then consume it, for the
 *   boxed {@code Long} and for a {@link TickCodec} flyweight (33 bytes). The decoded value is stored in a
 *   field, as {@code onNext} hands it on, so a box escapes and is allocated; the flyweight is reused.</li>
 *   <li>{@code roundTripLongBatch}, {@code roundTripFlyweightBatch}: publish {@value #BATCH} records, then one
 *   poll drains them; per record.</li>
 * </ul>
 * {@code roundTripLong} minus {@code publishLong} cross-checks {@code consumeLong}, with the records read
 * straight after being written rather than from a backlog. {@code fullFence} (a store and a full fence, no
 * ring) gives the scale of the one fence each wake check pays.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Xms256m", "-Xmx256m"})
public class RingBenchmark {
    /** Records a {@code *Batch} benchmark publishes before one poll drains them. */
    static final int BATCH = 64;
    /**
     * Records published per invocation for {@code consumeLong}: 32 KiB of 64-byte slots, which stay in the
     * level-1 data cache (48 KiB on the machine measured), as the record of a round trip does.
     */
    static final int BACKLOG = 512;

    /** Boxed once: a publisher's {@code Flux<Long>} hands the codec a box that already exists. */
    static final Long LONG_VALUE = 1_234_567_890_123L;

    /** A ring carrying {@code Codecs.longs()} records, for the publish and round-trip benchmarks. */
    @State(Scope.Thread)
    public static class Longs {
        Ring ring;
        final Codec<Long> codec = Codecs.longs();
        final Sink<Long> sink = new Sink<>(codec);

        @Setup(Level.Trial)
        public void open() throws IOException {
            ring = new Ring(codec);
        }

        @TearDown(Level.Trial)
        public void close() throws IOException {
            ring.close();
        }
    }

    /** A ring carrying {@link TickCodec} flyweights. */
    @State(Scope.Thread)
    public static class Ticks {
        Ring ring;
        final TickCodec codec = new TickCodec();
        final Sink<Tick> sink = new Sink<>(codec);
        final Tick tick = new Tick(42, 18_725, 100, 1_700_000_000_123_456_789L, Tick.BUY);

        @Setup(Level.Trial)
        public void open() throws IOException {
            ring = new Ring(codec);
        }

        @TearDown(Level.Trial)
        public void close() throws IOException {
            ring.close();
        }
    }

    /**
     * A ring holding {@value RingBenchmark#BACKLOG} published, unread {@code Codecs.longs()} records before each
     * invocation.
     */
    @State(Scope.Thread)
    public static class Backlog {
        Ring ring;
        final Codec<Long> codec = Codecs.longs();
        final Sink<Long> sink = new Sink<>(codec);

        @Setup(Level.Trial)
        public void open() throws IOException {
            ring = new Ring(codec);
        }

        @Setup(Level.Invocation)
        public void publish() throws Exception {
            for (int i = 0; i < BACKLOG; i++) {
                ring.publish(codec, LONG_VALUE);
            }
        }

        @TearDown(Level.Trial)
        public void close() throws IOException {
            ring.close();
        }
    }

    /** A plain field, stored before the fence of {@code fullFence}. */
    private long stored;

    /**
     * For scale: a store then a full fence, the StoreLoad barrier that each wake check pays (once per publish,
     * once per poll) so that a parked peer's announcement is seen.
     */
    @Benchmark
    public void fullFence() {
        stored++;
        // Full fence (StoreLoad): what Waker.wakeIfParked issues after the store a peer may wait for.
        VarHandle.fullFence();
    }

    @Benchmark
    public long publishLong(Longs state) throws Exception {
        Ring ring = state.ring;
        ring.publish(state.codec, LONG_VALUE);
        long last = ring.sequencer.nextValue();
        // Release, as the subscriber's poller stores it: the slots up to the last claim are free again.
        ring.consumed.set(last);
        return last;
    }

    @Benchmark
    @OperationsPerInvocation(BACKLOG)
    public Long consumeLong(Backlog state) throws Exception {
        Ring ring = state.ring;
        Sink<Long> sink = state.sink;
        sink.more = false; // one record per poll
        for (int i = 0; i < BACKLOG; i++) {
            ring.drain(sink);
        }
        return sink.last;
    }

    @Benchmark
    public Long roundTripLong(Longs state) throws Exception {
        Ring ring = state.ring;
        Sink<Long> sink = state.sink;
        ring.publish(state.codec, LONG_VALUE);
        sink.more = false;
        ring.drain(sink);
        return sink.last;
    }

    @Benchmark
    public Tick roundTripFlyweight(Ticks state) throws Exception {
        Ring ring = state.ring;
        Sink<Tick> sink = state.sink;
        ring.publish(state.codec, state.tick);
        sink.more = false;
        ring.drain(sink);
        return sink.last;
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public Long roundTripLongBatch(Longs state) throws Exception {
        Ring ring = state.ring;
        Sink<Long> sink = state.sink;
        for (int i = 0; i < BATCH; i++) {
            ring.publish(state.codec, LONG_VALUE);
        }
        sink.more = true; // one poll drains the batch
        ring.drain(sink);
        return sink.last;
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public Tick roundTripFlyweightBatch(Ticks state) throws Exception {
        Ring ring = state.ring;
        Sink<Tick> sink = state.sink;
        for (int i = 0; i < BATCH; i++) {
            ring.publish(state.codec, state.tick);
        }
        sink.more = true;
        ring.drain(sink);
        return sink.last;
    }

    /**
     * The subscriber's handler, as {@code SubscriberSession.onData}: decode, count, hand the value on (here: a
     * field store, so it escapes as it does into {@code onNext}), and say whether to go on.
     */
    static final class Sink<T> implements RingReader.RecordHandler {
        private final Codec<T> codec;
        T last;
        long delivered;
        /** False: stop after each record, one poll per record. */
        boolean more;

        Sink(Codec<T> codec) {
            this.codec = codec;
        }

        @Override
        public boolean onData(ByteBuffer window, long sequence) {
            last = codec.decode(window);
            delivered++;
            return more;
        }

        @Override
        public void onComplete() {
            throw new IllegalStateException("no COMPLETE record is written here");
        }

        @Override
        public void onError(String remoteClassName, String remoteMessage) {
            throw new IllegalStateException("no ERROR record is written here");
        }
    }

    /**
     * A channel's sections with both ends in this process, with the default {@link ChannelOptions} (1 MiB
     * ring, 64-byte slots, blocking waits): the publisher's {@link RingSequencer}, {@link RingWriter} and
     * {@link Waker} over its read-write mapping of the ring, gated on the subscriber's {@code consumed} word
     * through a read-only mapping of the subscriber section; the subscriber's {@link RingReader} over a
     * read-only mapping of the ring, and its {@link Waker} over its own section.
     */
    static final class Ring implements AutoCloseable {
        private static final String CHANNEL = "bench";
        private static final long SESSION_ID = 0x5E55_1011_BE4CL;

        private final Path directory;
        private final Path ringPath;
        private final Path subscriberPath;
        private final MappedSection ringFile;
        private final MappedSection ringView;
        private final MappedSection subscriberFile;
        private final MappedSection subscriberView;
        private final DoubleMapping ringDoubleMapping;
        private final DoubleMapping ringDoubleView;

        final RingSequencer sequencer;
        final RingWriter writer;
        final RingReader reader;
        /** The subscriber's own {@code consumed} word (read-write); the publisher gates on a read-only view of it. */
        final ShmSequence consumed;
        private final ByteBuffer subscriberSection;
        private final Waker subscriberWaker;
        /**
         * Deadline for a wait for space: already passed, so a ring that fills (a fault of the benchmark)
         * ends the write with an {@code AlertException} instead of waiting.
         */
        private final long deadlineNs = System.nanoTime();
        private long deliveredStored;

        Ring(Codec<?> codec) throws IOException {
            ChannelOptions options = ChannelOptions.defaults();
            options.validateRing();
            int capacity = options.ringCapacity();
            Path shm = Path.of("/dev/shm");
            directory = Files.createTempDirectory(Files.isDirectory(shm) && Files.isWritable(shm) ? shm
                : Path.of(System.getProperty("java.io.tmpdir")), "aperture-ring-bench-");
            ringPath = directory.resolve(CHANNEL + ".ring");
            subscriberPath = directory.resolve(CHANNEL + ".sub-0");
            create(ringPath, RingDescriptor.fileLength(capacity));
            create(subscriberPath, SubscriberDescriptor.LENGTH);

            // The subscriber's section: only consumed matters here, starting before the first record.
            subscriberFile = SectionPlatform.current().open(subscriberPath, SubscriberDescriptor.LENGTH, true);
            subscriberSection = subscriberFile.buffer();
            consumed = new ShmSequence(subscriberSection, SubscriberDescriptor.CONSUMED_OFFSET);
            // Release, like every store of consumed (here before any reader or writer exists): nothing read yet.
            consumed.set(-1L);

            // The publisher: as PublisherRing (created by PublisherCore.start) and SubscriberRoster.admit.
            ringFile = SectionPlatform.current().open(ringPath, RingDescriptor.fileLength(capacity), true);
            ByteBuffer section = ringFile.buffer();
            ringDoubleMapping = options.doubleMapping()
                ? SectionPlatform.current().mapTwice(ringPath, RingDescriptor.SLOTS_OFFSET, capacity, true) : null;
            RingHeader.initialise(section, SESSION_ID, options, 1, codec, ringDoubleMapping != null);
            subscriberView = SectionPlatform.current().open(subscriberPath, SubscriberDescriptor.LENGTH, false);
            ByteBuffer subscriberReadOnly = subscriberView.buffer();
            ShmSequence gating = new ShmSequence(subscriberReadOnly, SubscriberDescriptor.CONSUMED_OFFSET);
            // As PublisherRing: one set of subscribers for the sequencer, the waker and the writer's spot.
            PeerSet<Void> subscribers = PeerSet.ofSections(SubscriberDescriptor.WAKE_OFFSET, SubscriberDescriptor.PARKED_OFFSET);
            ParkingSpot writerSpot = new ParkingSpot(section, RingDescriptor.PARKED_OFFSET, false, subscribers,
                PeerSet.Peer::gating);
            sequencer = new RingSequencer(capacity / options.slotLength(), WaitStrategies.of(options.waiting(), writerSpot),
                () -> false, subscribers);
            Waker publisherWaker = new Waker(section, RingDescriptor.WAKE_OFFSET, subscribers);
            writer = new RingWriter(CHANNEL, section, ringDoubleMapping == null ? null : ringDoubleMapping.buffer(),
                sequencer, capacity, options.slotLength(), options.maxMessageLength(),
                options.maxFragmentedMessageLength(), publisherWaker);
            subscribers.add(null, subscriberReadOnly, true, gating, null);

            // The subscriber: as SubscriberSession.tryAttach and newReader.
            ringView = SectionPlatform.current().open(ringPath, -1, false);
            ByteBuffer ringReadOnly = ringView.buffer();
            RingHeader header = RingHeader.read(CHANNEL + ".ring", ringReadOnly, ringReadOnly.capacity());
            boolean wrapping = (header.flags & RingDescriptor.FLAG_DOUBLE_MAPPED) != 0;
            ringDoubleView = wrapping && options.doubleMapping()
                ? SectionPlatform.current().mapTwice(ringPath, RingDescriptor.SLOTS_OFFSET, header.capacity, false) : null;
            reader = new RingReader(CHANNEL + ".ring", ringReadOnly, wrapping,
                ringDoubleView == null ? null : ringDoubleView.buffer(), consumed, header.capacity, header.slotLength,
                header.maxMessageLength).fragments(header.maxFragmentedLength, options.maxFragmentedMessageLength());
            subscriberWaker = new Waker(subscriberSection, SubscriberDescriptor.WAKE_OFFSET, RingDescriptor.PARKED_OFFSET);
            subscriberWaker.addPeer(ringReadOnly);
        }

        private static void create(Path path, long length) throws IOException {
            try (RandomAccessFile file = new RandomAccessFile(path.toFile(), "rw")) {
                file.setLength(length);
            }
        }

        /** Whether the slot area is mapped twice (records then never need padding at the ring's end). */
        boolean doubleMapped() {
            return ringDoubleMapping != null && ringDoubleView != null;
        }

        <T> long publish(Codec<T> codec, T value) throws Exception {
            return writer.writeData(codec, value, deadlineNs);
        }

        /** One step of the subscriber's drain loop: a poll, then the {@code delivered} store and the wake check. */
        void drain(Sink<?> sink) throws Exception {
            reader.poll(sink);
            if (sink.delivered != deliveredStored) {
                deliveredStored = sink.delivered;
                // Release, as the drain loop stores it: statistics for the publisher; no decision depends on it.
                ShmSequence.LONG.setRelease(subscriberSection, SubscriberDescriptor.DELIVERED_OFFSET, deliveredStored);
                subscriberWaker.wakeIfParked(); // consumed moved: a publisher waiting for space may go on
            }
        }

        @Override
        public void close() throws IOException {
            // Descriptors only: the mappings go with the buffers, when nothing refers to them.
            if (ringDoubleView != null) {
                ringDoubleView.close();
            }
            if (ringDoubleMapping != null) {
                ringDoubleMapping.close();
            }
            ringView.close();
            ringFile.close();
            subscriberView.close();
            subscriberFile.close();
            Files.deleteIfExists(ringPath);
            Files.deleteIfExists(subscriberPath);
            Files.deleteIfExists(directory);
        }
    }
}
