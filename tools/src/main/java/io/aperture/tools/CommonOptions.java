package io.aperture.tools;

import io.aperture.inspect.ChannelInspector;
import picocli.CommandLine.Option;

import java.nio.file.Path;

/** The options every command takes: the section directory and the output format. */
final class CommonOptions {
    @Option(names = "--dir", paramLabel = "DIR",
        description = "The section directory (default: $APERTURE_DIR when set, else the transport's default,"
            + " /dev/shm/aperture-<uid>).")
    Path dir;

    @Option(names = "--json", description = "Print JSON for scripts instead of a table.")
    boolean json;

    Path directory() {
        if (dir != null) {
            return dir;
        }
        String env = System.getenv("APERTURE_DIR");
        return env != null && !env.isBlank() ? Path.of(env) : ChannelInspector.defaultDirectory();
    }

    ChannelInspector inspector() {
        return ChannelInspector.open(directory());
    }
}
