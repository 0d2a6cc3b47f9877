package io.aperture;

import io.aperture.internal.section.MappedSection;
import io.aperture.internal.section.SectionLocks;
import io.aperture.internal.section.SectionPlatform;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The liveness lock: an OFD lock on Linux, which no other descriptor's close in this process can drop (a POSIX
 * record lock can), seen by a probe through a descriptor of its own, and gone with its own descriptor.
 */
class SectionLocksTest {
    private final Path directory = TestDirectories.create();

    @AfterEach
    void tearDown() {
        TestDirectories.delete(directory);
    }

    @Test
    void shouldBeAvailableOnLinux() {
        assumeTrue(com.sun.jna.Platform.isLinux() && com.sun.jna.Platform.is64Bit(), "Linux 64-bit only");
        assertThat(SectionLocks.AVAILABLE).isTrue();
    }

    @Test
    void shouldSurviveTheCloseOfAnotherDescriptorOfTheFileAndGoWithItsOwn() throws Exception {
        assumeTrue(SectionLocks.AVAILABLE, "OFD locks need Linux");
        Path file = Files.write(directory.resolve("s.sub-0"), new byte[4096]);
        MappedSection owner = SectionPlatform.current().open(file, 4096, true);
        MappedSection peer = SectionPlatform.current().open(file, 4096, false);
        peer.openLockProbe();
        try {
            assertThat(peer.peerLockHeld()).as("no lock yet").isFalse();
            owner.lockExclusive();
            assertThat(peer.peerLockHeld()).as("locked").isTrue();
            // The POSIX hazard: any close of a descriptor of the file in this process would drop a record lock.
            try (FileChannel other = FileChannel.open(file, StandardOpenOption.READ)) {
                assertThat(other.size()).isEqualTo(4096);
            }
            SectionPlatform.current().open(file, 4096, false).close();
            assertThat(peer.peerLockHeld()).as("still locked after other descriptors closed").isTrue();
            try (MappedSection second = SectionPlatform.current().open(file, 4096, true)) {
                assertThatThrownBy(second::lockExclusive)
                    .isInstanceOf(ApertureException.class).hasMessage("section s.sub-0 is locked by another process");
            }
            owner.close();
            assertThat(peer.peerLockHeld()).as("released with its descriptor").isFalse();
        } finally {
            owner.close();
            peer.close();
        }
    }

    @Test
    void shouldProbeAsUnknownWhenTheProbeCouldNotBeOpened() throws Exception {
        assumeTrue(SectionLocks.AVAILABLE, "OFD locks need Linux");
        Path file = Files.write(directory.resolve("gone.ring"), new byte[4096]);
        MappedSection peer = SectionPlatform.current().open(file, 4096, false);
        Files.delete(file);
        peer.openLockProbe(); // by name: the file is gone, so no descriptor
        try {
            assertThat(peer.peerLockHeld()).isNull();
        } finally {
            peer.close();
        }
    }
}
