package io.aperture;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/** Fresh section directories for tests: on the tmpfs where there is one, else in the JDK temp directory. */
public final class TestDirectories {
    private TestDirectories() {
    }

    public static Path create() {
        try {
            Path shm = Path.of("/dev/shm");
            return Files.isDirectory(shm) && Files.isWritable(shm)
                ? Files.createTempDirectory(shm, "aperture-test-")
                : Files.createTempDirectory("aperture-test-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Names of the files left in {@code directory}. */
    public static java.util.List<String> files(Path directory) {
        try (Stream<Path> s = Files.list(directory)) {
            return s.map(p -> p.getFileName().toString()).sorted().collect(java.util.stream.Collectors.toList());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * The end of a cross-process test: kills every child, waits for this JVM's Aperture threads to end and,
     * when {@code expectEmpty}, for the directory to be empty (every section removed by its owner); then
     * removes the directory whatever happened.
     */
    public static void endCrossProcessTest(Path directory, java.util.List<ChildJvm> children,
                                           java.time.Duration threadsTimeout, boolean expectEmpty) {
        children.forEach(ChildJvm::close);
        try {
            Await.noApertureThreads(threadsTimeout);
            if (expectEmpty) {
                Await.until(() -> files(directory).isEmpty(), java.time.Duration.ofSeconds(10),
                    () -> "files left: " + files(directory));
            }
        } finally {
            delete(directory);
        }
    }

    public static void delete(Path directory) {
        if (directory == null || !Files.exists(directory)) {
            return;
        }
        for (int attempt = 1; ; attempt++) {
            try (Stream<Path> s = Files.walk(directory)) {
                s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
                return;
            } catch (UncheckedIOException e) {
                // A section its owner unlinked during the walk (an end still under way): walk again, a few times.
                if (!(e.getCause() instanceof java.nio.file.NoSuchFileException) || attempt == 5) {
                    throw e;
                }
            } catch (java.nio.file.NoSuchFileException e) {
                return; // the directory itself went
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }
}
