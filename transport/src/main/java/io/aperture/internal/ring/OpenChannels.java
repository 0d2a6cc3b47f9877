package io.aperture.internal.ring;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;

/**
 * The channel ends this JVM has open. A shutdown hook (installed with the first one) ends them all, so that a
 * JVM stopped by SIGTERM or {@code System.exit} removes its sections as a close would: subscribers of its rings
 * see the channel end instead of waiting for the liveness check.
 */
public final class OpenChannels {
    /** How long the hook waits, in all, for the ends' threads to finish their closes. */
    public static final long SHUTDOWN_WAIT_NS = TimeUnit.SECONDS.toNanos(2);

    /** One open end: asked to close, then waited for through its thread. */
    public interface End {
        /** Starts the close; returns at once. */
        void beginClose();

        /** The thread that finishes the close (the conductor, or the drain thread) and then ends. */
        Thread thread();
    }

    private static final Set<End> OPEN = ConcurrentHashMap.newKeySet();
    private static final AtomicBoolean HOOKED = new AtomicBoolean();

    private OpenChannels() {
    }

    /** Counts {@code end} open; the first one installs the shutdown hook. */
    public static void opened(End end) {
        if (HOOKED.compareAndSet(false, true)) {
            try {
                Runtime.getRuntime().addShutdownHook(new Thread(OpenChannels::closeAll, "aperture-shutdown"));
            } catch (IllegalStateException shuttingDown) {
                // The JVM is already shutting down: no hook can run any more; the end closes on its own.
            }
        }
        OPEN.add(end);
    }

    /** {@code end} has closed. */
    public static void closed(End end) {
        OPEN.remove(end);
    }

    /** Waits until {@code thread} ended, at most {@code timeoutNs}; not when it is the caller's own thread. */
    public static void awaitEnd(Thread thread, long timeoutNs) {
        if (thread == null || thread == Thread.currentThread()) {
            return;
        }
        try {
            thread.join(Math.max(1L, TimeUnit.NANOSECONDS.toMillis(timeoutNs)));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt(); // the close goes on without this caller
        }
    }

    private static void closeAll() {
        End[] ends = OPEN.toArray(new End[0]);
        for (End end : ends) {
            try {
                end.beginClose();
            } catch (RuntimeException ignored) {
                // One end that cannot close must not keep the others open.
            }
        }
        long deadline = System.nanoTime() + SHUTDOWN_WAIT_NS;
        for (End end : ends) {
            // An end still starting has no thread yet: it gets one (or fails and leaves the set) within moments.
            while (end.thread() == null && OPEN.contains(end) && deadline - System.nanoTime() > 0) {
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
            }
            awaitEnd(end.thread(), Math.max(0L, deadline - System.nanoTime()));
        }
    }
}
