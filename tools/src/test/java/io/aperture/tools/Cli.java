package io.aperture.tools;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Runs the tool in this JVM through picocli, its output captured. */
final class Cli {
    private static final ObjectMapper JSON = new ObjectMapper();

    record Run(int exit, String out, String err) {
        JsonNode json() {
            try {
                return JSON.readTree(out);
            } catch (Exception e) {
                throw new AssertionError("not JSON (exit " + exit + ", err " + err + "): " + out, e);
            }
        }

        List<JsonNode> jsonLines() {
            List<JsonNode> nodes = new ArrayList<>();
            for (String line : out.split("\n")) {
                if (!line.isBlank()) {
                    try {
                        nodes.add(JSON.readTree(line));
                    } catch (Exception e) {
                        throw new AssertionError("not a JSON line: " + line, e);
                    }
                }
            }
            return nodes;
        }
    }

    private Cli() {
    }

    static Run run(String... args) {
        return run(new StringWriter(), args);
    }

    /** Runs with {@code out} as the standard output: another thread may read what was printed so far. */
    static Run run(StringWriter out, String... args) {
        StringWriter err = new StringWriter();
        CommandLine line = ApertureCli.commandLine();
        line.setOut(new PrintWriter(out, true));
        line.setErr(new PrintWriter(err, true));
        int exit = line.execute(args);
        return new Run(exit, out.toString(), err.toString());
    }

    /** {@code run(command, "--dir", dir, rest...)}. */
    static Run in(Path dir, String command, String... rest) {
        List<String> args = new ArrayList<>();
        args.add(command);
        args.add("--dir");
        args.add(dir.toString());
        args.addAll(List.of(rest));
        return run(args.toArray(String[]::new));
    }

    /** The channel object named {@code channel} in a list's JSON, or null. */
    static JsonNode channel(JsonNode list, String channel) {
        for (JsonNode c : list.get("channels")) {
            if (c.get("channel").asText().equals(channel)) {
                return c;
            }
        }
        return null;
    }
}
