package io.aperture.benchmarks.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import org.HdrHistogram.Histogram;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * Measures Aperture against the transports its users would otherwise pick, each scenario for every
 * transport in the same invocation, every two-JVM transport across two child JVMs started here.
 * Writes {@code results.json} to the output directory and {@code performance.md} with PNG charts to
 * the docs directory. Every child is killed at the end, on failure, on timeout and on Ctrl-C.
 */
@Command(name = "bench", mixinStandardHelpOptions = true,
    description = "Cross-process benchmarks: Aperture (Flux and raw ring API) vs Reactor publishOn, Aeron IPC, Unix domain sockets and RSocket over TCP (and over its in-JVM transport).")
public final class BenchRunner implements Callable<Integer> {
    static final List<String> THROUGHPUT_TRANSPORTS = List.of("aperture", "ring", "reactor", "aeron", "uds", "rsocket", "spsc");
    /**
     * The asynchronous-upstream scenario: Aperture's {@code Flux} upstream runs on a scheduler thread of its own
     * ({@code subscribeOn}), so its records come from a thread that never says where its bursts end. Its peers run
     * as in the unbounded 8-byte scenario (Reactor's {@code publishOn} pair already emits from a thread of its
     * own; Aeron's publisher is always its caller's thread); they are here for the ratios of the same run.
     */
    static final List<String> ASYNC_TRANSPORTS = List.of("aperture", "reactor", "aeron");
    /**
     * Aperture's own transports: the Flux API, the raw ring API, the native interactions and RSocket over Aperture;
     * every other transport is a peer.
     */
    static final Set<String> OWN_TRANSPORTS = Set.of("aperture", "ring", "interactions", "rsocket-aperture");
    /**
     * The interaction scenarios ({@code rr}: request-response round trips, {@code rstream}: request-stream
     * throughput): the native interactions and RSocket over Aperture against RSocket over TCP, RSocket over its own
     * in-JVM transport (a reference for RSocket's own work per frame, with no second process) and Aeron IPC (its
     * ping-pong for {@code rr}, its stream for {@code rstream}).
     */
    static final List<String> INTERACTION_TRANSPORTS = List.of("interactions", "rsocket-aperture", "rsocket", "rsocket-local",
        "aeron");
    /** The server name of the one-JVM RSocket pair over RSocket's in-JVM transport. */
    static final String RSOCKET_LOCAL_SERVER = "bench-rsocket-local";
    /**
     * The interaction scenarios take this fraction of the mode's ping-pong round trips and throughput messages, for
     * every transport alike: a request-response over RSocket takes tens of µs or more, so the quick mode stays quick.
     */
    static final int INTERACTION_DIVISOR = 10;
    static final List<String> PINGPONG_TRANSPORTS = List.of("aperture", "ring", "aeron", "uds", "rsocket");
    static final List<String> BANDWIDTH_TRANSPORTS = List.of("aperture", "uds");
    static final long WAKEUP_GAP_US = 500;
    static final int BANDWIDTH_SIZE = 1 << 20;
    /**
     * RSocket's throughput rounds carry this fraction of the mode's messages: at its rate (an order of magnitude
     * below the others') a round then lasts about as long as theirs, and a full run stays within its timeout.
     * The report says "a tenth".
     */
    static final int RSOCKET_MESSAGES_DIVISOR = 10;
    /**
     * And at most this many: with unbounded demand RSocket's responder writes a whole round ahead of the consumer
     * into Netty's outbound buffer, and a full-mode round of 2,000,000 closed the connection mid-stream
     * (ClosedChannelException in the consumer) in 256 MB child JVMs; 500,000 ran in every mode.
     */
    static final long RSOCKET_MAX_MESSAGES = 500_000;
    static final List<Double> PERCENTILES = List.of(50.0, 90.0, 99.0, 99.9);

    /** Which mode: sizes of everything. */
    static final class ModeGroup {
        @Option(names = "--smoke", description = "Tiny: a few messages, one run, 8-byte throughput only (for the test).")
        boolean smoke;
        @Option(names = "--quick", description = "Quick: 3 runs per figure, under 2 minutes (the default).")
        boolean quick;
        @Option(names = "--full", description = "Full: 5 runs per figure and more messages, under 15 minutes.")
        boolean full;
    }

    /** The sizes of one mode. */
    record Settings(String mode, long messages, long bandwidthMessages, int pingWarmup, int pings, int warmups,
                    int runs, int wakeupWarmup, int wakeups, long idleMs) {
    }

    @ArgGroup(exclusive = true)
    ModeGroup modeGroup = new ModeGroup();

    @Option(names = "--out", description = "Directory for results.json (default: benchmarks/target/bench or target/bench).")
    Path out;

    @Option(names = "--docs", description = "Directory to write performance.md and images/ to (default: the --out directory).")
    Path docs;

    @Option(names = "--transports", split = ",", description = "Only these transports (default: all): "
        + "aperture,ring,reactor,aeron,uds,rsocket,spsc,interactions,rsocket-aperture,rsocket-local.")
    Set<String> transports;

    @Option(names = "--scenarios", split = ",", description = "Only these scenarios (default: all): "
        + "throughput,pingpong,bandwidth,wakeup,rr,rstream.")
    Set<String> scenarios;

    @Option(names = "--runs", description = "Measured runs per figure (default: by mode).")
    Integer runs;

    @Option(names = "--payload-checksums", description = "Aperture's channels carry a CRC32C of every payload "
        + "(ChannelOptions.withPayloadChecksums), to measure what the check costs.")
    boolean payloadChecksums;

    @Option(names = "--child-jvm-arg", description = "An extra option for every child JVM, e.g. "
        + "-XX:StartFlightRecording=filename=/tmp/bench-%%p.jfr to profile (repeatable).")
    List<String> childJvmArgs = List.of();

    @Option(names = "--timeout-seconds", description = "Kill a transport's children after this long (default: ${DEFAULT-VALUE}).")
    long timeoutSeconds = 240;

    private static final List<Process> LIVE = new CopyOnWriteArrayList<>();
    private static final Thread KILLER = new Thread(() -> LIVE.forEach(BenchRunner::kill), "bench-kill-children");
    private static boolean hookInstalled;

    private final List<Figure> figures = new ArrayList<>();
    private final Map<String, List<double[]>> curves = new LinkedHashMap<>();
    private int sequence;

    public static void main(String[] args) {
        System.exit(execute(args));
    }

    /** Runs the command line and returns its exit code (for tests). */
    public static int execute(String... args) {
        return new CommandLine(new BenchRunner()).execute(args);
    }

    Settings settings() {
        Settings s;
        if (modeGroup.smoke) {
            s = new Settings("smoke", 20_000, 8, 200, 500, 1, 1, 100, 200, 200);
        } else if (modeGroup.full) {
            s = new Settings("full", 20_000_000, 2_000, 100_000, 200_000, 2, 5, 2_000, 5_000, 2_000);
        } else {
            s = new Settings("quick", 3_000_000, 500, 20_000, 30_000, 1, 3, 300, 700, 300); // well under 2 minutes
        }
        if (runs != null) {
            s = new Settings(s.mode(), s.messages(), s.bandwidthMessages(), s.pingWarmup(), s.pings(), s.warmups(), runs,
                s.wakeupWarmup(), s.wakeups(), s.idleMs());
        }
        return s;
    }

    @Override
    public Integer call() throws Exception {
        System.setProperty("java.awt.headless", "true");
        synchronized (BenchRunner.class) {
            if (!hookInstalled) {
                Runtime.getRuntime().addShutdownHook(KILLER);
                hookInstalled = true;
            }
        }
        Settings s = settings();
        Child.extraJvmArgs = List.copyOf(childJvmArgs);
        Path outDir = out != null ? out
            : Files.isDirectory(Path.of("benchmarks", "target")) ? Path.of("benchmarks", "target", "bench") : Path.of("target", "bench");
        Files.createDirectories(outDir);
        Path docsDir = docs != null ? docs : outDir;
        long begin = System.nanoTime();
        Machine machine = Machine.describe();
        System.out.printf(Locale.ROOT, "bench: %s mode, %d measured run(s) after %d warm-up(s); %s%n", s.mode(), s.runs(),
            s.warmups(), machine.summary());
        try {
            if (wanted("throughput")) {
                // size, window, and whether Aperture's upstream emits on a thread of its own (subscribeOn)
                for (int[] row : new int[][] {{8, 0, 0}, {8, 256, 0}, {32, 0, 0}, {8, 0, 1}}) {
                    int size = row[0];
                    int window = row[1];
                    boolean async = row[2] != 0;
                    if ((size != Long.BYTES || async) && s.mode().equals("smoke")) {
                        continue; // the smoke test stays short: 8-byte messages only
                    }
                    String scenario = "throughput-" + size + "B-" + (window == 0 ? "unbounded" : "window" + window)
                        + (async ? "-async" : "");
                    for (String t : async ? ASYNC_TRANSPORTS : THROUGHPUT_TRANSPORTS) {
                        if (transportWanted(t)) {
                            throughput(scenario, t, size, window, async, s);
                        }
                    }
                }
            }
            if (wanted("pingpong")) {
                for (String t : PINGPONG_TRANSPORTS) {
                    if (transportWanted(t)) {
                        pingpong("pingpong-8B", t, s);
                    }
                }
            }
            if (wanted("bandwidth")) {
                for (String t : BANDWIDTH_TRANSPORTS) {
                    if (transportWanted(t)) {
                        bandwidth("bandwidth-1MiB", t, s);
                    }
                }
            }
            if (wanted("wakeup") && (transportWanted("aperture") || transportWanted("uds"))) {
                wakeup(s);
            }
            if (wanted("rr")) {
                for (String t : INTERACTION_TRANSPORTS) {
                    if (transportWanted(t)) {
                        roundTrips("rr-8B", t, s, s.pingWarmup() / INTERACTION_DIVISOR, s.pings() / INTERACTION_DIVISOR);
                    }
                }
            }
            if (wanted("rstream")) {
                long messages = Math.min(RSOCKET_MAX_MESSAGES, s.messages() / INTERACTION_DIVISOR);
                for (String t : INTERACTION_TRANSPORTS) {
                    if (transportWanted(t)) {
                        throughput("rstream-8B", t, Long.BYTES, 0, false, messages, s);
                    }
                }
            }
        } catch (BenchFailure e) {
            System.out.println("bench: FAILED: " + e.getMessage());
            return 1;
        } finally {
            LIVE.forEach(BenchRunner::kill);
        }
        double elapsed = (System.nanoTime() - begin) / 1e9;
        List<Figure.Ratio> ratios = ratios();
        printSummary(ratios, elapsed);
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("machine", machine);
        json.put("settings", s);
        json.put("elapsedSeconds", elapsed);
        json.put("figures", figures);
        json.put("ratios", ratios);
        json.put("latencyCurves", curves);
        Path results = outDir.resolve("results.json");
        new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(results.toFile(), json);
        Report.write(docsDir, machine, s, elapsed, figures, ratios, curves);
        System.out.println("bench: results in " + results + ", report in " + docsDir.resolve("performance.md"));
        return 0;
    }

    private boolean wanted(String scenario) {
        return scenarios == null || scenarios.contains(scenario);
    }

    private boolean transportWanted(String transport) {
        return transports == null || transports.contains(transport);
    }

    private Params base(String scenario, Settings s) {
        return new Params().with("scenario", scenario).with("warmups", s.warmups()).with("runs", s.runs())
            .with("timeout", timeoutSeconds).with("checksums", payloadChecksums ? 1 : 0);
    }

    // ---------------------------------------------------------------- scenarios

    private void throughput(String scenario, String transport, int size, int window, boolean async, Settings s)
        throws IOException {
        long messages = transport.equals("rsocket")
            ? Math.min(RSOCKET_MAX_MESSAGES, s.messages() / RSOCKET_MESSAGES_DIVISOR) : s.messages();
        throughput(scenario, transport, size, window, async, messages, s);
    }

    private void throughput(String scenario, String transport, int size, int window, boolean async, long messages,
                            Settings s) throws IOException {
        Params p = base("tp", s).with("messages", messages).with("window", window).with("size", size)
            .with("async", async ? 1 : 0);
        List<List<String>> both = switch (transport) {
            case "reactor" -> pairBoth(transport, "both", null, p);
            case "rsocket-local" -> pairBoth(transport, "both", null, p.with("local", RSOCKET_LOCAL_SERVER));
            default -> withEndpoint(transport, p, q -> pairBoth(transport, "consumer", "producer", q));
        };
        List<String> lines = both.get(0);
        List<Double> rates = rounds(lines, s).stream().map(r -> (r[0] - 1) * 1e3 / r[1]).toList(); // M msg/s
        add(Figure.of(scenario, transport, "throughput", "M msg/s", true, rates));
        List<String> all = new ArrayList<>(lines);
        all.addAll(both.get(1)); // the producer's output (empty for the one-JVM Reactor peer)
        for (String side : List.of("consumer", "producer")) {
            List<Double> perMessage = allocations(all, side, s);
            if (!perMessage.isEmpty()) {
                add(Figure.of(scenario, transport, "alloc-" + side, "B/msg", false, perMessage));
            }
        }
    }

    /** Bytes per message of each measured round's ALLOC line of {@code side}; empty when the child prints none. */
    private static List<Double> allocations(List<String> lines, String side, Settings s) {
        List<Double> result = new ArrayList<>();
        for (String line : lines) {
            String[] parts = line.split(" ");
            if (parts.length == 5 && parts[0].equals("ALLOC") && parts[2].equals(side)
                && Integer.parseInt(parts[1]) >= s.warmups()) {
                result.add(Double.parseDouble(parts[3]) / Double.parseDouble(parts[4]));
            }
        }
        return result;
    }

    /**
     * Wake-up latency and idle CPU per wait strategy ({@link io.aperture.benchmarks.WakeupLatency}): one message
     * every {@link #WAKEUP_GAP_US} µs to a subscriber idle in between (CPU "busy": at that rate), then nothing for
     * the mode's idle time (CPU "idle"), and the same through a Unix domain socket's blocking read, compared with
     * {@code BLOCKING}. Runs are interleaved, so a load change hits all alike. The quick mode leaves out the spinning
     * strategies.
     */
    private void wakeup(Settings s) {
        Map<String, List<double[]>> runs = new LinkedHashMap<>();
        try {
            for (int run = 0; run < s.runs(); run++) {
                if (transportWanted("aperture")) {
                    for (io.aperture.Waiting w : io.aperture.Waiting.values()) {
                        if (s.mode().equals("quick") && (w == io.aperture.Waiting.BUSY_SPIN || w == io.aperture.Waiting.YIELDING)) {
                            continue; // they hold a core by design; the quick mode keeps to its 2 minutes without them
                        }
                        runs.computeIfAbsent("aperture " + w, k -> new ArrayList<>()).add(
                            io.aperture.benchmarks.WakeupLatency.measure(w, s.wakeupWarmup(), s.wakeups(), WAKEUP_GAP_US,
                                s.idleMs()));
                    }
                }
                if (transportWanted("uds")) {
                    runs.computeIfAbsent("uds " + io.aperture.Waiting.BLOCKING, k -> new ArrayList<>()).add(
                        io.aperture.benchmarks.WakeupLatency.measureUds(s.wakeupWarmup(), s.wakeups(), WAKEUP_GAP_US,
                            s.idleMs()));
                }
            }
        } catch (Exception e) {
            throw new BenchFailure("wake-up latency: " + e);
        }
        String[] metrics = {"p50", "p99", "p99.9"};
        for (Map.Entry<String, List<double[]>> e : runs.entrySet()) {
            String[] key = e.getKey().split(" ");
            String scenario = "wakeup-" + key[1];
            for (int m = 0; m < metrics.length; m++) {
                int column = m;
                add(Figure.of(scenario, key[0], metrics[m], "µs", false, e.getValue().stream().map(r -> r[column]).toList()));
            }
            add(Figure.of(scenario, key[0], "cpu-busy", "% of a core", false, e.getValue().stream().map(r -> r[4]).toList()));
            add(Figure.of(scenario, key[0], "cpu-idle", "% of a core", false, e.getValue().stream().map(r -> r[5]).toList()));
        }
    }

    private void bandwidth(String scenario, String transport, Settings s) throws IOException {
        Params p = base("bw", s).with("messages", s.bandwidthMessages()).with("size", BANDWIDTH_SIZE);
        List<String> lines = withEndpoint(transport, p, q -> pair(transport, "consumer", "producer", q));
        List<Double> rates = rounds(lines, s).stream()
            .map(r -> (r[0] - 1) * (double) BANDWIDTH_SIZE / (1 << 30) / (r[1] / 1e9)).toList(); // GiB/s
        add(Figure.of(scenario, transport, "bandwidth", "GiB/s", true, rates));
    }

    private void pingpong(String scenario, String transport, Settings s) throws IOException {
        Histogram all = roundTrips(scenario, transport, s, s.pingWarmup(), s.pings());
        List<double[]> curve = new ArrayList<>();
        for (double pct : new double[] {0, 25, 50, 75, 90, 95, 99, 99.5, 99.9, 99.95, 99.99}) {
            curve.add(new double[] {pct, all.getValueAtPercentile(pct) / 1e3});
        }
        curves.put(transport, curve);
    }

    /** One pinger and one ponger: {@code warmup} round trips, then a histogram per run of {@code pings}; returns them merged. */
    private Histogram roundTrips(String scenario, String transport, Settings s, int warmup, int pings) throws IOException {
        Params p = base("ping", s).with("warmup", warmup).with("pings", pings);
        List<List<String>> both = transport.equals("rsocket-local")
            ? pairBoth(transport, "pingpong", null, p.with("local", RSOCKET_LOCAL_SERVER))
            : withEndpoint(transport, p, q -> pairBoth(transport, "ponger", "pinger", q));
        // A one-JVM pair prints its histograms in its only child's output.
        List<String> pinger = transport.equals("rsocket-local") ? both.get(0) : both.get(1);
        List<Histogram> hists = new ArrayList<>();
        for (String line : pinger) {
            if (line.startsWith("HIST ")) {
                String[] parts = line.split(" ");
                try {
                    hists.add(Histogram.decodeFromCompressedByteBuffer(ByteBuffer.wrap(Base64.getDecoder().decode(parts[2])), 0));
                } catch (java.util.zip.DataFormatException e) {
                    throw new BenchFailure(transport + " ping-pong: bad histogram: " + e);
                }
            }
        }
        if (hists.size() != s.runs()) {
            throw new BenchFailure(transport + " ping-pong: " + hists.size() + " histograms, expected " + s.runs());
        }
        Histogram all = BenchChild.newHistogram();
        for (double pct : PERCENTILES) {
            List<Double> values = hists.stream().map(h -> h.getValueAtPercentile(pct) / 1e3).toList();
            add(Figure.of(scenario, transport, "p" + trim(pct), "µs", false, values));
        }
        hists.forEach(all::add);
        return all;
    }

    static String trim(double pct) {
        return pct == Math.rint(pct) ? Long.toString((long) pct) : Double.toString(pct);
    }

    private void add(Figure f) {
        figures.add(f);
        System.out.printf(Locale.ROOT, "  %-26s %-9s %-10s median %10.3f %-7s (min %.3f, max %.3f, runs %s)%n", f.scenario(),
            f.transport(), f.metric(), f.median(), f.unit(), f.min(), f.max(), format(f.runs()));
    }

    private static String format(List<Double> values) {
        return values.stream().map(v -> String.format(Locale.ROOT, "%.3f", v)).toList().toString();
    }

    /** {messages, nanos} of each measured ROUND line. */
    private static List<double[]> rounds(List<String> lines, Settings s) {
        List<double[]> result = new ArrayList<>();
        for (String line : lines) {
            if (line.startsWith("ROUND ")) {
                String[] parts = line.split(" ");
                if (Integer.parseInt(parts[1]) >= s.warmups()) {
                    result.add(new double[] {Double.parseDouble(parts[2]), Double.parseDouble(parts[3])});
                }
            }
        }
        if (result.size() != s.runs()) {
            throw new BenchFailure(result.size() + " measured rounds, expected " + s.runs() + "; output: " + lines);
        }
        return result;
    }

    // ---------------------------------------------------------------- child JVMs

    /**
     * A directory (Aperture, Aeron) or socket path (UDS) for one pair of children, removed afterwards; for
     * RSocket the loopback address, on which the first child binds a port of the system's choice.
     */
    private <T> T withEndpoint(String transport, Params p, java.util.function.Function<Params, T> body) throws IOException {
        if (transport.equals("rsocket")) {
            return body.apply(p.with("host", RSocketPeer.LOOPBACK));
        }
        Path parent = sharedMemoryOrTemp();
        int n = ++sequence;
        Path endpoint = switch (transport) {
            case "aperture", "ring", "spsc", "interactions", "rsocket-aperture" -> Files.createTempDirectory(parent, "aperture-bench-");
            case "aeron" -> parent.resolve("aperture-bench-aeron-" + ProcessHandle.current().pid() + "-" + n);
            case "uds" -> Path.of(System.getProperty("java.io.tmpdir"), "aperture-bench-" + ProcessHandle.current().pid() + "-" + n + ".sock");
            default -> throw new IllegalArgumentException(transport);
        };
        try {
            return body.apply(p.with(transport.equals("uds") ? "socket" : "dir", endpoint));
        } finally {
            deleteRecursively(endpoint);
        }
    }

    /** /dev/shm when usable (Aperture's default place and Aeron's default on Linux), else the JDK temp dir. */
    static Path sharedMemoryOrTemp() {
        Path shm = Path.of("/dev/shm");
        return Files.isDirectory(shm) && Files.isWritable(shm) ? shm : Path.of(System.getProperty("java.io.tmpdir"));
    }

    private static void deleteRecursively(Path path) {
        if (!Files.exists(path)) {
            return;
        }
        try (var walk = Files.walk(path)) {
            walk.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        } catch (IOException e) {
            System.out.println("bench: could not remove " + path + ": " + e);
        }
    }

    /**
     * Starts {@code first}, waits for its READY, starts {@code second} (if any, with {@code port=<n>} when
     * {@code first} announced {@code PORT <n>}), waits for both to exit.
     * Returns both outputs; fails when either exits non-zero or the timeout passes. Kills both at the end.
     */
    private List<List<String>> pairBoth(String transport, String first, String second, Params p) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(timeoutSeconds);
        Child a = null;
        Child b = null;
        try {
            a = Child.start(transport, first, p);
            a.awaitLine("READY"::equals, deadline);
            if (second != null) {
                String port = a.announced("PORT ");
                b = Child.start(transport, second, port != null ? p.with("port", port) : p);
            }
            a.awaitExit(deadline);
            if (b != null) {
                b.awaitExit(deadline);
            }
            List<List<String>> outputs = new ArrayList<>();
            outputs.add(a.lines());
            outputs.add(b != null ? b.lines() : List.of());
            return outputs;
        } finally {
            if (a != null) {
                a.close();
            }
            if (b != null) {
                b.close();
            }
        }
    }

    private List<String> pair(String transport, String first, String second, Params p) {
        return pairBoth(transport, first, second, p).get(0);
    }

    static void kill(Process process) {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
    }

    /** A child JVM whose output is collected line by line. */
    static final class Child implements AutoCloseable {
        /** {@code --child-jvm-arg}: set once per invocation, before any child starts. */
        static volatile List<String> extraJvmArgs = List.of();
        private final String name;
        private final Process process;
        private final List<String> lines = new CopyOnWriteArrayList<>();
        private final Thread pump;

        private Child(String name, Process process) {
            this.name = name;
            this.process = process;
            this.pump = new Thread(this::pump, "bench-pump-" + name);
            this.pump.setDaemon(true);
            this.pump.start();
        }

        static Child start(String transport, String role, Params p) {
            List<String> command = new ArrayList<>();
            command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
            command.addAll(List.of("-Xms256m", "-Xmx256m", "-XX:+UseSerialGC",
                "--add-opens", "java.base/jdk.internal.misc=ALL-UNNAMED",
                "--add-opens", "java.base/java.util.zip=ALL-UNNAMED",
                "--add-opens", "java.base/sun.nio.ch=ALL-UNNAMED"));
            if (transport.equals("aeron")) {
                command.add("-Dagrona.disable.bounds.checks=true"); // Aeron's advice for production performance
            }
            command.addAll(extraJvmArgs);
            command.addAll(List.of("-cp", System.getProperty("java.class.path"), BenchChild.class.getName(), transport, role));
            command.addAll(p.toArgs());
            try {
                Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
                LIVE.add(process);
                return new Child(transport + "-" + role, process);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot start " + command, e);
            }
        }

        private void pump() {
            try (BufferedReader reader = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = reader.readLine()) != null) {
                    lines.add(line);
                    if (line.startsWith("ERROR")) {
                        System.out.println("  [" + name + "] " + line);
                    }
                }
            } catch (IOException e) {
                lines.add("<output closed: " + e + ">");
            }
        }

        List<String> lines() {
            return List.copyOf(lines);
        }

        /** The rest of the first output line starting with {@code prefix}, or null. */
        String announced(String prefix) {
            return lines.stream().filter(l -> l.startsWith(prefix)).map(l -> l.substring(prefix.length()).trim())
                .findFirst().orElse(null);
        }

        void awaitLine(Predicate<String> match, long deadline) {
            int seen = 0;
            while (true) {
                for (; seen < lines.size(); seen++) {
                    if (match.test(lines.get(seen))) {
                        return;
                    }
                }
                if (!process.isAlive()) {
                    join();
                    if (lines.stream().anyMatch(match)) {
                        return;
                    }
                    throw new BenchFailure(name + " exited with " + process.exitValue() + " before READY; output: " + lines);
                }
                if (System.nanoTime() > deadline) {
                    throw new BenchFailure(name + " not ready in time; output: " + lines);
                }
                try {
                    process.waitFor(10, TimeUnit.MILLISECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new BenchFailure("interrupted");
                }
            }
        }

        void awaitExit(long deadline) {
            try {
                long remaining = deadline - System.nanoTime();
                if (remaining <= 0 || !process.waitFor(remaining, TimeUnit.NANOSECONDS)) {
                    throw new BenchFailure(name + " still running at the timeout, killed; output: " + lines);
                }
                join();
                if (process.exitValue() != 0) {
                    throw new BenchFailure(name + " exited with " + process.exitValue() + "; output: " + lines);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new BenchFailure("interrupted");
            }
        }

        private void join() {
            try {
                pump.join(TimeUnit.SECONDS.toMillis(5));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        @Override
        public void close() {
            kill(process);
            try {
                process.waitFor(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            LIVE.remove(process);
        }
    }

    /** A failed measurement: a child failed (a sequence check, a crash) or did not end in time. */
    static final class BenchFailure extends RuntimeException {
        private static final long serialVersionUID = 1L;

        BenchFailure(String message) {
            super(message);
        }
    }

    // ---------------------------------------------------------------- summary

    private List<Figure.Ratio> ratios() {
        List<Figure.Ratio> result = new ArrayList<>();
        for (Figure a : figures) {
            if (!OWN_TRANSPORTS.contains(a.transport())) {
                continue;
            }
            for (Figure peer : figures) {
                if (peer.scenario().equals(a.scenario()) && peer.metric().equals(a.metric())
                    && !OWN_TRANSPORTS.contains(peer.transport()) && peer.median() > 0) { // an idle CPU may be 0
                    double ratio = a.median() / peer.median();
                    result.add(new Figure.Ratio(a.scenario(), a.metric(), a.transport(), peer.transport(), ratio,
                        a.higherIsBetter() ? ratio > 1 : ratio < 1));
                }
            }
        }
        return result;
    }

    private void printSummary(List<Figure.Ratio> ratios, double elapsed) {
        System.out.printf(Locale.ROOT, "bench: done in %.1f s; Aperture median / peer median:%n", elapsed);
        Set<String> keys = new LinkedHashSet<>();
        ratios.forEach(r -> keys.add(r.scenario() + " " + r.metric() + " " + r.own()));
        for (String key : keys) {
            StringBuilder sb = new StringBuilder(String.format(Locale.ROOT, "  %-45s", key));
            for (Figure.Ratio r : ratios) {
                if ((r.scenario() + " " + r.metric() + " " + r.own()).equals(key)) {
                    sb.append(String.format(Locale.ROOT, "  vs %-7s %6.2fx", r.peer(), r.ratio()));
                }
            }
            System.out.println(sb);
        }
    }
}
