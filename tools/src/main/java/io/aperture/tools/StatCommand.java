package io.aperture.tools;

import io.aperture.inspect.ChannelInspector;
import io.aperture.inspect.ChannelSnapshot;
import io.aperture.inspect.SubscriberSnapshot;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.locks.LockSupport;

/** {@code aperture stat CHANNEL}: a channel's positions, rates, and per subscriber its demand, lag and liveness. */
@Command(name = "stat", mixinStandardHelpOptions = true,
    header = "Shows a channel's counters, rates, demand and lag.",
    description = "Shows a channel's published count and rate, cursor and end, drops, and per subscriber: index, pid "
        + "and liveness, requested, delivered (and rate), consumed, outstanding demand, lag in messages and "
        + "bytes, wait state (parked, polling or awake), heartbeat age. Rates come from two samples --interval "
        + "apart. With --watch the table is refreshed in place every --interval until interrupted (or --count "
        + "refreshes).")
final class StatCommand implements Callable<Integer> {
    @Mixin
    CommonOptions common;

    @Parameters(index = "0", paramLabel = "CHANNEL", description = "The channel name.")
    String channel;

    @Option(names = "--watch", description = "Refresh in place every --interval.")
    boolean watch;

    @Option(names = "--interval", paramLabel = "DURATION", defaultValue = "1s", converter = DurationConverter.class,
        description = "Time between the two samples of a rate, and between refreshes (default: ${DEFAULT-VALUE}).")
    Duration interval;

    @Option(names = "--count", paramLabel = "N", defaultValue = "0",
        description = "With --watch: stop after N refreshes (default: until interrupted).")
    int count;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        ChannelInspector inspector = common.inspector();
        ChannelSnapshot previous = inspector.snapshot(channel);
        if (!previous.ringPresent() && previous.subscribers().isEmpty()) {
            spec.commandLine().getErr().println("aperture stat: no channel '" + channel + "' in " + common.directory());
            spec.commandLine().getErr().flush();
            return ApertureCli.EXIT_PROBLEM;
        }
        for (int frame = 1; ; frame++) {
            LockSupport.parkNanos(interval.toNanos()); // the sampling interval of the rates, not a synchronisation
            ChannelSnapshot now = inspector.snapshot(channel);
            if (watch && !common.json) {
                out.print("\033[H\033[2J"); // cursor home, clear screen: the table is redrawn in place
            }
            print(out, previous, now);
            out.flush();
            if (!watch || (count > 0 && frame >= count) || Thread.currentThread().isInterrupted()) {
                return now.readable() ? 0 : ApertureCli.EXIT_PROBLEM;
            }
            previous = now;
        }
    }

    private void print(PrintWriter out, ChannelSnapshot before, ChannelSnapshot now) {
        double seconds = Math.max(1e-9, (now.sampledAtNanos() - before.sampledAtNanos()) / 1e9);
        double publishRate = (now.publishedExact() - before.publishedExact()) / seconds;
        Map<Integer, Long> deliveredBefore = new HashMap<>();
        before.subscribers().forEach(s -> deliveredBefore.put(s.index(), s.delivered()));
        if (common.json) {
            Map<String, Object> m = Describe.channel(now);
            m.put("intervalMs", Math.round(seconds * 1000));
            m.put("publishedPerSecond", publishRate);
            @SuppressWarnings("unchecked")
            List<Map<String, Object>> subs = (List<Map<String, Object>>) (List<?>) m.get("subscribers");
            for (int i = 0; i < subs.size(); i++) {
                SubscriberSnapshot s = now.subscribers().get(i);
                Long d = deliveredBefore.get(s.index());
                subs.get(i).put("deliveredPerSecond", d == null ? null : (s.delivered() - d) / seconds);
            }
            out.println(Json.write(m));
            return;
        }
        out.println("channel " + now.channel() + "  codec " + Describe.dash(now.codecName()) + "  ring "
            + Describe.ring(now) + " (" + now.slotCount() + " slots)  state " + Describe.dash(now.terminalState()));
        if (now.problem() != null) {
            out.println("problem: " + now.problem());
        }
        if (!now.readable()) {
            out.println("publisher " + Describe.publisher(now) + "  (no counters: the ring did not validate)");
        } else {
            out.println("publisher " + Describe.publisher(now) + "  published " + now.publishedExact() + " ("
                + rate(publishRate) + "/s)  cursor " + now.cursor() + "  end " + now.end() + "  dropped "
                + now.droppedSubscribers() + "  parked " + (now.publisherParked() ? "yes" : "no") + "  heartbeat "
                + Describe.age(now.heartbeatAgeNanos()));
        }
        if (now.error() != null) {
            out.println("error: " + now.error());
        }
        if (now.subscribers().isEmpty()) {
            out.println("no subscriber sections");
            return;
        }
        Table table = new Table("SUB", "PID", "ALIVE", "REQUESTED", "DELIVERED", "RATE/s", "CONSUMED", "OUTSTANDING",
            "LAG", "LAG BYTES", "WAIT", "HEARTBEAT", "NOTE");
        for (SubscriberSnapshot s : now.subscribers()) {
            Long d = deliveredBefore.get(s.index());
            table.row(s.index(), s.pid(), s.alive() ? "alive" : "dead", Describe.count(s.requested()), s.delivered(),
                d == null ? "-" : rate((s.delivered() - d) / seconds),
                s.consumed() == SubscriberSnapshot.NOT_STARTED ? "-" : s.consumed(), Describe.count(s.outstanding()),
                s.lagMessages(), s.lagBytes(), wait(s), Describe.age(s.heartbeatAgeNanos()),
                note(s));
        }
        table.print(out);
    }

    /**
     * Its wait state: parked (asleep on the ring's wake word), polling (a spinning, yielding or back-off strategy,
     * awake), or awake (a blocking strategy, reading or about to sleep).
     */
    private static String wait(SubscriberSnapshot s) {
        return s.parked() ? "parked" : s.polls() ? "polling" : "awake";
    }

    private static String note(SubscriberSnapshot s) {
        if (s.problem() != null) {
            return s.problem();
        }
        if (s.droppedLagBytes() != 0) {
            return "dropped at lag " + s.droppedLagBytes() + " B";
        }
        if (s.cancelled()) {
            return "cancelled";
        }
        if (!s.currentSession()) {
            return "of an earlier session";
        }
        return s.admitted() ? "" : "waiting for admission";
    }

    private static String rate(double perSecond) {
        return String.format(Locale.ROOT, "%.1f", perSecond);
    }
}
