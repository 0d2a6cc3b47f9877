package io.aperture.spring;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.ApplicationArguments;
import org.springframework.boot.ApplicationRunner;
import org.springframework.boot.ExitCodeGenerator;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.messaging.rsocket.RSocketRequester;
import org.springframework.messaging.rsocket.annotation.support.RSocketMessageHandler;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A Spring Boot RSocket application whose {@code @MessageMapping} controller ({@link QuoteController}) is served
 * over Aperture rings ({@code quotes.transport=aperture}, the default) or over RSocket's TCP transport
 * ({@code quotes.transport=tcp}): that one property, read only by {@link QuoteTransports}, changes the transport.
 * With {@code quotes.role=server} (the default) it serves the controller through Spring's
 * {@link RSocketMessageHandler} and starts {@code quotes.clients} JVMs of this same application with
 * {@code quotes.role=client}, each of which asks through Spring's {@link RSocketRequester}, checks every answer and
 * prints what it did; the server then prints a summary and exits.
 */
@SpringBootApplication
public class SpringQuotesApplication {
    static final String LEAK_LEVEL = "io.netty.leakDetection.level";

    public static void main(String[] args) {
        ConfigurableApplicationContext context = SpringApplication.run(SpringQuotesApplication.class, args);
        System.exit(SpringApplication.exit(context));
    }

    /** The role named by {@code quotes.role}; its result is the exit code. */
    @Component
    static final class Run implements ApplicationRunner, ExitCodeGenerator {
        private final RSocketMessageHandler handler;
        private final RSocketRequester.Builder requesters;
        private final QuoteController controller;
        @Value("${quotes.transport}") String transport;
        @Value("${quotes.role}") String role;
        @Value("${quotes.clients}") int clients;
        @Value("${quotes.requests}") int requests;
        @Value("${quotes.ticks}") int ticks;
        @Value("${quotes.timeout-seconds}") long timeoutSeconds;
        @Value("${quotes.address:}") String address;
        private int exitCode = 1;

        Run(RSocketMessageHandler handler, RSocketRequester.Builder requesters, QuoteController controller) {
            this.handler = handler;
            this.requesters = requesters;
            this.controller = controller;
        }

        @Override
        public void run(ApplicationArguments args) throws Exception {
            exitCode = switch (role) {
                case "server" -> serve();
                case "client" -> ask();
                default -> throw new IllegalArgumentException("quotes.role=" + role + ": expected server or client");
            };
        }

        @Override
        public int getExitCode() {
            return exitCode;
        }

        private int serve() throws Exception {
            QuoteTransports.Bound bound = QuoteTransports.bind(transport, handler.responder());
            System.out.printf(Locale.ROOT, "spring-quotes: @MessageMapping controller served over %s at %s%n", transport, bound.address());
            long start = System.nanoTime();
            List<Process> children = new ArrayList<>();
            try {
                for (int i = 1; i <= clients; i++) {
                    children.add(startClient("client-" + i, bound.address()));
                }
                List<Integer> exits = new ArrayList<>();
                long deadline = start + TimeUnit.SECONDS.toNanos(timeoutSeconds);
                for (Process child : children) {
                    long remaining = deadline - System.nanoTime();
                    exits.add(remaining > 0 && child.waitFor(remaining, TimeUnit.NANOSECONDS) ? child.exitValue() : -1);
                }
                boolean ok = exits.stream().allMatch(e -> e == 0);
                System.out.printf(Locale.ROOT, "spring-quotes: over %s served %,d quotes, %,d ticks and %,d trade(s) to %d client JVM(s)"
                        + " in %.2f s; client exits %s: %s%n", transport, controller.quotes.get(), controller.ticks.get(),
                    controller.trades.get(), clients, (System.nanoTime() - start) / 1e9, exits, ok ? "OK" : "FAILED");
                return ok ? 0 : 1;
            } finally {
                children.forEach(Process::destroyForcibly);
                bound.server().dispose();
                bound.server().onClose().onErrorResume(e -> Mono.empty()).block(QuoteTransports.TIMEOUT);
                if (bound.directory() != null) {
                    try (var files = Files.list(bound.directory())) {
                        files.forEach(p -> p.toFile().delete());
                    }
                    Files.deleteIfExists(bound.directory());
                }
            }
        }

        private Process startClient(String name, String serverAddress) throws java.io.IOException {
            List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m", "-XX:+UseSerialGC"));
            String leakLevel = System.getProperty(LEAK_LEVEL);
            if (leakLevel != null) {
                command.add("-D" + LEAK_LEVEL + "=" + leakLevel); // the clients look for leaked buffers as this JVM does
            }
            command.addAll(List.of("-cp", System.getProperty("java.class.path"), SpringQuotesApplication.class.getName(),
                "--quotes.role=client", "--quotes.transport=" + transport, "--quotes.address=" + serverAddress,
                "--quotes.requests=" + requests, "--quotes.ticks=" + ticks));
            Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
            Thread relay = new Thread(() -> {
                try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                    for (String line = in.readLine(); line != null; line = in.readLine()) {
                        System.out.println("[" + name + "] " + line);
                    }
                } catch (java.io.IOException e) {
                    System.out.println("[" + name + "] output closed: " + e);
                }
            }, "spring-quotes-relay-" + name);
            relay.setDaemon(true);
            relay.start();
            return process;
        }

        private int ask() {
            RSocketRequester requester = requesters.transport(QuoteTransports.client(transport, address));
            try {
                String symbol = QuoteController.SYMBOLS.get(0);
                long[] nanos = new long[requests];
                long wrong = 0;
                for (int i = 0; i < requests; i++) {
                    String asked = QuoteController.SYMBOLS.get(i % QuoteController.SYMBOLS.size());
                    long sent = System.nanoTime();
                    Quote quote = requester.route("quote").data(asked).retrieveMono(Quote.class).block(QuoteTransports.TIMEOUT);
                    nanos[i] = System.nanoTime() - sent;
                    if (!new Quote(asked, 0, Quote.price(asked, 0)).equals(quote)) {
                        wrong++;
                    }
                }
                Arrays.sort(nanos);
                System.out.printf(Locale.ROOT, "connected over %s; %,d quotes (request-response, one at a time): p50 %.1f µs,"
                        + " p90 %.1f µs, p99 %.1f µs, %d wrong%n", transport, requests, percentile(nanos, 50) / 1e3,
                    percentile(nanos, 90) / 1e3, percentile(nanos, 99) / 1e3, wrong);

                AtomicLong index = new AtomicLong();
                AtomicLong outOfLine = new AtomicLong();
                long streamStart = System.nanoTime();
                long received = requester.route("ticks").data(symbol).retrieveFlux(Quote.class).limitRate(256).take(ticks, true)
                    .doOnNext(q -> {
                        long i = index.getAndIncrement();
                        if (!new Quote(symbol, i, Quote.price(symbol, i)).equals(q)) {
                            outOfLine.incrementAndGet();
                        }
                    }).count().block(QuoteTransports.TIMEOUT);
                double seconds = (System.nanoTime() - streamStart) / 1e9;
                System.out.printf(Locale.ROOT, "%,d ticks of %s (request-stream) in %.3f s, %d wrong%n", received, symbol, seconds,
                    outOfLine.get());

                String error = requester.route("quote").data("NOSUCH").retrieveMono(Quote.class).map(Quote::toString)
                    .onErrorResume(e -> Mono.just(e.getMessage())).block(QuoteTransports.TIMEOUT);
                System.out.println("unknown symbol answered: " + error);
                requester.route("trade").data("bought 100 " + symbol).send().block(QuoteTransports.TIMEOUT);
                // frames are handled in order: this answer shows the trade was handled too
                requester.route("quote").data(symbol).retrieveMono(Quote.class).block(QuoteTransports.TIMEOUT);
                boolean ok = wrong == 0 && received == ticks && outOfLine.get() == 0;
                System.out.println(ok ? "done" : "FAILED");
                return ok ? 0 : 1;
            } finally {
                requester.dispose();
            }
        }

        private static long percentile(long[] sorted, double pct) {
            return sorted[Math.min(sorted.length - 1, (int) Math.ceil(pct / 100 * sorted.length) - 1)];
        }
    }
}
