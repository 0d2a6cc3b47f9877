package io.aperture;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;

/**
 * Is the process at the other end of a section still there? Each side holds an exclusive OS lock on its
 * own file for its lifetime; the kernel releases it however the process dies. The peer is dead when:
 * <ol>
 *   <li>a shared {@code tryLock} on its file succeeds (its lock is gone), probed on the channel this side
 *       already holds: opening and closing another descriptor would drop POSIX locks held by this process;</li>
 *   <li>or its pid is gone or reused (pid + start time), checked every few probes (it reads /proc);</li>
 *   <li>or, when a heartbeat timeout is set, its heartbeat is older than the timeout (hung process).</li>
 * </ol>
 * A peer in this same JVM is taken as alive: JVM file locks are per process, not per channel.
 */
final class PeerLiveness {
    private static final int PID_CHECK_EVERY = 8;

    private final String fileName;
    private final FileChannel channel;
    private final ProcessIdentity identity;
    private final ByteBuffer section;
    private final int heartbeatOffset;
    private final long heartbeatTimeoutNs;
    private int probes;

    PeerLiveness(String fileName, FileChannel channel, ProcessIdentity identity, ByteBuffer section, int heartbeatOffset,
                 long heartbeatTimeoutNs) {
        this.fileName = fileName;
        this.channel = channel;
        this.identity = identity;
        this.section = section;
        this.heartbeatOffset = heartbeatOffset;
        this.heartbeatTimeoutNs = heartbeatTimeoutNs;
    }

    /** Takes this process's exclusive lock on its own section file, for the file's lifetime. */
    static FileLock lockOwn(FileChannel channel, String fileName) {
        try {
            FileLock lock = channel.tryLock();
            if (lock == null) {
                throw new ApertureException("section " + fileName + " is locked by another process");
            }
            return lock;
        } catch (IOException e) {
            throw new ApertureException("cannot lock section " + fileName + ": " + e, e);
        }
    }

    ProcessIdentity identity() {
        return identity;
    }

    /** Null while the peer is alive; otherwise why it is taken as dead. */
    String check(long nowNs) {
        if (identity.isCurrentProcess()) {
            return null;
        }
        try (FileLock probe = channel.tryLock(0L, Long.MAX_VALUE, true)) {
            if (probe != null) {
                return identity + " died (its lock on " + fileName + " is free)";
            }
        } catch (OverlappingFileLockException e) {
            return null; // this JVM holds a lock on the file: the peer is in this process
        } catch (IOException e) {
            // cannot probe here: the pid check below decides
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
