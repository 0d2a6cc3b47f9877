package io.aperture;

import io.aperture.internal.section.MappedSection;
import io.aperture.internal.section.PeerLiveness;
import io.aperture.internal.section.ProcessIdentity;
import io.aperture.internal.section.SealedMemory;
import io.aperture.internal.section.SectionLocks;
import io.aperture.internal.section.SectionPlatform;
import io.aperture.internal.section.SectionStore;
import io.aperture.internal.section.SubscriberDescriptor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The Linux section platform through its interface: the store each {@code Sections} asks for, a length read from
 * another process validated at the open, a name removed only while it is the entry identified, processes told apart
 * by pid and start time, a peer's freed liveness lock read as its end, and a directory's names listed.
 */
@Timeout(60)
class SectionPlatformTest {
    private static final SectionPlatform PLATFORM = SectionPlatform.current();

    private final Path directory = TestDirectories.create();

    @AfterEach
    void tearDown() {
        TestDirectories.delete(directory);
    }

    @Test
    void shouldChooseTheStoreTheSectionsAskFor() {
        assertThat(PLATFORM.store(ChannelOptions.Sections.FILES)).isSameAs(SectionStore.FILES);
        assertThat(PLATFORM.store(ChannelOptions.Sections.AUTO))
            .isSameAs(SealedMemory.AVAILABLE ? SectionStore.SEALED : SectionStore.FILES);
        if (SealedMemory.AVAILABLE) {
            assertThat(PLATFORM.store(ChannelOptions.Sections.SEALED)).isSameAs(SectionStore.SEALED);
        } else {
            assertThatThrownBy(() -> PLATFORM.store(ChannelOptions.Sections.SEALED))
                .isInstanceOf(ApertureException.class).hasMessageContaining("cannot make sealed memory");
        }
    }

    @Test
    void shouldListTheNamesOfADirectoryAndNoneOfOneThatDoesNotExist() throws Exception {
        Path ring = Files.write(directory.resolve("prices.ring"), new byte[8]);
        Path sub = Files.write(directory.resolve("prices.sub-0"), new byte[8]);
        assertThat(PLATFORM.names(directory)).containsExactlyInAnyOrder(ring, sub);
        assertThat(PLATFORM.names(directory.resolve("absent"))).isEmpty();
        assertThatThrownBy(() -> PLATFORM.names(ring)).isInstanceOf(java.nio.file.NotDirectoryException.class);
    }

    @Test
    void shouldRefuseASectionOfAnotherLengthNamingItAndBothLengths() throws Exception {
        Path file = Files.write(directory.resolve("short.sub-0"), new byte[1024]);
        assertThatThrownBy(() -> PLATFORM.open(file, SubscriberDescriptor.LENGTH, false))
            .isInstanceOf(CorruptSectionException.class)
            .hasMessage("corrupt section short.sub-0 at offset 0: file length 1024 != expected "
                + SubscriberDescriptor.LENGTH);
        assertThatThrownBy(() -> PLATFORM.open(directory.resolve("absent.ring"), -1, false))
            .isInstanceOf(NoSuchFileException.class);
        try (MappedSection any = PLATFORM.open(file, -1, false)) {
            assertThat(any.buffer().capacity()).isEqualTo(1024);
            assertThat(any.name()).isEqualTo("short.sub-0");
            assertThat(any.lengthIfTruncated()).isEqualTo(-1);
        }
    }

    @Test
    void shouldRemoveANameOnlyWhileItIsTheEntryThatWasIdentified() throws Exception {
        Path name = Files.write(directory.resolve("c.ring"), new byte[4096]);
        Object first = PLATFORM.entryKey(name);
        assertThat(first).isNotNull();
        Files.createLink(directory.resolve("c.ring.kept"), name); // the first file lives on: its inode is not reused
        Files.delete(name);
        Files.write(name, new byte[4096]); // a new section under the same name
        PLATFORM.removeIfSame(name, first);
        assertThat(PLATFORM.present(name)).as("a section made since is kept").isTrue();
        PLATFORM.removeIfSame(name, PLATFORM.entryKey(name));
        assertThat(PLATFORM.present(name)).as("removed").isFalse();
        assertThat(PLATFORM.entryKey(name)).isNull();
    }

    @Test
    void shouldTellProcessesApartByPidAndStartTime() throws Exception {
        ProcessIdentity self = PLATFORM.currentProcess();
        assertThat(self.pid).isEqualTo(ProcessHandle.current().pid());
        assertThat(PLATFORM.isAlive(self)).isTrue();
        assertThat(PLATFORM.isAlive(new ProcessIdentity(self.pid, self.startEpochMs - 60_000)))
            .as("our pid, another start").isFalse();
        assertThat(PLATFORM.isAlive(new ProcessIdentity(0, ProcessIdentity.UNKNOWN_START))).isFalse();
        Process child = new ProcessBuilder("sleep", "60").start();
        try {
            long start = child.toHandle().info().startInstant().map(i -> i.toEpochMilli())
                .orElse(ProcessIdentity.UNKNOWN_START);
            ProcessIdentity identity = new ProcessIdentity(child.pid(), start);
            assertThat(PLATFORM.isAlive(identity)).as("running").isTrue();
            assertThat(PLATFORM.isAlive(new ProcessIdentity(child.pid(), start + 60_000)))
                .as("same pid, another start: reused").isEqualTo(start == ProcessIdentity.UNKNOWN_START);
            child.destroyForcibly();
            assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
            assertThat(PLATFORM.isAlive(identity)).as("killed").isFalse();
        } finally {
            child.destroyForcibly();
        }
    }

    @Test
    void shouldReadAPeersFreedLivenessLockAsItsEnd() throws Exception {
        assumeTrue(SectionLocks.AVAILABLE, "OFD locks need Linux");
        Path file = Files.write(directory.resolve("p.sub-0"), new byte[SubscriberDescriptor.LENGTH]);
        MappedSection owner = PLATFORM.open(file, SubscriberDescriptor.LENGTH, true);
        MappedSection peer = PLATFORM.open(file, SubscriberDescriptor.LENGTH, false);
        try {
            peer.openLockProbe();
            owner.lockExclusive();
            PeerLiveness liveness = PLATFORM.liveness(peer.name(), peer, PLATFORM.currentProcess(), peer.buffer(),
                SubscriberDescriptor.HEARTBEAT_OFFSET, 0);
            assertThat(liveness.check(System.nanoTime())).as("lock held").isNull();
            owner.close();
            assertThat(liveness.check(System.nanoTime()))
                .isEqualTo("pid " + ProcessHandle.current().pid() + " closed its section (its lock on p.sub-0 is free)");
        } finally {
            owner.close();
            peer.close();
        }
    }
}
