package io.aperture;

import java.time.Duration;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/** Awaiting a condition with a deadline: polls, never sleeps a fixed time as synchronisation. */
public final class Await {
    private Await() {
    }

    public static void until(BooleanSupplier condition, Duration timeout, Supplier<String> description) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not within " + timeout + ": " + description.get());
            }
            LockSupport.parkNanos(1_000_000L);
        }
    }

    /**
     * Threads a check has already reported as leaked: the test that leaked them failed, and the tests after it in
     * the same JVM are not failed again for them (one leak, one failure, named where it happened).
     */
    private static final java.util.Set<Thread> REPORTED = java.util.Collections.newSetFromMap(new java.util.WeakHashMap<>());

    /** No Aperture conductor or drain thread of this JVM is alive, other than those an earlier check reported. */
    public static void noApertureThreads(Duration timeout) {
        try {
            until(() -> leaked().isEmpty(), timeout,
                () -> "aperture threads still alive: " + leaked().stream().map(Thread::getName).toList());
        } catch (AssertionError e) {
            synchronized (REPORTED) {
                REPORTED.addAll(leaked());
            }
            throw e;
        }
    }

    private static java.util.List<Thread> leaked() {
        synchronized (REPORTED) {
            return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.isAlive() && t.getName().startsWith("aperture-") && !REPORTED.contains(t)).toList();
        }
    }
}
