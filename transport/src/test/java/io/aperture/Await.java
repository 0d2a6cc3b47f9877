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

    /** No Aperture conductor or drain thread of this JVM is alive. */
    public static void noApertureThreads(Duration timeout) {
        until(() -> Thread.getAllStackTraces().keySet().stream()
                .noneMatch(t -> t.isAlive() && t.getName().startsWith("aperture-")),
            timeout, () -> "aperture threads still alive: " + Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.getName().startsWith("aperture-")).map(Thread::getName).toList());
    }
}
