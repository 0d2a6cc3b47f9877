package io.aperture.tools;

import io.aperture.ApertureException;
import io.aperture.inspect.Tail;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.locks.LockSupport;

/** {@code aperture tail CHANNEL}: prints a channel's messages as they flow, without holding its publisher up. */
@Command(name = "tail", mixinStandardHelpOptions = true,
    header = "Prints a channel's messages as they flow, without holding it up.",
    description = "Prints a channel's messages as they are published, decoded by the channel's codec when a codec of "
        + "that name is known (the built-ins, and CodecProvider services on the class path), in hex otherwise. "
        + "It never registers as a subscriber and writes nothing: the publisher never waits for it. When the "
        + "publisher laps it, it says how many messages it missed and goes on from the newest. It stops when "
        + "the channel ends, its publisher dies, after --count messages or after --timeout.")
final class TailCommand implements Callable<Integer> {
    @Mixin
    CommonOptions common;

    @Parameters(index = "0", paramLabel = "CHANNEL", description = "The channel name.")
    String channel;

    @Option(names = "--count", paramLabel = "N", defaultValue = "0",
        description = "Stop after N messages (default: follow until the channel ends).")
    long count;

    @Option(names = "--timeout", paramLabel = "DURATION", converter = DurationConverter.class,
        description = "Stop after this long (default: no limit).")
    Duration timeout;

    @Option(names = "--wait", paramLabel = "DURATION", defaultValue = "0s", converter = DurationConverter.class,
        description = "Wait this long for the channel's ring to appear (default: ${DEFAULT-VALUE}).")
    Duration waitForRing;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    private long messages;
    private long missed;
    private long missedEvents;
    private String end;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        long start = System.nanoTime();
        long ringDeadline = start + waitForRing.toNanos();
        Tail tail;
        while (true) {
            try {
                tail = common.inspector().tail(channel);
                break;
            } catch (ApertureException e) {
                if (System.nanoTime() - ringDeadline >= 0) {
                    spec.commandLine().getErr().println("aperture tail: " + channel + ": " + e.getMessage());
                    spec.commandLine().getErr().flush();
                    return ApertureCli.EXIT_PROBLEM;
                }
                LockSupport.parkNanos(10_000_000L); // polls for the ring with a deadline
            }
        }
        try (Tail t = tail) {
            if (common.json) {
                Map<String, Object> j = new LinkedHashMap<>();
                j.put("event", "start");
                j.put("channel", channel);
                j.put("codec", t.codecName());
                j.put("decodes", t.decodes());
                j.put("fromSequence", t.nextSequence());
                out.println(Json.write(j));
                out.flush();
            } else {
                out.println("tail " + channel + " (codec " + t.codecName() + (t.decodes() ? "" : ", not known here: hex")
                    + ") from seq " + t.nextSequence());
                out.flush();
            }
            long idleNs = 0;
            long park = 20_000L;
            int exit = 0;
            while (end == null) {
                int[] result = {0};
                List<Tail.Event> found = new ArrayList<>();
                int events = t.poll(found::add, 4096); // read first, print after: the reading keeps up with bursts
                found.forEach(event -> result[0] |= print(out, event));
                if (events > 0) {
                    out.flush();
                    idleNs = 0;
                    park = 20_000L;
                    if ((result[0] & 2) != 0) {
                        exit = ApertureCli.EXIT_PROBLEM;
                    }
                } else {
                    // Idle: park, backing off to 5 ms; the publisher never waits for this tail.
                    LockSupport.parkNanos(park);
                    idleNs += park;
                    park = Math.min(park * 2, 5_000_000L);
                    if (idleNs > 200_000_000L) {
                        idleNs = 0;
                        if (!t.publisherAlive() && t.poll(event -> print(out, event), 4096) == 0 && end == null) {
                            end = "publisher died";
                        }
                    }
                }
                if (t.ended() && end == null) {
                    end = "ended";
                }
                if (count > 0 && messages >= count) {
                    end = "count reached";
                } else if (timeout != null && System.nanoTime() - start > timeout.toNanos()) {
                    end = "timeout";
                }
                if (Thread.currentThread().isInterrupted()) {
                    end = "interrupted";
                }
            }
            summary(out);
            return exit;
        }
    }

    /** Prints one event; returns 1 for a message, 2 for corruption, 0 otherwise. */
    private int print(PrintWriter out, Tail.Event event) {
        if (event instanceof Tail.Message m) {
            if (count > 0 && messages >= count) {
                return 0;
            }
            messages++;
            if (common.json) {
                Map<String, Object> j = new LinkedHashMap<>();
                j.put("event", "message");
                j.put("number", m.number());
                j.put("sequence", m.sequence());
                j.put("value", m.value() == null ? null : m.value() instanceof Number || m.value() instanceof Boolean
                    ? m.value() : text(m.value()));
                j.put("hex", m.value() == null ? hex(m.payload()) : null);
                j.put("decodeProblem", m.decodeProblem());
                out.println(Json.write(j));
            } else {
                out.println("#" + m.number() + " " + (m.value() != null ? text(m.value()) : "[" + m.payload().length
                    + " B] " + hex(m.payload()) + (m.decodeProblem() == null ? "" : "  (" + m.decodeProblem() + ")")));
            }
            return 1;
        }
        if (event instanceof Tail.Missed m) {
            missed += m.messages();
            missedEvents++;
            if (common.json) {
                Map<String, Object> j = new LinkedHashMap<>();
                j.put("event", "missed");
                j.put("messages", m.messages());
                j.put("fromSequence", m.fromSequence());
                j.put("toSequence", m.toSequence());
                out.println(Json.write(j));
            } else {
                out.println("! missed " + m.messages() + " messages (slots " + m.fromSequence() + ".." + m.toSequence()
                    + "): the publisher lapped this tail; resynchronised at its newest position");
            }
            return 0;
        }
        if (event instanceof Tail.End e) {
            end = "channel " + e.terminalState();
            if (common.json) {
                Map<String, Object> j = new LinkedHashMap<>();
                j.put("event", "end");
                j.put("terminalState", e.terminalState());
                j.put("error", Describe.error(e.error()));
                out.println(Json.write(j));
            } else {
                out.println("end " + e.terminalState() + (e.error() == null ? "" : " " + e.error()));
            }
            return 0;
        }
        Tail.Corrupt c = (Tail.Corrupt) event;
        end = "corrupt";
        if (common.json) {
            Map<String, Object> j = new LinkedHashMap<>();
            j.put("event", "corrupt");
            j.put("problem", c.problem());
            out.println(Json.write(j));
        } else {
            out.println("! corrupt: " + c.problem());
        }
        return 2;
    }

    private void summary(PrintWriter out) {
        if (common.json) {
            Map<String, Object> j = new LinkedHashMap<>();
            j.put("event", "summary");
            j.put("messages", messages);
            j.put("missed", missed);
            j.put("missedEvents", missedEvents);
            j.put("stopped", end);
            out.println(Json.write(j));
        } else {
            out.println("tail saw " + messages + " messages, missed " + missed + " (" + end + ")");
        }
        out.flush();
    }

    private static String text(Object value) {
        if (value instanceof byte[] b) {
            return hex(b);
        }
        if (value instanceof java.nio.ByteBuffer b) {
            byte[] copy = new byte[b.remaining()];
            b.duplicate().get(copy);
            return hex(copy);
        }
        return String.valueOf(value);
    }

    static String hex(byte[] bytes) {
        StringBuilder s = new StringBuilder(bytes.length * 3);
        int shown = Math.min(bytes.length, 64);
        for (int i = 0; i < shown; i++) {
            if (i > 0) {
                s.append(' ');
            }
            s.append(Character.forDigit((bytes[i] >> 4) & 0xF, 16)).append(Character.forDigit(bytes[i] & 0xF, 16));
        }
        if (shown < bytes.length) {
            s.append(" ...");
        }
        return s.toString();
    }
}
