package io.aperture.internal.section;

import java.nio.ByteBuffer;

/**
 * Is the process at the other end of a section still there? Made by {@link SectionPlatform#liveness}. Each side holds an exclusive OS lock on its
 * own file for its lifetime; the kernel releases it however the process dies. The peer is dead when:
 * <ol>
 *   <li>its lock on its file is gone ({@link MappedSection#peerLockHeld()}: an OFD lock on Linux, which no close
 *       of another descriptor can drop, {@link SectionLocks});</li>
 *   <li>or its pid is gone or reused (pid + start time), checked every few probes (it reads /proc);</li>
 *   <li>or, when a heartbeat timeout is set, its heartbeat is older than the timeout (hung process).</li>
 * </ol>
 * A peer in this same JVM is alive while it holds its lock, where the lock can tell (an OFD lock conflicts
 * with another descriptor of the same process); where it cannot, it is taken as alive: it ends with this
 * process. Its pid and heartbeat are not looked at: the process is this one.
 */
public final class PeerLiveness {
    private static final int PID_CHECK_EVERY = 8;

    private final String fileName;
    private final MappedSection mapped;
    private final ProcessIdentity identity;
    private final ByteBuffer section;
    private final int heartbeatOffset;
    private final long heartbeatTimeoutNs;
    private int probes;

    /** Made by {@link SectionPlatform#liveness}. */
    PeerLiveness(String fileName, MappedSection mapped, ProcessIdentity identity, ByteBuffer section, int heartbeatOffset,
                 long heartbeatTimeoutNs) {
        this.fileName = fileName;
        this.mapped = mapped;
        this.identity = identity;
        this.section = section;
        this.heartbeatOffset = heartbeatOffset;
        this.heartbeatTimeoutNs = heartbeatTimeoutNs;
    }

    public ProcessIdentity identity() {
        return identity;
    }

    /** Null while the peer is alive; otherwise why it is taken as dead. */
    public String check(long nowNs) {
        // null: cannot tell here, the pid check below decides. An in-process peer's lock is probed too: one that
        // closed its section without a word (or whose cancel flag a third party cleared) is gone, not alive.
        if (Boolean.FALSE.equals(mapped.peerLockHeld())) {
            return identity + (identity.isCurrentProcess() ? " closed its section (its lock on " : " died (its lock on ")
                + fileName + " is free)";
        }
        if (identity.isCurrentProcess()) {
            return null;
        }
        if (++probes % PID_CHECK_EVERY == 0 && !identity.isAlive()) {
            return identity + " died (no such process)";
        }
        if (heartbeatTimeoutNs > 0) {
            // Acquire: the peer's heartbeat, a System.nanoTime value (CLOCK_MONOTONIC, shared by processes).
            long heartbeat = (long) ShmSequence.LONG.getAcquire(section, heartbeatOffset);
            long ageNs = nowNs - heartbeat;
            if (ageNs > heartbeatTimeoutNs) {
                return identity + " is hung (heartbeat " + ageNs / 1_000_000 + " ms old > timeout "
                    + heartbeatTimeoutNs / 1_000_000 + " ms)";
            }
        }
        return null;
    }
}
