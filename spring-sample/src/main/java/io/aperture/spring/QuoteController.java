package io.aperture.spring;

import org.springframework.messaging.handler.annotation.MessageExceptionHandler;
import org.springframework.messaging.handler.annotation.MessageMapping;
import org.springframework.stereotype.Controller;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The application's controller, the same whichever transport serves it: {@code quote} (request-response),
 * {@code ticks} (request-stream, produced as the client requests), {@code trade} (fire-and-forget).
 */
@Controller
public class QuoteController {
    static final List<String> SYMBOLS = List.of("ACME", "GLOBEX", "INITECH", "UMBRELLA", "HOOLI");

    final AtomicLong quotes = new AtomicLong();
    final AtomicLong ticks = new AtomicLong();
    final AtomicLong trades = new AtomicLong();

    @MessageMapping("quote")
    public Mono<Quote> quote(String symbol) {
        quotes.incrementAndGet();
        return SYMBOLS.contains(symbol) ? Mono.just(new Quote(symbol, 0, Quote.price(symbol, 0)))
            : Mono.error(new IllegalArgumentException("unknown symbol '" + symbol + "'"));
    }

    /** An unknown symbol: the requester gets an error frame with the message (handled here, so not logged as unhandled). */
    @MessageExceptionHandler(IllegalArgumentException.class)
    public Mono<Quote> unknown(IllegalArgumentException e) {
        return Mono.error(e);
    }

    @MessageMapping("ticks")
    public Flux<Quote> ticks(String symbol) {
        return Flux.<Quote, Long>generate(() -> 0L, (tick, sink) -> {
            sink.next(new Quote(symbol, tick, Quote.price(symbol, tick)));
            ticks.incrementAndGet();
            return tick + 1;
        });
    }

    @MessageMapping("trade")
    public Mono<Void> trade(String trade) {
        return Mono.fromRunnable(() -> {
            trades.incrementAndGet();
            System.out.println("spring-quotes: trade reported: " + trade);
        });
    }
}
