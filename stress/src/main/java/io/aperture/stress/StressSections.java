package io.aperture.stress;

import io.aperture.ChannelOptions;
import io.aperture.Codecs;
import io.aperture.internal.ring.RingReader;
import io.aperture.internal.ring.RingSequencer;
import io.aperture.internal.ring.RingWriter;
import io.aperture.internal.section.RingDescriptor;
import io.aperture.internal.section.RingHeader;
import io.aperture.internal.section.ShmSequence;
import io.aperture.internal.section.SubscriberDescriptor;
import io.aperture.internal.waiting.BackoffWaitStrategy;
import io.aperture.internal.waiting.Futex;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Stand-ins for mapped sections in the jcstress tests: zeroed direct buffers in native order, as a fresh
 * file maps. Direct, because {@link ShmSequence} and {@link Futex#address} need one. jcstress makes a new
 * state object, and so new buffers, for every sample: the header-only sections are kept to the words used.
 */
final class StressSections {
    /** Covers every ring header word up to the wake and parked words (768, 772, 776). */
    static final int HEADER_WORDS_LENGTH = 1024;

    private StressSections() {
    }

    /** The ring section's header page without its slots: cursor, published, terminal, wake and parked words. */
    static ByteBuffer ringHeaderWords() {
        return ByteBuffer.allocateDirect(HEADER_WORDS_LENGTH).order(ByteOrder.nativeOrder());
    }

    /** The subscriber section's words up to its wake and parked words. */
    static ByteBuffer subscriberWords() {
        return ByteBuffer.allocateDirect(HEADER_WORDS_LENGTH).order(ByteOrder.nativeOrder());
    }

    /** A whole ring section (header page and slots) of {@code capacity} bytes of slots. */
    static ByteBuffer ringSection(int capacity) {
        return ByteBuffer.allocateDirect((int) RingDescriptor.fileLength(capacity)).order(ByteOrder.nativeOrder());
    }

    /** A whole subscriber section. */
    static ByteBuffer subscriberSection() {
        return ByteBuffer.allocateDirect(SubscriberDescriptor.LENGTH).order(ByteOrder.nativeOrder());
    }

    /**
     * A ring as {@code RingProtocolTest} builds it, over direct buffers: the publisher's writer gating on the
     * subscriber's {@code consumed} through a read-only view, the subscriber's reader over a read-only view of the
     * ring, nothing consumed yet.
     */
    static final class Ring {
        final RingWriter writer;
        final RingReader reader;
        final ShmSequence consumed;

        Ring(int capacity, int slotLength) {
            ChannelOptions options = ChannelOptions.defaults().withRingCapacity(capacity).withSlotLength(slotLength)
                .withMaxMessageLength(RingDescriptor.maxMessageLengthFor(capacity));
            ByteBuffer ring = ringSection(capacity);
            RingHeader.initialise(ring, 0x5E55_1011_CAFEL, options, 1, Codecs.longs());
            ByteBuffer subscriber = subscriberWords();
            consumed = new ShmSequence(subscriber, SubscriberDescriptor.CONSUMED_OFFSET);
            // Plain: nothing consumed yet, as the subscriber's claim leaves it; jcstress hands the state to the actors.
            subscriber.putLong(SubscriberDescriptor.CONSUMED_OFFSET, -1L);
            RingSequencer sequencer = new RingSequencer(capacity / slotLength, new BackoffWaitStrategy(100, 10, 50_000L),
                () -> false);
            // The publisher gates on consumed through its read-only mapping of the subscriber section.
            sequencer.addGatingSequences(new ShmSequence(readOnly(subscriber), SubscriberDescriptor.CONSUMED_OFFSET));
            writer = new RingWriter("stress", ring, sequencer, capacity, slotLength, options.maxMessageLength());
            // The subscriber maps the ring read-only.
            reader = new RingReader("stress.ring", readOnly(ring), consumed, capacity, slotLength,
                options.maxMessageLength());
        }

        private static ByteBuffer readOnly(ByteBuffer section) {
            return section.asReadOnlyBuffer().order(ByteOrder.nativeOrder());
        }
    }
}
