package io.aperture.samples;

import io.aperture.Aperture;
import io.aperture.rsocket.ApertureClientTransport;
import io.aperture.rsocket.ApertureServerTransport;
import io.rsocket.Closeable;
import io.rsocket.Payload;
import io.rsocket.RSocket;
import io.rsocket.SocketAcceptor;
import io.rsocket.core.RSocketConnector;
import io.rsocket.core.RSocketServer;
import io.rsocket.transport.ClientTransport;
import io.rsocket.transport.netty.client.TcpClientTransport;
import io.rsocket.transport.netty.server.CloseableChannel;
import io.rsocket.transport.netty.server.TcpServerTransport;
import io.rsocket.util.DefaultPayload;
import org.HdrHistogram.Histogram;
import org.reactivestreams.Publisher;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
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
 * One RSocket application, two transports: this process serves quotes with {@code RSocketServer} and starts a
 * client JVM that uses them with {@code RSocketConnector}, over Aperture rings ({@code --transport aperture},
 * the default) or over RSocket's TCP transport on loopback ({@code --transport tcp}). {@link #serverTransport} and
 * {@link #clientTransport} are the only code that differs. The client makes request-responses (each timed),
 * follows a request-stream of ticks, runs a request-channel and reports a trade (fire-and-forget), checks every
 * answer and prints a summary with latency percentiles; this process prints what it served.
 */
@Command(name = "rsocket-quotes", mixinStandardHelpOptions = true,
    description = "An RSocket quote service and a client JVM, over Aperture or over TCP by one option.",
    subcommands = {RSocketQuotesDemo.Client.class})
public final class RSocketQuotesDemo implements Callable<Integer> {
    /** The Aperture server name (rings {@code rsocket-quotes.p-*}, {@code rsocket-quotes.r-*}). */
    static final String SERVER = "rsocket-quotes";
    static final Duration TIMEOUT = Duration.ofSeconds(60);

    /** The one setting: which RSocket transport carries the application. */
    enum Transport { aperture, tcp }

    @Option(names = "--transport", description = "aperture (shared memory) or tcp (loopback) (default: the system property "
        + "aperture.rsocket.transport, else ${DEFAULT-VALUE}).")
    Transport transport = Transport.valueOf(System.getProperty("aperture.rsocket.transport", "aperture"));

    @Option(names = "--requests", description = "Request-responses the client makes, one at a time (default: ${DEFAULT-VALUE}).")
    int requests = 5_000;

    @Option(names = "--ticks", description = "Ticks of the request-stream the client follows (default: ${DEFAULT-VALUE}).")
    int ticks = 20_000;

    @Option(names = "--timeout-seconds", description = "Kill the client after this long (default: ${DEFAULT-VALUE}).")
    long timeoutSeconds = 120;

    public static void main(String[] args) {
        System.exit(new CommandLine(new RSocketQuotesDemo()).execute(args));
    }

    // ---------------------------------------------------------------- the only transport-specific code

    /** Binds {@code acceptor}; returns the bound server and the address a client passes to {@link #clientTransport}. */
    static Bound serverTransport(Transport transport, SocketAcceptor acceptor) throws java.io.IOException {
        RSocketServer server = RSocketServer.create(acceptor);
        if (transport == Transport.aperture) {
            Path directory = Files.createTempDirectory(SampleChildren.sharedMemoryOrTemp(), "aperture-rsocket-quotes-");
            Aperture aperture = Aperture.create(directory, QuoteServiceDemo.options());
            return new Bound(server.bind(ApertureServerTransport.create(aperture, SERVER)).block(TIMEOUT),
                directory.toString(), directory);
        }
        CloseableChannel channel = server.bind(TcpServerTransport.create("127.0.0.1", 0)).block(TIMEOUT);
        return new Bound(channel, "127.0.0.1:" + channel.address().getPort(), null);
    }

    static ClientTransport clientTransport(Transport transport, String address) {
        if (transport == Transport.aperture) {
            return ApertureClientTransport.create(Aperture.create(Path.of(address), QuoteServiceDemo.options()), SERVER);
        }
        int colon = address.lastIndexOf(':');
        return TcpClientTransport.create(address.substring(0, colon), Integer.parseInt(address.substring(colon + 1)));
    }

    /** A bound server, the address its clients connect to, and the section directory to remove (Aperture only). */
    record Bound(Closeable server, String address, Path directory) {
    }

    // ---------------------------------------------------------------- the application

    /** The quote service: request-response (a quote), request-stream (ticks, as requested), request-channel, fire-and-forget. */
    static final class Quotes implements RSocket {
        final AtomicLong quotes = new AtomicLong();
        final AtomicLong ticks = new AtomicLong();
        final AtomicLong channelled = new AtomicLong();
        final AtomicLong trades = new AtomicLong();

        @Override
        public Mono<Payload> requestResponse(Payload payload) {
            String symbol = text(payload);
            quotes.incrementAndGet();
            return QuoteServiceDemo.SYMBOLS.contains(symbol) ? Mono.just(DefaultPayload.create(Double.toString(QuoteServiceDemo.price(symbol, 0))))
                : Mono.error(new IllegalArgumentException("unknown symbol '" + symbol + "'"));
        }

        @Override
        public Flux<Payload> requestStream(Payload payload) {
            String symbol = text(payload);
            return Flux.<Payload, Long>generate(() -> 0L, (tick, sink) -> {
                sink.next(DefaultPayload.create(Double.toString(QuoteServiceDemo.price(symbol, tick))));
                ticks.incrementAndGet();
                return tick + 1;
            });
        }

        @Override
        public Flux<Payload> requestChannel(Publisher<Payload> symbols) {
            return Flux.from(symbols).map(p -> {
                String symbol = text(p);
                channelled.incrementAndGet();
                return DefaultPayload.create(symbol + "=" + QuoteServiceDemo.price(symbol, 0));
            });
        }

        @Override
        public Mono<Void> fireAndForget(Payload payload) {
            String trade = text(payload);
            return Mono.fromRunnable(() -> {
                trades.incrementAndGet();
                System.out.println("rsocket-quotes: trade reported: " + trade);
            });
        }
    }

    /** The payload's data as text; releases it. */
    static String text(Payload payload) {
        try {
            return payload.getDataUtf8();
        } finally {
            payload.release();
        }
    }

    @Override
    public Integer call() throws Exception {
        Quotes quotes = new Quotes();
        Bound bound = serverTransport(transport, SocketAcceptor.with(quotes));
        System.out.printf(Locale.ROOT, "rsocket-quotes: serving over %s at %s%n", transport, bound.address());
        long start = System.nanoTime();
        try (SampleChildren children = new SampleChildren()) {
            children.start("client", RSocketQuotesDemo.class, List.of("client", "--transport", transport.name(),
                "--address", bound.address(), "--requests", Integer.toString(requests), "--ticks", Integer.toString(ticks)));
            List<Integer> exits = children.awaitExits(start + TimeUnit.SECONDS.toNanos(timeoutSeconds));
            boolean ok = exits.equals(List.of(0));
            System.out.printf(Locale.ROOT, "rsocket-quotes: over %s served %,d quotes, %,d ticks, %,d channel answers and %,d trade(s)"
                    + " in %.2f s; client exit %s: %s%n", transport, quotes.quotes.get(), quotes.ticks.get(),
                quotes.channelled.get(), quotes.trades.get(), (System.nanoTime() - start) / 1e9, exits, ok ? "OK" : "FAILED");
            return ok ? 0 : 1;
        } finally {
            bound.server().dispose();
            bound.server().onClose().onErrorResume(e -> Mono.empty()).block(TIMEOUT);
            if (bound.directory() != null) {
                SampleChildren.removeDirectory(bound.directory());
            }
        }
    }

    /** The client JVM: the same code whichever transport {@code --transport} names. */
    @Command(name = "client", description = "Uses the quote service (started by the demo).")
    static final class Client implements Callable<Integer> {
        @Option(names = "--transport", required = true)
        Transport transport;

        @Option(names = "--address", required = true)
        String address;

        @Option(names = "--requests", required = true)
        int requests;

        @Option(names = "--ticks", required = true)
        int ticks;

        @Override
        public Integer call() {
            RSocket rsocket = RSocketConnector.connectWith(clientTransport(transport, address)).block(TIMEOUT);
            System.out.println("connected over " + transport + " to " + address);
            long wrong = 0;
            try {
                Histogram latency = new Histogram(TimeUnit.SECONDS.toNanos(10), 3);
                for (int i = 0; i < requests; i++) {
                    String symbol = QuoteServiceDemo.SYMBOLS.get(i % QuoteServiceDemo.SYMBOLS.size());
                    long sent = System.nanoTime();
                    String quote = rsocket.requestResponse(DefaultPayload.create(symbol)).map(RSocketQuotesDemo::text).block(TIMEOUT);
                    latency.recordValue(System.nanoTime() - sent);
                    if (!Double.toString(QuoteServiceDemo.price(symbol, 0)).equals(quote)) {
                        wrong++;
                    }
                }
                System.out.printf(Locale.ROOT, "%,d request-responses, one at a time: p50 %.1f µs, p90 %.1f µs, p99 %.1f µs,"
                        + " p99.9 %.1f µs, %d wrong%n", requests, latency.getValueAtPercentile(50) / 1e3,
                    latency.getValueAtPercentile(90) / 1e3, latency.getValueAtPercentile(99) / 1e3,
                    latency.getValueAtPercentile(99.9) / 1e3, wrong);

                String followed = QuoteServiceDemo.SYMBOLS.get(0);
                AtomicLong index = new AtomicLong();
                AtomicLong outOfLine = new AtomicLong();
                long streamStart = System.nanoTime();
                long received = rsocket.requestStream(DefaultPayload.create(followed)).limitRate(256).take(ticks, true)
                    .map(RSocketQuotesDemo::text)
                    .doOnNext(t -> {
                        if (!Double.toString(QuoteServiceDemo.price(followed, index.getAndIncrement())).equals(t)) {
                            outOfLine.incrementAndGet();
                        }
                    })
                    .count().block(TIMEOUT);
                double seconds = (System.nanoTime() - streamStart) / 1e9;
                System.out.printf(Locale.ROOT, "request-stream of %s: %,d ticks in %.3f s (%,.0f ticks/s), %d wrong%n", followed,
                    received, seconds, received / seconds, outOfLine.get());

                List<String> answers = rsocket.requestChannel(Flux.fromIterable(QuoteServiceDemo.SYMBOLS).map(DefaultPayload::create))
                    .map(RSocketQuotesDemo::text).collectList().block(TIMEOUT);
                long badAnswers = 0;
                for (int i = 0; i < QuoteServiceDemo.SYMBOLS.size(); i++) {
                    String symbol = QuoteServiceDemo.SYMBOLS.get(i);
                    if (!(symbol + "=" + QuoteServiceDemo.price(symbol, 0)).equals(answers.get(i))) {
                        badAnswers++;
                    }
                }
                System.out.printf(Locale.ROOT, "request-channel: %d symbols in, %d answers out, %d wrong%n",
                    QuoteServiceDemo.SYMBOLS.size(), answers.size(), badAnswers);

                String error = rsocket.requestResponse(DefaultPayload.create("NOSUCH")).map(RSocketQuotesDemo::text)
                    .onErrorResume(e -> Mono.just(e.getMessage())).block(TIMEOUT);
                System.out.println("unknown symbol answered: " + error);
                rsocket.fireAndForget(DefaultPayload.create("bought 100 " + followed)).block(TIMEOUT);
                // frames are handled in order: answered, this quote shows the trade was handled (and counted) too
                rsocket.requestResponse(DefaultPayload.create(followed)).map(RSocketQuotesDemo::text).block(TIMEOUT);
                boolean ok = wrong == 0 && received == ticks && outOfLine.get() == 0 && answers.size() == QuoteServiceDemo.SYMBOLS.size()
                    && badAnswers == 0;
                System.out.println(ok ? "done" : "FAILED");
                return ok ? 0 : 1;
            } finally {
                rsocket.dispose();
                rsocket.onClose().onErrorResume(e -> Mono.empty()).block(TIMEOUT);
            }
        }
    }
}
