package io.aperture;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/** The transport's own threads, found by name, so that tests can wait for them to end. */
final class TestThreads {
    private TestThreads() {
    }

    /** Live threads of the publisher and subscriber ends of {@code channels} ({@code aperture-pub-<channel>}, ...). */
    static List<Thread> channelThreads(Collection<String> channels) {
        List<Thread> found = new ArrayList<>();
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            for (String channel : channels) {
                if (t.getName().equals("aperture-pub-" + channel) || t.getName().equals("aperture-sub-" + channel)) {
                    found.add(t);
                }
            }
        }
        return found;
    }

    /** Joins every thread of {@code channels} within {@code timeout}; describes those still alive (name, state, top frames). */
    static List<String> awaitChannelThreadsEnded(Collection<String> channels, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        List<String> alive = new ArrayList<>();
        for (Thread t : channelThreads(channels)) {
            long remainingMs = Math.max(1, (deadline - System.nanoTime()) / 1_000_000L);
            t.join(remainingMs);
            if (t.isAlive()) {
                StringBuilder description = new StringBuilder(t.getName()).append(" in ").append(t.getState());
                StackTraceElement[] stack = t.getStackTrace();
                for (int i = 0; i < Math.min(stack.length, 6); i++) {
                    description.append("\n        at ").append(stack[i]);
                }
                alive.add(description.toString());
            }
        }
        return alive;
    }
}
