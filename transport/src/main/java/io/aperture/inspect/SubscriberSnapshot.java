package io.aperture.inspect;

import java.nio.file.Path;

/**
 * One subscriber section {@code <channel>.sub-<index>} as read at one instant. Counters are the subscriber's own
 * words (docs/layout.md §7.1); lags are derived from the ring's exact end at the same instant.
 *
 * @param index            the subscriber index, from the file name
 * @param file             the section file
 * @param problem          null when the section validated; else why it could not be read (corrupt, truncated, of
 *                         another layout version); the counters are then 0 and only {@code pid}, {@code alive} may be set
 * @param pid              the subscriber's process id, or -1 when unreadable
 * @param alive            the subscriber process is alive: its liveness lock on its section is held and a process with
 *                         its pid and start time runs (the transport's checks)
 * @param liveness         why it is taken as dead, or "alive"
 * @param currentSession   the section belongs to the ring's current publisher session
 * @param admitted         the ring's subscriber table names this section's subscriber id
 * @param cancelled        the subscriber has left (its cancel flag is set)
 * @param droppedLagBytes  0, or the lag in bytes at which the publisher dropped it ({@code DROP_SLOWEST})
 * @param requested        cumulative messages requested ({@code Long.MAX_VALUE}: unbounded)
 * @param delivered        messages delivered downstream
 * @param consumed         the slot sequence consumed (the ring's gating sequence), or {@link Long#MIN_VALUE} before
 *                         it started
 * @param outstanding      requested minus delivered: demand not yet served ({@code Long.MAX_VALUE}: unbounded)
 * @param lagMessages      messages published and not yet delivered to it
 * @param lagBytes         bytes of slots between its consumed position and the ring's end
 * @param parked           its drain thread sleeps on the ring's wake word
 * @param polls            it waits by polling and never sleeps on the wake word for records
 * @param heartbeatAgeNanos how old its heartbeat is ({@code System.nanoTime()} minus the stored value)
 */
public record SubscriberSnapshot(int index, Path file, String problem, long pid, boolean alive, String liveness,
                                 boolean currentSession, boolean admitted, boolean cancelled, long droppedLagBytes,
                                 long requested, long delivered, long consumed, long outstanding, long lagMessages,
                                 long lagBytes, boolean parked, boolean polls, long heartbeatAgeNanos) {
    /** The {@code consumed} value of a subscriber that was not admitted yet. */
    public static final long NOT_STARTED = Long.MIN_VALUE;

    static SubscriberSnapshot unreadable(int index, Path file, String problem, long pid, boolean alive,
                                         String liveness) {
        return new SubscriberSnapshot(index, file, problem, pid, alive, liveness, false, false, false, 0, 0, 0,
            NOT_STARTED, 0, 0, 0, false, false, 0);
    }
}
