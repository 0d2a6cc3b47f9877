package io.aperture;

import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * The README's first example, as written, as the two processes it describes: {@code A} publishes, {@code B}
 * receives. {@link ReadmeSnippetTest} checks that the code between the markers is the README's text, line for
 * line, and runs both in child JVMs. B creates its own {@code Aperture} (the README shows it once, for A).
 */
public final class ReadmeSnippets {
    private ReadmeSnippets() {
    }

    public static void main(String[] args) {
        if ("A".equals(args[0])) {
            processA();
            System.out.println("A done");
        } else {
            processB();
            System.out.println("B done");
        }
    }

    static void processA() {
        // README start A
        // process A: publishes a Flux; its upstream produces only what process B requested
        Aperture aperture = Aperture.create();                        // sections in /dev/shm/aperture-<uid>/
        Mono<Void> done = aperture.publisher("prices", Codecs.utf8())
                .publish(Flux.range(1, Integer.MAX_VALUE).map(i -> "price " + i));
        done.block();
        // README end A
    }

    static void processB() {
        Aperture aperture = Aperture.create();
        // README start B
        // process B: the same channel as a Flux
        Flux<String> prices = aperture.subscriber("prices", Codecs.utf8()).receive();
        prices.take(100).doOnNext(System.out::println).blockLast();  // take(100) cancels A's upstream
        // README end B
    }
}
