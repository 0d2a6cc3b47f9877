package io.aperture.tools;

import io.aperture.inspect.ChannelError;
import io.aperture.inspect.ChannelSnapshot;
import io.aperture.inspect.SubscriberSnapshot;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Snapshots as JSON objects and table cells, shared by the commands. */
final class Describe {
    private Describe() {
    }

    static Map<String, Object> channel(ChannelSnapshot c) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("channel", c.channel());
        m.put("ring", c.ring().toString());
        m.put("readable", c.readable());
        m.put("problem", c.problem());
        m.put("codec", c.readable() || !c.codecName().isEmpty() ? c.codecName() : null);
        m.put("schemaId", c.schemaId());
        m.put("capacity", c.capacity());
        m.put("slotLength", c.slotLength());
        m.put("slotCount", c.slotCount());
        m.put("maxMessageLength", c.maxMessageLength());
        m.put("maxSubscribers", c.maxSubscribers());
        m.put("flags", c.flags());
        Map<String, Object> publisher = new LinkedHashMap<>();
        publisher.put("pid", c.publisherPid());
        publisher.put("alive", c.publisherAlive());
        publisher.put("liveness", c.publisherLiveness());
        publisher.put("parked", c.publisherParked());
        publisher.put("heartbeatAgeMs", c.heartbeatAgeNanos() / 1_000_000);
        m.put("publisher", publisher);
        m.put("terminalState", c.terminalState().isEmpty() ? null : c.terminalState());
        m.put("cursor", c.cursor());
        m.put("published", c.publishedExact());
        m.put("publishedLazy", c.published());
        m.put("end", c.end());
        m.put("subscriberCount", c.subscriberCount());
        m.put("dropped", c.droppedSubscribers());
        m.put("error", error(c.error()));
        List<Object> subs = new ArrayList<>();
        for (SubscriberSnapshot s : c.subscribers()) {
            subs.add(subscriber(s));
        }
        m.put("subscribers", subs);
        return m;
    }

    static Map<String, Object> error(ChannelError e) {
        if (e == null) {
            return null;
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("className", e.className());
        m.put("message", e.message());
        return m;
    }

    static Map<String, Object> subscriber(SubscriberSnapshot s) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("index", s.index());
        m.put("file", s.file().toString());
        m.put("problem", s.problem());
        m.put("pid", s.pid());
        m.put("alive", s.alive());
        m.put("liveness", s.liveness());
        m.put("currentSession", s.currentSession());
        m.put("admitted", s.admitted());
        m.put("cancelled", s.cancelled());
        m.put("dropped", s.droppedLagBytes() != 0);
        m.put("droppedLagBytes", s.droppedLagBytes());
        m.put("requested", s.requested());
        m.put("delivered", s.delivered());
        m.put("consumed", s.consumed() == SubscriberSnapshot.NOT_STARTED ? null : s.consumed());
        m.put("outstanding", s.outstanding());
        m.put("lagMessages", s.lagMessages());
        m.put("lagBytes", s.lagBytes());
        m.put("parked", s.parked());
        m.put("polls", s.polls());
        m.put("heartbeatAgeMs", s.heartbeatAgeNanos() / 1_000_000);
        return m;
    }

    static String ring(ChannelSnapshot c) {
        return c.capacity() == 0 ? "-" : bytes(c.capacity()) + " / " + c.slotLength() + " B";
    }

    static String publisher(ChannelSnapshot c) {
        return c.publisherPid() == -1 ? "-" : c.publisherPid() + " " + (c.publisherAlive() ? "alive" : "dead");
    }

    static String bytes(long n) {
        if (n >= 1 << 30 && n % (1 << 30) == 0) {
            return n / (1 << 30) + " GiB";
        }
        if (n >= 1 << 20 && n % (1 << 20) == 0) {
            return n / (1 << 20) + " MiB";
        }
        if (n >= 1 << 10 && n % (1 << 10) == 0) {
            return n / (1 << 10) + " KiB";
        }
        return n + " B";
    }

    static String count(long n) {
        return n == Long.MAX_VALUE ? "unbounded" : Long.toString(n);
    }

    static String age(long nanos) {
        long ms = nanos / 1_000_000;
        return ms < 10_000 ? ms + " ms" : ms / 1000 + " s";
    }

    static String dash(String s) {
        return s == null || s.isEmpty() ? "-" : s;
    }
}
