package io.aperture.stress;

import io.aperture.internal.section.RingDescriptor;
import io.aperture.internal.section.RingHeader;
import io.aperture.internal.section.ShmSequence;
import io.aperture.internal.section.SubscriberDescriptor;
import io.aperture.internal.section.TerminalState;
import io.aperture.internal.waiting.ParkingSpot;
import io.aperture.internal.waiting.PeerSet;
import io.aperture.internal.waiting.Waker;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.Description;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.IIII_Result;

import java.nio.ByteBuffer;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

/**
 * The words of a publisher's ring that both of its threads (the writer and the conductor) update, without a
 * read-modify-write on mapped memory (which crashes the JVM on a truncated file's page: SectionFaults): each thread
 * bumps the wake word through its own {@link Waker} (as the ring writer's and the session's are), counts itself
 * parked on the ring's {@link ParkingSpot} (counted mode), and tries to end the ring with its own terminal state.
 * They take turns under the section's lock: no bump and no count may be lost, and exactly one end wins. (Since the
 * conductor's demand wait has a parked word of its own, the two threads share the wake word and the terminal state
 * in production, and each parked word has one waiting thread; both spots count in one word here, the harder case of
 * the same mechanism.)
 * r1: wake word; r2: parked count; r3: ends that won (1 for the writer, 2 for the conductor, 3 for both);
 * r4: whether the terminal state is the winner's.
 */
@JCStressTest
@Description("Two threads of one process update the same ring words in turns under the section's lock")
@Outcome(id = {"2, 2, 1, 1", "2, 2, 2, 1"}, expect = ACCEPTABLE, desc = "both bumps, both counts, one end")
@Outcome(expect = FORBIDDEN, desc = "a bump or a count lost (a sleeper may sleep past a wake), or two ends won")
@State
public class OwnWordTurnsStress {
    final ByteBuffer ring = StressSections.ringHeaderWords();
    final Waker writerWaker = new Waker(ring, RingDescriptor.WAKE_OFFSET, SubscriberDescriptor.PARKED_OFFSET);
    final Waker sessionWaker = new Waker(ring, RingDescriptor.WAKE_OFFSET, SubscriberDescriptor.PARKED_OFFSET);
    final PeerSet<Void> subscribers = PeerSet.ofSections(SubscriberDescriptor.WAKE_OFFSET, SubscriberDescriptor.PARKED_OFFSET);
    final ParkingSpot writerSpot = new ParkingSpot(ring, RingDescriptor.PARKED_OFFSET, false, subscribers,
        PeerSet.Peer::gating);
    final ParkingSpot conductorSpot = new ParkingSpot(ring, RingDescriptor.PARKED_OFFSET, false, subscribers,
        PeerSet.Peer::demand);
    boolean writerWon;
    boolean conductorWon;

    public OwnWordTurnsStress() {
        // Plain: the state is built before the actors start (jcstress publishes it to them).
        ring.putInt(RingDescriptor.TERMINAL_OFFSET, TerminalState.OPEN);
    }

    @Actor
    public void writer() {
        writerWaker.wakeAll();
        writerSpot.announce(0);
        writerWon = RingHeader.setTerminalState(ring, TerminalState.COMPLETED);
    }

    @Actor
    public void conductor() {
        sessionWaker.wakeAll();
        conductorSpot.announce(0);
        conductorWon = RingHeader.setTerminalState(ring, TerminalState.CLOSED);
    }

    @Arbiter
    public void words(IIII_Result r) {
        r.r1 = (int) ShmSequence.INT.getVolatile(ring, RingDescriptor.WAKE_OFFSET);
        r.r2 = (int) ShmSequence.INT.getVolatile(ring, RingDescriptor.PARKED_OFFSET);
        r.r3 = (writerWon ? 1 : 0) | (conductorWon ? 2 : 0);
        int state = RingHeader.terminalState(ring);
        r.r4 = writerWon && !conductorWon && state == TerminalState.COMPLETED
            || conductorWon && !writerWon && state == TerminalState.CLOSED ? 1 : 0;
    }
}
