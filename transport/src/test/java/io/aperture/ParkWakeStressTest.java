package io.aperture;

import com.lmax.disruptor.AlertException;
import io.aperture.internal.section.ChannelFiles;
import io.aperture.internal.section.MappedSection;
import io.aperture.internal.section.RingDescriptor;
import io.aperture.internal.section.SectionPlatform;
import io.aperture.internal.section.ShmSequence;
import io.aperture.internal.section.SubscriberDescriptor;
import io.aperture.internal.waiting.Futex;
import io.aperture.internal.waiting.FutexWaitStrategy;
import io.aperture.internal.waiting.ParkingSpot;
import io.aperture.internal.waiting.ShmBarrier;
import io.aperture.internal.waiting.Waker;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Stress of the park/wake protocol ({@link ParkingSpot}, {@link Waker}, {@link FutexWaitStrategy}) with
 * the production classes only: counters in a ring header and a subscriber section mapped from files, each
 * side storing a counter then calling its {@link Waker}, the other waiting for it through a
 * {@link ShmBarrier} whose housekeeping deadline is an hour away. Each side maps its own section
 * read-write and the peer's read-only, through a mapping of its own, as the two processes do.
 *
 * <p>A lost wake-up is made visible: a sleep lasts up to {@link #MAX_SLEEP_NS} (not the production 50 ms),
 * and the peer does not store again before it gets its answer, so nothing else ends the sleep. Every wait
 * measures its wake-up latency, from the peer's store of the counter to the return of {@code waitFor};
 * a latency above {@link #LOST_NS} is a wake-up lost while the waiter slept. Each test asserts none.
 * <ul>
 *   <li>ping-pong, subscriber (single waiter) against publisher (counted waiter): the waiter picks its spin
 *       budget per wait (63 spins only, up to 30 µs; no yields) and the waker stores after a random short
 *       spin, so most waits end asleep and some announcements race the store;</li>
 *   <li>the same with two publisher threads counted in one parked word (conductor and writer);</li>
 *   <li>collisions, jcstress-style: two threads pinned to two CPUs leave a meeting together and the store
 *       is timed onto the waiter's announcement, the store-buffer race the fences exist for;</li>
 *   <li>the same with a store too small for the waiter timed onto the announcement, the sufficient one
 *       right after: the single waiter's "asleep on this wake value" announcement is what the waker trusts.</li>
 * </ul>
 * Breaking the protocol makes these tests fail (docs/waiting.md lists the mutations tried): without the
 * re-check after the announcement, without the fence in {@code Waker}, with the announcement a release
 * store, with the wake value read after the announcement or after the re-check, or with a withdrawal
 * that zeroes the count.
 *
 * <p>Rounds: {@code -Daperture.stressRounds=N} (default {@value #DEFAULT_ROUNDS}) for the ping-pong test,
 * half as many (of four hand-offs each) for the two-waiter test, three times as many for each collision test;
 * {@code scripts/stress-park-wake.sh} runs millions.
 */
@Timeout(value = 10, unit = TimeUnit.MINUTES)
class ParkWakeStressTest {
    private static final int DEFAULT_ROUNDS = 100_000;
    private static final long ROUNDS = Long.getLong("aperture.stressRounds", DEFAULT_ROUNDS);
    /** Longest single sleep: a lost wake-up costs this long, so it cannot hide among scheduling delays. */
    private static final long MAX_SLEEP_NS = 3_000_000_000L;
    /**
     * A waiter that returns this long after the store it waited for slept through a lost wake-up: nothing but
     * the sleep's timeout ({@link #MAX_SLEEP_NS}) ends it, so a lost one shows as 3.0 s exactly. The worst stall
     * seen without one was 1.82 s (a pinned thread behind two other builds on a loaded 2-core machine).
     */
    private static final long LOST_NS = 2_500_000_000L;
    /** A run stops after this many lost wake-ups: one fails the test, a few show it was no accident. */
    private static final int LOST_LIMIT = 3;
    /** Spin budgets a waiter picks from; spin 0 still spins 63 times (the strategy reads the clock every 64). */
    private static final long[] SPIN_NS = {0L, 0L, 0L, 0L, 0L, 0L, 1_000L, 3_000L, 10_000L};
    /**
     * Upper bound of the random spin before a ping-pong store, in {@code Thread.onSpinWait()} calls (about
     * 10 µs): beyond a spin-0 waiter's few µs most of the time, so that most waits end asleep even when both
     * threads run hot, and some stores race the announcement.
     */
    private static final int STORE_JITTER_SPINS = 512;
    /** Spread of the collision test's delay around its tuned centre, in {@code Thread.onSpinWait()} calls. */
    private static final int COLLISION_NOISE_SPINS = 4;
    /**
     * Cap of the tuned delay (about 20 µs; it settles near 300 spins): when both threads share one CPU (other
     * work on the machine), the waiter announces late or never before the store, and the centre must not run off.
     */
    private static final int COLLISION_MAX_SPINS = 1_000;

    private final Path directory = TestDirectories.create();
    private final List<MappedSection> mappings = new ArrayList<>();
    private final AtomicInteger lost = new AtomicInteger();
    private final ConcurrentLinkedQueue<String> lostReports = new ConcurrentLinkedQueue<>();
    private final AtomicReference<Throwable> failure = new AtomicReference<>();
    private volatile boolean stop;

    @AfterEach
    void tearDown() {
        stop = true;
        mappings.forEach(MappedSection::close);
        TestDirectories.delete(directory);
    }

    /**
     * Publisher and subscriber threads: the subscriber sleeps as the single waiter of its section (it
     * announces the wake value it sleeps on), the publisher as a counted waiter of the ring's parked count.
     */
    @Test
    void shouldLoseNoWakeUpBetweenSingleWaiterAndCountedWaiter() throws Exception {
        assumeFutex();
        Sections s = new Sections();
        Counter cursor = s.ringCounter(RingDescriptor.CURSOR_OFFSET, "cursor");
        Counter requested = s.subscriberCounter(SubscriberDescriptor.REQUESTED_OFFSET, "requested");
        Waker publisherWaker = s.publisherWaker();
        Waker subscriberWaker = s.subscriberWaker();
        Waiter publisher = new Waiter("publisher", s.publisherSpot(), ROUNDS);
        Waiter subscriber = new Waiter("subscriber", s.subscriberSpot(), ROUNDS);

        Report report = run(ROUNDS,
            () -> {
                long i = 1;
                for (; i <= ROUNDS && !stop; i++) {
                    cursor.store(i, publisherWaker);
                    publisher.await(requested, i);
                }
                return i - 1;
            },
            () -> {
                long i = 1;
                for (; i <= ROUNDS && !stop; i++) {
                    subscriber.await(cursor, i);
                    requested.store(i, subscriberWaker);
                }
                return i - 1;
            });

        report.print("single waiter + counted waiter", s, publisher,
            subscriber);
        assertNoLostWakeUp(report, publisher, subscriber);
    }

    /**
     * Two waiting threads on one parked count, as a publisher's conductor (waiting for demand) and writer (waiting
     * for space) were before the demand wait got a word of its own (docs/waiting.md, "Demand and space apart"); the
     * counted protocol each word follows is the same: the subscriber stores demand, waits for an answer, then stores
     * space. The writer is counted asleep while the conductor comes and goes; the subscriber's second store must
     * wake it.
     */
    @Test
    void shouldLoseNoWakeUpWithTwoWaitersOnOneParkedCount() throws Exception {
        assumeFutex();
        Sections s = new Sections();
        Counter requested = s.subscriberCounter(SubscriberDescriptor.REQUESTED_OFFSET, "requested");
        Counter consumed = s.subscriberCounter(SubscriberDescriptor.CONSUMED_OFFSET, "consumed");
        Counter cursor = s.ringCounter(RingDescriptor.CURSOR_OFFSET, "cursor");
        Counter published = s.ringCounter(RingDescriptor.PUBLISHED_OFFSET, "published");
        Waker publisherWaker = s.publisherWaker(); // one per process, shared by both publisher threads
        Waker subscriberWaker = s.subscriberWaker();
        long rounds = ROUNDS / 2; // four hand-offs a round: as many waits as the other tests
        Waiter conductor = new Waiter("conductor", s.publisherSpot(), rounds);
        Waiter writer = new Waiter("writer", s.publisherSpot(), rounds);
        Waiter subscriber = new Waiter("subscriber", s.subscriberSpot(), 2 * rounds);

        Report report = run(rounds,
            () -> {
                long i = 1;
                for (; i <= rounds && !stop; i++) {
                    requested.store(i, subscriberWaker);
                    subscriber.await(cursor, i);
                    consumed.store(i, subscriberWaker);
                    subscriber.await(published, i);
                }
                return i - 1;
            },
            () -> {
                long i = 1;
                for (; i <= rounds && !stop; i++) {
                    conductor.await(requested, i);
                    cursor.store(i, publisherWaker);
                }
                return i - 1;
            },
            () -> {
                long i = 1;
                for (; i <= rounds && !stop; i++) {
                    writer.await(consumed, i);
                    published.store(i, publisherWaker);
                }
                return i - 1;
            });

        report.print("two counted waiters + single waiter", s, conductor, writer, subscriber);
        assertNoLostWakeUp(report, conductor, writer, subscriber);
    }

    /**
     * jcstress-style collisions: both threads leave a meeting together, then one waits (spin 0: it announces
     * after 63 spins, a few µs) while the other stores after a delay that tracks that moment, so the waker's
     * store-then-load and the waiter's announce-then-re-check overlap: the store-buffer race that the fence
     * in {@link Waker#wakeIfParked()} and the volatile announce close. The delay tunes itself: a waker that
     * had to wake its peer (the peer had announced) stores earlier next time, one that did not, later.
     * The roles alternate: even rounds wake the subscriber (single waiter), odd rounds the publisher (counted).
     */
    @Test
    void shouldLoseNoWakeUpWhenStoreAndAnnounceCollide() throws Exception {
        collide(false);
    }

    /**
     * As {@link #shouldLoseNoWakeUpWhenStoreAndAnnounceCollide()}, but the timed store is too small for the
     * waiter and the sufficient one follows at once: the first wake lands while the waiter announces, and the
     * second must still reach it. A single waiter must sleep on the very wake value it announced; one that
     * announced an older value is skipped by the waker, which takes it for already woken.
     */
    @Test
    void shouldLoseNoWakeUpWhenAnInsufficientStoreCollidesWithTheAnnouncement() throws Exception {
        collide(true);
    }

    private void collide(boolean insufficientFirst) throws Exception {
        assumeFutex();
        long rounds = 3 * ROUNDS; // a few µs each when nobody sleeps: cheap, and the windows are narrow
        Sections s = new Sections();
        Counter cursor = s.ringCounter(RingDescriptor.CURSOR_OFFSET, "cursor");
        Counter requested = s.subscriberCounter(SubscriberDescriptor.REQUESTED_OFFSET, "requested");
        Waker publisherWaker = s.publisherWaker();
        Waker subscriberWaker = s.subscriberWaker();
        Waiter publisher = new Waiter("publisher", s.publisherSpot(), (rounds + 1) / 2, 0L); // odd rounds
        Waiter subscriber = new Waiter("subscriber", s.subscriberSpot(), rounds / 2, 0L); // even rounds
        AtomicLong arrivals = new AtomicLong();
        Collider toSubscriber = new Collider(s.ringOwn, RingDescriptor.WAKE_OFFSET, insufficientFirst);
        Collider toPublisher = new Collider(s.subOwn, SubscriberDescriptor.WAKE_OFFSET, insufficientFirst);
        // One CPU each, so that they run at the same time whenever they run (else the scheduler may stack them).
        ConcurrentLinkedQueue<Boolean> pinned = new ConcurrentLinkedQueue<>();

        // Round i waits for 2i: the insufficient store, when made, is 2i - 1.
        Report report = run(rounds,
            () -> {
                pinned.add(CpuAffinity.pinCallingThread(0));
                long i = 1;
                for (; i <= rounds && !stop; i++) {
                    meet(arrivals, i);
                    if ((i & 1) == 0) {
                        toSubscriber.store(cursor, 2 * i, publisherWaker);
                    } else {
                        publisher.await(requested, 2 * i);
                    }
                }
                return i - 1;
            },
            () -> {
                pinned.add(CpuAffinity.pinCallingThread(1));
                long i = 1;
                for (; i <= rounds && !stop; i++) {
                    meet(arrivals, i);
                    if ((i & 1) == 0) {
                        subscriber.await(cursor, 2 * i);
                    } else {
                        toPublisher.store(requested, 2 * i, subscriberWaker);
                    }
                }
                return i - 1;
            });

        report.print((insufficientFirst ? "collisions of an insufficient store" : "collisions")
            + " (threads pinned " + pinned + ", store delay now " + toSubscriber + " to the subscriber, "
            + toPublisher + " to the publisher)", s, publisher, subscriber);
        assertNoLostWakeUp(report, publisher, subscriber);
    }

    /** Two threads leave together, within a cache-line transfer, as jcstress starts its actors. */
    private void meet(AtomicLong arrivals, long round) {
        arrivals.incrementAndGet();
        int spins = 0;
        while (arrivals.get() < 2 * round && !stop) {
            if (++spins < 1_000) {
                Thread.onSpinWait();
            } else {
                Thread.yield(); // the other thread may be off the CPU (2 cores, other work)
            }
        }
    }

    private static void assumeFutex() {
        Assumptions.assumeTrue(Futex.AVAILABLE, "futex needs Linux on x86_64 or aarch64 with JNA");
    }

    private void assertNoLostWakeUp(Report report, Waiter... waiters) {
        assertThat(failure.get()).as("failure in a stress thread").isNull();
        assertThat(lostReports).as("lost wake-ups (latency > %d ms)", LOST_NS / 1_000_000).isEmpty();
        assertThat(report.finished).as("threads finished within the deadline").isTrue();
        for (Waiter w : waiters) {
            assertThat(w.waits).as("waits of %s", w.name).isEqualTo(w.expectedWaits);
        }
    }

    /** A thread's loop; returns the rounds it ran. */
    @FunctionalInterface
    private interface Rounds {
        long run();
    }

    /** Runs the threads to the end, or until the lost-wake-up limit, a failure or the deadline. */
    private Report run(long target, Rounds... bodies) throws InterruptedException {
        List<Thread> threads = new ArrayList<>();
        long[] rounds = new long[bodies.length];
        for (int t = 0; t < bodies.length; t++) {
            Rounds body = bodies[t];
            int index = t;
            Thread thread = new Thread(() -> {
                try {
                    rounds[index] = body.run();
                } catch (Throwable e) {
                    failure.compareAndSet(null, e);
                    stop = true;
                }
            }, "park-wake-" + t);
            thread.setDaemon(true);
            threads.add(thread);
        }
        long start = System.nanoTime();
        threads.forEach(Thread::start);
        // Deadline: generous against the tens of µs a round takes on a busy 2-core machine.
        long deadline = start + TimeUnit.SECONDS.toNanos(60) + target * 200_000L;
        boolean finished = true;
        for (Thread thread : threads) {
            long left = deadline - System.nanoTime();
            thread.join(Math.max(1L, TimeUnit.NANOSECONDS.toMillis(left)));
            if (thread.isAlive()) {
                finished = false;
                stop = true; // the threads see it at their next check, within one sleep of MAX_SLEEP_NS
            }
        }
        for (Thread thread : threads) {
            thread.join(TimeUnit.NANOSECONDS.toMillis(2 * MAX_SLEEP_NS));
        }
        // Thread.join orders the threads' plain writes (rounds, histograms) before the reads below.
        return new Report(System.nanoTime() - start, finished, rounds[0], target);
    }

    /**
     * A counter in shared memory, stored through its owner's mapping and read through the peer's, and
     * when it was last stored (for the waiter's latency).
     */
    private static final class Counter {
        final ShmSequence sequence;
        final ShmSequence peerView;
        final String name;
        /** Written before the release store of the counter; read after the waiter's acquire load of it. */
        long storedAtNs;

        Counter(ByteBuffer own, ByteBuffer peer, int offset, String name) {
            this.sequence = new ShmSequence(own, offset);
            this.peerView = new ShmSequence(peer, offset);
            this.name = name;
        }

        /** The production waker's order: the store the peer waits for, then {@link Waker#wakeIfParked()}. */
        void store(long value, Waker waker) {
            store(value, waker, ThreadLocalRandom.current().nextInt(STORE_JITTER_SPINS));
        }

        void store(long value, Waker waker, int delaySpins) {
            for (int k = 0; k < delaySpins; k++) {
                Thread.onSpinWait();
            }
            storedAtNs = System.nanoTime();
            sequence.set(value);
            waker.wakeIfParked();
        }
    }

    /**
     * The collision test's waker for one direction: stores after a delay centred where the peer announces
     * itself, found by watching its own wake word (bumped only when the peer was seen parked).
     */
    private static final class Collider {
        private final ByteBuffer ownSection;
        private final int wakeOffset;
        private final boolean insufficientFirst;
        private int centreSpins = 64;
        private long rounds;
        private long woke;

        Collider(ByteBuffer ownSection, int wakeOffset, boolean insufficientFirst) {
            this.ownSection = ownSection;
            this.wakeOffset = wakeOffset;
            this.insufficientFirst = insufficientFirst;
        }

        /** Stores {@code value} after the tuned delay, or {@code value - 1} then at once {@code value}. */
        void store(Counter counter, long value, Waker waker) {
            int delay = Math.max(0, centreSpins
                + ThreadLocalRandom.current().nextInt(-COLLISION_NOISE_SPINS, COLLISION_NOISE_SPINS + 1));
            int before = (int) ShmSequence.INT.getOpaque(ownSection, wakeOffset);
            counter.store(insufficientFirst ? value - 1 : value, waker, delay);
            boolean peerWasParked = (int) ShmSequence.INT.getOpaque(ownSection, wakeOffset) != before;
            if (insufficientFirst) {
                counter.store(value, waker, 0);
            }
            rounds++;
            if (peerWasParked) {
                woke++;
                centreSpins = Math.max(0, centreSpins - 1);
            } else {
                centreSpins = Math.min(COLLISION_MAX_SPINS, centreSpins + 1);
            }
        }

        @Override
        public String toString() {
            return centreSpins + " spins, peer parked in " + woke + " of " + rounds;
        }
    }

    /** One waiting thread: FutexWaitStrategy over its ParkingSpot, with a spin budget picked per wait. */
    private final class Waiter {
        final String name;
        final FutexWaitStrategy[] strategies;
        final LatencyHistogram latency = new LatencyHistogram();
        final long expectedWaits;
        long waits;

        /** A waiter that picks its spin budget from {@link #SPIN_NS}. */
        Waiter(String name, ParkingSpot spot, long expectedWaits) {
            this(name, spot, expectedWaits, SPIN_NS);
        }

        Waiter(String name, ParkingSpot spot, long expectedWaits, long... spinNs) {
            this.name = name;
            this.expectedWaits = expectedWaits;
            this.strategies = new FutexWaitStrategy[spinNs.length];
            for (int k = 0; k < spinNs.length; k++) {
                strategies[k] = new FutexWaitStrategy(spot, spinNs[k], 0, MAX_SLEEP_NS);
            }
        }

        void await(Counter counter, long value) {
            FutexWaitStrategy strategy = strategies[ThreadLocalRandom.current().nextInt(strategies.length)];
            // A fresh barrier per wait: cheap, and the barrier holds no state between waits anyway.
            ShmBarrier barrier = new ShmBarrier(strategy, counter.peerView, () -> stop);
            long available;
            try {
                available = barrier.waitFor(value, System.nanoTime() + TimeUnit.HOURS.toNanos(1));
            } catch (AlertException e) {
                return; // stopped: the run ends
            }
            long lateNs = System.nanoTime() - counter.storedAtNs;
            if (available != value) {
                throw new AssertionError(name + " waited for " + counter.name + " " + value + " but saw " + available);
            }
            waits++;
            latency.record(lateNs);
            if (lateNs > LOST_NS) {
                lostReports.add(name + " saw " + counter.name + " = " + value + " " + lateNs / 1_000_000
                    + " ms after its store (sleep timeout " + MAX_SLEEP_NS / 1_000_000 + " ms)");
                if (lost.incrementAndGet() >= LOST_LIMIT) {
                    stop = true;
                }
            }
        }
    }

    /** Wake-up latencies in microseconds, 1 µs buckets up to 100 ms, and the maximum. */
    private static final class LatencyHistogram {
        private final long[] counts = new long[100_001];
        private long maxNs;
        private long total;

        void record(long ns) {
            counts[(int) Math.min(ns / 1_000L, counts.length - 1)]++;
            maxNs = Math.max(maxNs, ns);
            total++;
        }

        /** Upper bound in µs of the given fraction of samples. */
        long percentileUs(double fraction) {
            long rank = (long) Math.ceil(fraction * total);
            long seen = 0;
            for (int us = 0; us < counts.length; us++) {
                seen += counts[us];
                if (seen >= rank) {
                    return us + 1;
                }
            }
            return maxNs / 1_000L;
        }

        @Override
        public String toString() {
            return "p50 " + format(percentileUs(0.50)) + ", p99 " + format(percentileUs(0.99)) + ", p99.9 "
                + format(percentileUs(0.999)) + ", max " + maxNs / 1_000L + " µs";
        }

        private String format(long us) {
            return us >= counts.length ? ">= " + (counts.length - 1) / 1_000 + " ms" : us + " µs";
        }
    }

    private final class Report {
        final long elapsedNs;
        final boolean finished;
        final long rounds;
        final long target;

        Report(long elapsedNs, boolean finished, long rounds, long target) {
            this.elapsedNs = elapsedNs;
            this.finished = finished;
            this.rounds = rounds;
            this.target = target;
        }

        void print(String mode, Sections s, Waiter... waiters) {
            // Each bump of a wake word is one wake the waker made because it saw the peer parked: about one sleep.
            int subscriberWoken = (int) ShmSequence.INT.getAcquire(s.ringOwn, RingDescriptor.WAKE_OFFSET);
            int publisherWoken = (int) ShmSequence.INT.getAcquire(s.subOwn, SubscriberDescriptor.WAKE_OFFSET);
            StringBuilder b = new StringBuilder("park/wake stress, " + mode + ": " + rounds + " of " + target
                + " rounds in " + elapsedNs / 1_000_000L + " ms, wakes of the subscriber " + subscriberWoken
                + ", of the publisher " + publisherWoken + ", lost wake-ups " + lost.get());
            for (Waiter w : waiters) {
                b.append("\n  ").append(w.name).append(": ").append(w.waits).append(" waits, wake-up latency ")
                    .append(w.latency);
            }
            lostReports.forEach(r -> b.append("\n  LOST: ").append(r));
            System.out.println(b);
        }
    }

    /**
     * A ring header and a subscriber section in files, each mapped twice: read-write by its owner and
     * read-only by the peer, as in two processes (the futex is keyed by file and offset, not address).
     */
    private final class Sections {
        final ByteBuffer ringOwn;
        final ByteBuffer ringPeer;
        final ByteBuffer subOwn;
        final ByteBuffer subPeer;
        Sections() {
            Path ring = ChannelFiles.createTemporary(directory, "stress.ring", RingDescriptor.SLOTS_OFFSET);
            Path sub = ChannelFiles.createTemporary(directory, "stress.sub-0", SubscriberDescriptor.LENGTH);
            ringOwn = map(ring, true);
            ringPeer = map(ring, false);
            subOwn = map(sub, true);
            subPeer = map(sub, false);
        }

        private ByteBuffer map(Path path, boolean writable) {
            try {
                MappedSection section = SectionPlatform.current().open(path, -1, writable);
                mappings.add(section);
                return section.buffer();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        Counter ringCounter(int offset, String name) {
            return new Counter(ringOwn, ringPeer, offset, name);
        }

        Counter subscriberCounter(int offset, String name) {
            return new Counter(subOwn, subPeer, offset, name);
        }

        /** As {@code PublisherSession}: bumps the ring's wake word, reads the subscriber's parked word. */
        Waker publisherWaker() {
            Waker waker = new Waker(ringOwn, RingDescriptor.WAKE_OFFSET, SubscriberDescriptor.PARKED_OFFSET);
            waker.addPeer(subPeer);
            return waker;
        }

        /** As {@code SubscriberCore}: bumps the subscriber's wake word, reads the ring's parked count. */
        Waker subscriberWaker() {
            Waker waker = new Waker(subOwn, SubscriberDescriptor.WAKE_OFFSET, RingDescriptor.PARKED_OFFSET);
            waker.addPeer(ringPeer);
            return waker;
        }

        /** A publisher thread's spot: counted in the ring's parked word, sleeps on the subscriber's wake word. */
        ParkingSpot publisherSpot() {
            return new ParkingSpot(ringOwn, RingDescriptor.PARKED_OFFSET, subPeer, SubscriberDescriptor.WAKE_OFFSET,
                false);
        }

        /** The subscriber's spot: single waiter of its section, sleeps on the ring's wake word. */
        ParkingSpot subscriberSpot() {
            return new ParkingSpot(subOwn, SubscriberDescriptor.PARKED_OFFSET, ringPeer, RingDescriptor.WAKE_OFFSET,
                true);
        }
    }
}
