/**
 * Sections: the operating-system seam and the byte layouts over it. {@code SectionPlatform} is every operation on a
 * section that reaches the system: create and publish by name (its creation part, {@code SectionStore}: sealed memory
 * named by a link, or a file made under a temporary name and linked), open a peer's section read-only and the owner's
 * read-write ({@code MappedSection}), map a ring's slot area twice ({@code DoubleMapping}), the owner's liveness (its
 * lock on its section, its pid and start time, {@code PeerLiveness}) and the removal of what a dead owner left. Its
 * one implementation is Linux's ({@code LinuxSectionPlatform}, {@code LinuxMappedSection}, {@code LinuxDoubleMapping},
 * {@code SealedMemory}, {@code SectionLocks}, the file operations of {@code ChannelFiles}); the layers above reach the
 * system through the interface alone (docs/architecture.md §2.1). Over it: the byte layouts (the {@code *Descriptor}
 * classes, with the ordered accessors of {@code RingHeader} and {@code SubscriberLink}) and each side's own section
 * ({@code OwnRingSection}, {@code OwnSubscriberSection}). The lowest layer: it imports no other internal package.
 */
package io.aperture.internal.section;
