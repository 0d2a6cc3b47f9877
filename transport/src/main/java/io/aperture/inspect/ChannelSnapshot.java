package io.aperture.inspect;

import java.nio.file.Path;
import java.util.List;

/**
 * One channel of a section directory as read at one instant: its ring header, the publisher's counters and
 * liveness, and its subscriber sections. Immutable: the inspector gives it an unmodifiable list.
 *
 * @param channel            the channel name
 * @param ring               the ring section file ({@code <channel>.ring}); it may be missing when only subscriber
 *                           sections were found ({@code problem} says so)
 * @param ringPresent        the ring file exists
 * @param problem            null when the ring validated; else why it could not be read: corrupt, truncated, not
 *                           ready, of another layout version, or missing. The header fields are then 0 or empty.
 * @param codecName          the codec name in the ring header
 * @param schemaId           the codec schema id
 * @param capacity           bytes of the slot area
 * @param slotLength         bytes per slot
 * @param maxMessageLength   the largest DATA payload
 * @param maxSubscribers     subscriber sections the publisher serves
 * @param flags              the ring's flag bits (docs/layout.md §4.2)
 * @param publisherPid       the publisher's process id, or -1 when unreadable
 * @param publisherAlive     the publisher is alive: its liveness lock on the ring is held and a process with its pid
 *                           and start time runs (the transport's checks; a reused pid is not taken for alive)
 * @param publisherLiveness  why it is taken as dead, or "alive"
 * @param terminalState      OPEN, COMPLETED, ERRORED, CANCELLED, CLOSED or UNKNOWN(n)
 * @param cursor             the lazy position: the last slot of a committed record as last stored, -1 before any
 * @param published          messages published up to {@code cursor}
 * @param end                the last slot of the last committed record (the walk of docs/layout.md §4.3), -1 before any
 * @param publishedExact     messages published up to {@code end}
 * @param subscriberCount    subscribers admitted and not yet gone, as the publisher counts them
 * @param droppedSubscribers subscribers dropped by {@code DROP_SLOWEST}
 * @param publisherParked    a publisher thread sleeps waiting for a subscriber
 * @param heartbeatAgeNanos  how old the publisher's heartbeat is
 * @param subscribers        the subscriber sections found, by index
 * @param error              the error record of a channel that ended with an error, else null
 * @param sampledAtNanos     {@code System.nanoTime()} when the snapshot was taken, for rates between two snapshots
 */
public record ChannelSnapshot(String channel, Path ring, boolean ringPresent, String problem, String codecName, int schemaId, int capacity,
                              int slotLength, int maxMessageLength, int maxSubscribers, int flags, long publisherPid,
                              boolean publisherAlive, String publisherLiveness, String terminalState, long cursor,
                              long published, long end, long publishedExact, int subscriberCount,
                              long droppedSubscribers, boolean publisherParked, long heartbeatAgeNanos,
                              List<SubscriberSnapshot> subscribers, ChannelError error, long sampledAtNanos) {
    /**
     * Whether the ring header could be read and validated.
     *
     * @return true when the ring validated ({@code problem} is null)
     */
    public boolean readable() {
        return problem == null;
    }

    /**
     * How many slots the ring has.
     *
     * @return the slots of the ring: capacity / slot length, or 0 when unreadable
     */
    public int slotCount() {
        return slotLength == 0 ? 0 : capacity / slotLength;
    }

    /**
     * Whether the channel's sections may be removed.
     *
     * @return true when every owner of the channel's sections (the publisher, when its pid could be read, and every
     *     subscriber) is proved dead; false when one is alive or cannot be named
     */
    public boolean allOwnersDead() {
        if (publisherPid != -1 && publisherAlive) {
            return false;
        }
        if (publisherPid == -1 && ringPresent) {
            return false;
        }
        return subscribers.stream().allMatch(s -> s.pid() != -1 && !s.alive());
    }
}
