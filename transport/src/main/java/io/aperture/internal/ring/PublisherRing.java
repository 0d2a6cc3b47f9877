package io.aperture.internal.ring;

import io.aperture.ChannelOptions;
import io.aperture.Codec;
import io.aperture.SubscriberEnd;
import io.aperture.internal.section.OwnRingSection;
import io.aperture.internal.section.RingDescriptor;
import io.aperture.internal.section.RingHeader;
import io.aperture.internal.section.SectionFaults;
import io.aperture.internal.section.ShmSequence;
import io.aperture.internal.section.SubscriberDescriptor;
import io.aperture.internal.section.SubscriberLink;
import io.aperture.internal.waiting.ParkingSpot;
import io.aperture.internal.waiting.PeerSet;
import io.aperture.internal.waiting.WaitStrategies;
import io.aperture.internal.waiting.Waker;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.concurrent.locks.LockSupport;

/**
 * One publisher's ring as its two threads share it: the section and what is built on it (the writer, its sequencer,
 * the waker, the two parking spots, the subscriber set and its roster), the conductor's thread, the heartbeat, the
 * ring's terminal state, and letting a subscriber go. The conductor ({@link PublisherConductor}) and the writer
 * ({@link PublisherSink}) each hold it; {@link PublisherCore} creates it when it starts.
 */
final class PublisherRing {
    final OwnRingSection ring;
    final ByteBuffer section;
    /** This incarnation's session id, kept here: the mapped copy may be overwritten by another process. */
    final long sessionId;
    /**
     * The admitted subscribers, the one set the writer gates on, the waker wakes, both spots sleep on and the
     * conductor serves: changed by the conductor (admission, retirement) and the writer (a drop).
     */
    final PeerSet<SubscriberLink> subscribers =
        new PeerSet<>(SubscriberDescriptor.WAKE_OFFSET, SubscriberDescriptor.PARKED_OFFSET, SubscriberLink[]::new);
    /** The writer sleeps here for space, on the word of a subscriber that holds the ring. */
    final ParkingSpot writerSpot;
    /** The conductor sleeps here for demand, on the word of the subscriber that allows least. */
    final ParkingSpot conductorSpot;
    final RingSequencer sequencer;
    final Waker waker;
    final RingWriter writer;
    /** Finds, admits and retires the subscribers, and keeps how each one's part ended. */
    final SubscriberRoster roster;
    private final PublisherCore<?> core;
    private volatile Thread conductor;
    /** This publisher is setting its ring's terminal state (any thread): stored before the state itself. */
    private volatile boolean endingRing;

    /** Creates the ring section and what writes, gates and waits on it; {@code core} says whether it is closing. */
    PublisherRing(Path directory, String channel, ChannelOptions options, Codec<?> codec, PublisherCore<?> core) {
        this.core = core;
        ring = OwnRingSection.create(directory, channel, options, codec);
        section = ring.buffer();
        sessionId = ring.sessionId();
        writerSpot = new ParkingSpot(section, RingDescriptor.PARKED_OFFSET, false, subscribers, PeerSet.Peer::gating);
        // Its own parked word: a subscriber's consumed stores (per batch) wake the writer only, not this demand wait.
        conductorSpot = new ParkingSpot(section, RingDescriptor.DEMAND_PARKED_OFFSET, false, subscribers,
            PeerSet.Peer::demand);
        sequencer = new RingSequencer(options.ringCapacity() / options.slotLength(),
            WaitStrategies.of(options.waiting(), writerSpot), this::writerShouldStop, subscribers);
        waker = new Waker(section, RingDescriptor.WAKE_OFFSET, subscribers);
        writer = new RingWriter(channel, section, ring.doubledSlots(), sequencer,
            options.ringCapacity(), options.slotLength(), options.maxMessageLength(),
            options.maxFragmentedMessageLength(), waker);
        writer.checksums(options.payloadChecksums());
        roster = new SubscriberRoster(directory, channel, options, section, sessionId, writer, waker, subscribers);
    }

    /** The conductor's thread; null until it was created. */
    Thread conductor() {
        return conductor;
    }

    void conductor(Thread thread) {
        conductor = thread;
    }

    /** Whether the calling thread is the conductor: a synchronous upstream writes inside its request. */
    boolean onConductor() {
        return Thread.currentThread() == conductor;
    }

    /** The channel is asked to close ({@link PublisherCore#close}). */
    boolean closing() {
        return core.isClosing();
    }

    /** The admitted subscribers now: one snapshot of the set. */
    SubscriberLink[] links() {
        return roster.links();
    }

    /** Stops serving {@code link} ({@link SubscriberRoster#retire}); wakes the conductor to close it. Any thread. */
    void retire(SubscriberLink link, SubscriberEnd.Kind kind, String detail) {
        if (roster.retire(link, kind, detail) && !onConductor()) {
            wakeConductor();
        }
    }

    /** A subscriber that left: the end it said in its section, if any, names how. */
    void retireCancelled(SubscriberLink link) {
        SubscriberLink.SaidEnd said;
        try {
            said = link.saidEnd();
        } catch (InternalError e) {
            said = new SubscriberLink.SaidEnd(0, ""); // its section is truncated: it said nothing readable
        }
        switch (said.kind()) {
            case SubscriberDescriptor.END_FAILED -> retire(link, SubscriberEnd.Kind.FAILED, said.message());
            case SubscriberDescriptor.END_READ_TO_END -> retire(link,
                said.message().isEmpty() ? SubscriberEnd.Kind.COMPLETED : SubscriberEnd.Kind.ERRORED, said.message());
            case SubscriberDescriptor.END_CANCELLED -> retire(link, SubscriberEnd.Kind.CANCELLED, said.message());
            case SubscriberDescriptor.END_REFUSED -> retire(link, SubscriberEnd.Kind.REFUSED, said.message());
            default -> retire(link, SubscriberEnd.Kind.CANCELLED, "it left without saying why");
        }
    }

    /** Retires every subscriber that said it left. */
    void retireCancelled() {
        for (SubscriberLink link : links()) {
            if (link.cancelled()) {
                retireCancelled(link);
            }
        }
    }

    /** Wakes the conductor (and a writer waiting for space): parked in this JVM, or asleep on the futex. */
    void wakeConductor() {
        Thread c = conductor;
        if (c != null) {
            LockSupport.unpark(c);
        }
        conductorSpot.wakeSleepers();
    }

    /** The writers stop: the channel closes, or no subscriber is left. */
    boolean writerShouldStop() {
        return closing() || links().length == 0;
    }

    void beat() {
        // Release: a plain monotonic timestamp; any publisher thread may store it, last store wins.
        ShmSequence.LONG.setRelease(section, RingDescriptor.HEARTBEAT_OFFSET, System.nanoTime());
    }

    /** Whether another process truncated the ring's file: its memory past the new end is gone, and is not touched. */
    boolean truncated() {
        return ring.mapped().lengthIfTruncated() >= 0;
    }

    /** Whether this publisher is setting its ring's terminal state ({@link #endRing}). */
    boolean endingRing() {
        return endingRing;
    }

    /** Sets the ring's terminal state (first one wins) and wakes subscribers sleeping on the ring. */
    void endRing(int state) {
        // Volatile, before the state: a conductor that acquires the state this thread sets sees it ours (verifyOwnRing).
        endingRing = true;
        if (truncated()) {
            return; // its memory is gone, and its subscribers' reads of it fault too
        }
        try {
            RingHeader.setTerminalState(section, state);
            waker.wakeAll();
        } catch (InternalError e) {
            if (!SectionFaults.isFault(e)) {
                throw e;
            }
            // The ring's file was truncated: its memory is gone, and its subscribers' reads of it fault too.
        }
    }
}
