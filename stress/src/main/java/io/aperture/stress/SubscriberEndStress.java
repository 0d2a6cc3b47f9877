package io.aperture.stress;

import io.aperture.internal.section.OwnSubscriberSection;
import io.aperture.internal.section.SubscriberDescriptor;
import io.aperture.internal.section.SubscriberLink;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Description;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.II_Result;

import java.nio.ByteBuffer;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

/**
 * A subscriber says why it leaves (its end: kind and message, plain stores), then stores its cancelled flag (release);
 * the publisher that sees the flag (acquire) reads the end ({@link SubscriberLink#saidEnd(ByteBuffer)}): it must find
 * the end said, never the section's zero ("not said") or a message cut short.
 * r1: the publisher saw the flag; r2: the end kind it read when it did (-1 when it did not look).
 */
@JCStressTest
@Description("The end a subscriber says before its cancelled flag is read whole by the publisher that sees the flag")
@Outcome(id = "0, -1", expect = ACCEPTABLE, desc = "the flag not seen yet: nothing read")
@Outcome(id = "1, 2", expect = ACCEPTABLE, desc = "the flag seen, and the end said before it (FAILED, its message)")
@Outcome(expect = FORBIDDEN, desc = "the flag seen without the end said before it")
@State
public class SubscriberEndStress {
    static final String MESSAGE = "io.aperture.ApertureException: codec 'long' failed to decode the 8-byte record at seq 41";
    final ByteBuffer section = StressSections.subscriberSection();

    @Actor
    public void subscriber() {
        OwnSubscriberSection.storeEnd(section, SubscriberDescriptor.END_FAILED, MESSAGE);
        OwnSubscriberSection.storeCancelled(section);
    }

    @Actor
    public void publisher(II_Result r) {
        if (SubscriberLink.cancelledIn(section)) {
            r.r1 = 1;
            SubscriberLink.SaidEnd end = SubscriberLink.saidEnd(section);
            r.r2 = end.message().equals(MESSAGE) ? end.kind() : -2;
        } else {
            r.r1 = 0;
            r.r2 = -1;
        }
    }
}
