package io.aperture;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Stand-ins for mapped sections in the jcstress tests: zeroed direct buffers in native order, as a fresh
 * file maps. Direct, because {@link ShmSequence} and {@link Futex#address} need one. jcstress makes a new
 * state object, and so new buffers, for every sample: the header-only sections are kept to the words used.
 */
final class StressSections {
    /** Covers every ring header word up to the wake and parked words (768, 772). */
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
}
