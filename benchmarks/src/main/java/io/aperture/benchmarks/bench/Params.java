package io.aperture.benchmarks.bench;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The {@code key=value} arguments the runner passes to a child JVM. */
final class Params {
    private final Map<String, String> values = new LinkedHashMap<>();

    Params() {
    }

    static Params parse(List<String> args) {
        Params p = new Params();
        for (String arg : args) {
            int eq = arg.indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException("expected key=value, got " + arg);
            }
            p.values.put(arg.substring(0, eq), arg.substring(eq + 1));
        }
        return p;
    }

    Params with(String key, Object value) {
        Params p = new Params();
        p.values.putAll(values);
        p.values.put(key, String.valueOf(value));
        return p;
    }

    String get(String key) {
        String v = values.get(key);
        if (v == null) {
            throw new IllegalArgumentException("missing parameter " + key + " in " + values);
        }
        return v;
    }

    boolean has(String key) {
        return values.containsKey(key);
    }

    long getLong(String key) {
        return Long.parseLong(get(key));
    }

    int getInt(String key) {
        return Integer.parseInt(get(key));
    }

    int getInt(String key, int defaultValue) {
        String v = values.get(key);
        return v == null ? defaultValue : Integer.parseInt(v);
    }

    Path getPath(String key) {
        return Path.of(get(key));
    }

    /** Rounds the child runs: warm-up rounds first, then measured ones. */
    int rounds() {
        return getInt("warmups") + getInt("runs");
    }

    List<String> toArgs() {
        return values.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).toList();
    }

    @Override
    public String toString() {
        return String.join(" ", toArgs());
    }
}
