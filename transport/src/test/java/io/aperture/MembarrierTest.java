package io.aperture;

import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** The asymmetric fence: availability on this machine, and the waker's choice of fence per peer. */
class MembarrierTest {
    @Test
    void shouldBeAvailableAndRegisteredOnLinux() {
        assumeTrue(com.sun.jna.Platform.isLinux() && com.sun.jna.Platform.is64Bit(), "Linux 64-bit only");
        assertThat(Membarrier.AVAILABLE).as("membarrier(GLOBAL_EXPEDITED) on kernel " + System.getProperty("os.version"))
            .isTrue();
        assertThat(Membarrier.REGISTERED).isTrue();
        assertThat(Membarrier.heavyBarrier()).isTrue();
    }

    @Test
    void shouldFenceUnlessEveryPeerIssuesTheHeavyBarrier() {
        ByteBuffer own = ByteBuffer.allocateDirect(4096).order(ByteOrder.nativeOrder());
        ByteBuffer light = ByteBuffer.allocateDirect(4096).order(ByteOrder.nativeOrder());
        ByteBuffer heavy = ByteBuffer.allocateDirect(4096).order(ByteOrder.nativeOrder());
        Waker waker = new Waker(own, RingDescriptor.WAKE_OFFSET, SubscriberDescriptor.PARKED_OFFSET);
        assertThat(waker.fences()).isFalse(); // no peer: nothing to order
        waker.addPeer(light, true);
        assertThat(waker.fences()).isEqualTo(!Membarrier.REGISTERED);
        waker.addPeer(heavy, false);
        assertThat(waker.fences()).isTrue();
        waker.removePeer(heavy);
        assertThat(waker.fences()).isEqualTo(!Membarrier.REGISTERED);
        waker.removePeer(light);
        assertThat(waker.fences()).isFalse();
    }
}
