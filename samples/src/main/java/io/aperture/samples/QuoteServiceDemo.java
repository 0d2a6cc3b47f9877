package io.aperture.samples;

import io.aperture.Aperture;
import io.aperture.ChannelOptions;
import io.aperture.Codecs;
import io.aperture.ServiceConnection;
import io.aperture.ServiceHandler;
import io.aperture.Waiting;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A request-reply quote service across processes, from one command: this process is the responder of service
 * {@code quotes} and starts {@code --clients} client JVMs. Each client connects, asks for quotes
 * (request-response), follows one symbol's ticks (request-stream, its demand crossing to the responder), reports a
 * trade (fire-and-forget), checks every answer, and prints what it did. This process relays their output, prints a
 * summary of what it served, and ends every child whatever happens.
 */
@Command(name = "quotes", mixinStandardHelpOptions = true,
    description = "Serves quotes to several client JVMs over Aperture interactions.",
    subcommands = {QuoteServiceDemo.Client.class})
public final class QuoteServiceDemo implements Callable<Integer> {
    static final String SERVICE = "quotes";
    static final List<String> SYMBOLS = List.of("ACME", "GLOBEX", "INITECH", "UMBRELLA", "HOOLI");

    @Option(names = "--clients", description = "Client JVMs (default: ${DEFAULT-VALUE}).")
    int clients = 3;

    @Option(names = "--requests", description = "Quotes each client asks for (default: ${DEFAULT-VALUE}).")
    int requests = 1_000;

    @Option(names = "--ticks", description = "Ticks of the stream each client follows (default: ${DEFAULT-VALUE}).")
    int ticks = 100;

    @Option(names = "--directory", description = "Section directory (default: a fresh one in the default place).")
    Path directory;

    @Option(names = "--timeout-seconds", description = "Kill the clients after this long (default: ${DEFAULT-VALUE}).")
    long timeoutSeconds = 120;

    public static void main(String[] args) {
        System.exit(new CommandLine(new QuoteServiceDemo()).execute(args));
    }

    /** The quote of {@code symbol} at tick {@code tick}: deterministic, so a client can check what it gets. */
    static double price(String symbol, long tick) {
        return 10 + Math.floorMod(symbol.hashCode(), 10_000) / 100.0 + tick / 100.0;
    }

    static ChannelOptions options() {
        return ChannelOptions.defaults().withWaiting(Waiting.BLOCKING).withAttachTimeout(Duration.ofSeconds(60));
    }

    @Override
    public Integer call() throws Exception {
        if (clients < 1 || clients > 32) {
            System.out.println("quotes: --clients " + clients + " not in [1, 32]");
            return 2;
        }
        Path dir = directory != null ? directory : Files.createTempDirectory(SampleChildren.sharedMemoryOrTemp(), "aperture-quotes-");
        AtomicLong quotes = new AtomicLong();
        AtomicLong streams = new AtomicLong();
        AtomicLong ticksServed = new AtomicLong();
        AtomicLong trades = new AtomicLong();
        Aperture aperture = Aperture.create(dir, options());
        Disposable serving = aperture.responder(SERVICE, Codecs.utf8(), Codecs.doubles()).serve(new ServiceHandler<String, Double>() {
            @Override
            public Mono<Double> requestResponse(String symbol) {
                quotes.incrementAndGet();
                return SYMBOLS.contains(symbol) ? Mono.just(price(symbol, 0))
                    : Mono.error(new IllegalArgumentException("unknown symbol '" + symbol + "'"));
            }

            @Override
            public Flux<Double> requestStream(String symbol) {
                streams.incrementAndGet();
                return Flux.<Double, Long>generate(() -> 0L, (tick, sink) -> {
                    sink.next(price(symbol, tick)); // produced only as the client requests
                    ticksServed.incrementAndGet();
                    return tick + 1;
                });
            }

            @Override
            public Mono<Void> fireAndForget(String trade) {
                return Mono.fromRunnable(() -> {
                    trades.incrementAndGet();
                    System.out.println("[responder] trade reported: " + trade);
                });
            }
        }).subscribe();
        System.out.printf(Locale.ROOT, "quotes: serving '%s' in %s to %d client JVM(s)%n", SERVICE, dir, clients);
        long start = System.nanoTime();
        try (SampleChildren children = new SampleChildren()) {
            for (int i = 1; i <= clients; i++) {
                String name = "client-" + i;
                children.start(name, QuoteServiceDemo.class, List.of("client", "--name", name, "--requests",
                    Integer.toString(requests), "--ticks", Integer.toString(ticks), "--directory", dir.toString()));
            }
            List<Integer> exits = children.awaitExits(start + TimeUnit.SECONDS.toNanos(timeoutSeconds));
            double seconds = (System.nanoTime() - start) / 1e9;
            boolean ok = exits.stream().allMatch(e -> e == 0);
            System.out.printf(Locale.ROOT, "quotes: served %,d quotes, %,d ticks in %d stream(s) and %,d trade(s) to %d client JVM(s)"
                    + " in %.2f s; client exits %s: %s%n", quotes.get(), ticksServed.get(), streams.get(), trades.get(),
                clients, seconds, exits, ok ? "OK" : "FAILED");
            return ok ? 0 : 1;
        } finally {
            serving.dispose();
            if (directory == null) {
                SampleChildren.removeDirectory(dir);
            }
        }
    }

    /** A client JVM: quotes, a stream of ticks and a trade, every answer checked. */
    @Command(name = "client", description = "Asks the quote service (started by the demo).")
    static final class Client implements Callable<Integer> {
        @Option(names = "--name", required = true)
        String name;

        @Option(names = "--requests", required = true)
        int requests;

        @Option(names = "--ticks", required = true)
        int ticks;

        @Option(names = "--directory", required = true)
        Path directory;

        @Override
        public Integer call() {
            Aperture aperture = Aperture.create(directory, options());
            ServiceConnection<String, Double> quotes = aperture.requester(SERVICE, name, Codecs.utf8(), Codecs.doubles())
                .connect().block(Duration.ofSeconds(60));
            System.out.println("connected to '" + SERVICE + "'");
            try {
                long start = System.nanoTime();
                List<String> wrong = Flux.range(0, requests)
                    .flatMap(i -> {
                        String symbol = SYMBOLS.get(i % SYMBOLS.size());
                        return quotes.requestResponse(symbol)
                            .filter(price -> price != price(symbol, 0))
                            .map(price -> symbol + " quoted " + price);
                    }, 32)
                    .collectList().block(Duration.ofSeconds(60));
                double micros = (System.nanoTime() - start) / 1e3 / requests;
                System.out.printf(Locale.ROOT, "%,d quotes (%.1f µs each, 32 in flight), %d wrong%n", requests, micros, wrong.size());
                String followed = SYMBOLS.get(Math.floorMod(name.hashCode(), SYMBOLS.size()));
                List<Double> stream = quotes.requestStream(followed).take(ticks).collectList().block(Duration.ofSeconds(60));
                long outOfLine = 0;
                for (int i = 0; i < stream.size(); i++) {
                    if (stream.get(i) != price(followed, i)) {
                        outOfLine++;
                    }
                }
                System.out.printf(Locale.ROOT, "%d ticks of %s: first %.2f, last %.2f, %d wrong%n", stream.size(), followed,
                    stream.get(0), stream.get(stream.size() - 1), outOfLine);
                String error = quotes.requestResponse("NOSUCH").map(String::valueOf)
                    .onErrorResume(e -> Mono.just(e.getMessage())).block(Duration.ofSeconds(60));
                System.out.println("unknown symbol answered: " + error);
                quotes.fireAndForget(name + " bought 100 " + followed).block(Duration.ofSeconds(60));
                // The responder handles a requester's frames in order: once this is answered the trade was handled. A
                // dispose() right after the fire-and-forget could otherwise lose it (docs/interactions.md, Limits).
                quotes.requestResponse(followed).block(Duration.ofSeconds(60));
                boolean ok = wrong.isEmpty() && stream.size() == ticks && outOfLine == 0;
                System.out.println(ok ? "done" : "FAILED: " + wrong);
                return ok ? 0 : 1;
            } finally {
                quotes.dispose();
                quotes.onClose().onErrorResume(e -> Mono.empty()).block(Duration.ofSeconds(60));
            }
        }
    }
}
