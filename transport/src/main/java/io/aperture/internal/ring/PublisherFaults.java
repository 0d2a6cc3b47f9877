package io.aperture.internal.ring;

import io.aperture.CorruptSectionException;
import io.aperture.SubscriberEnd;
import io.aperture.internal.section.MappedSection;
import io.aperture.internal.section.SectionFaults;
import io.aperture.internal.section.SubscriberLink;

/**
 * Names the faults of a publisher's mapped pages: the ring's file, or a subscriber's, truncated by another process
 * ({@link SectionFaults}). A truncated subscriber is let go and the channel goes on for the others; a truncated
 * ring, or a fault nobody's file explains, ends the channel with a {@link CorruptSectionException} naming the file.
 */
final class PublisherFaults {
    private final PublisherRing ring;

    PublisherFaults(PublisherRing ring) {
        this.ring = ring;
    }

    /** {@code failure} with {@code next} added: a fault named for the section it is a fault of. */
    Throwable withFailure(Throwable failure, Throwable next) {
        return SectionFaults.withFailure(failure, next, this::fault);
    }

    /** {@code failure}, or the {@link CorruptSectionException} it is: a fault of a section another process truncated. */
    Throwable named(Throwable failure) {
        return SectionFaults.isFault(failure) && truncatedSection() != null ? fault((InternalError) failure) : failure;
    }

    /** The ring or subscriber section whose file another process truncated, or null. */
    private MappedSection truncatedSection() {
        return SectionFaults.truncated(sections());
    }

    /**
     * The exception for a fault of a mapped page on this publisher's thread: its ring's file, or a subscriber's, was
     * truncated by another process ({@link SectionFaults}).
     */
    CorruptSectionException fault(InternalError fault) {
        return SectionFaults.corrupt(fault, sections());
    }

    /** The ring's section, then each admitted subscriber's. */
    private MappedSection[] sections() {
        SubscriberLink[] current = ring.links();
        MappedSection[] sections = new MappedSection[current.length + 1];
        sections[0] = ring.ring.mapped();
        for (int i = 0; i < current.length; i++) {
            sections[i + 1] = current[i].mapped();
        }
        return sections;
    }

    /**
     * A fault of a mapped page while the channel runs: a subscriber whose section was truncated is let go, and the
     * channel goes on for the others; a truncated ring (or a fault nobody's file explains) ends the channel.
     *
     * @throws CorruptSectionException naming the ring, when the channel cannot go on
     */
    void onFault(InternalError fault) {
        if (ring.truncated()) {
            throw fault(fault);
        }
        if (!retireTruncated()) {
            throw fault(fault);
        }
    }

    /** Lets go of every subscriber whose section another process truncated; whether there was one. */
    boolean retireTruncated() {
        boolean retiredOne = false;
        for (SubscriberLink link : ring.links()) {
            if (retireIfTruncated(link)) {
                retiredOne = true;
            }
        }
        return retiredOne;
    }

    /** Lets {@code link} go if another process truncated its section; whether it did. */
    boolean retireIfTruncated(SubscriberLink link) {
        if (link.mapped().lengthIfTruncated() >= 0) {
            ring.retire(link, SubscriberEnd.Kind.FAILED, "its section " + link.name() + " was truncated by another process");
            return true;
        }
        return false;
    }
}
