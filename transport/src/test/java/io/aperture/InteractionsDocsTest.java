package io.aperture;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Runs the code snippet of docs/interactions.md as written: the snippet is the region of this file between the
 * {@code snippet} markers, and the test first checks that the page holds exactly that text.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class InteractionsDocsTest {
    private final Path directory = TestDirectories.create();

    @AfterEach
    void tearDown() {
        TestDirectories.endCrossProcessTest(directory, List.of(), Duration.ofSeconds(20), true);
    }

    /** The lines of {@code source} between the line holding {@code // snippet:<name>} and {@code // end-snippet:<name>}, de-indented. */
    static String snippet(Path source, String name) throws IOException {
        List<String> lines = Files.readAllLines(source);
        int begin = -1;
        int end = -1;
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).trim().equals("// snippet:" + name)) {
                begin = i + 1;
            } else if (lines.get(i).trim().equals("// end-snippet:" + name)) {
                end = i;
            }
        }
        assertThat(begin).as("snippet %s in %s", name, source).isPositive();
        assertThat(end).as("end of snippet %s in %s", name, source).isGreaterThan(begin);
        int indent = Integer.MAX_VALUE;
        for (String line : lines.subList(begin, end)) {
            if (!line.isBlank()) {
                indent = Math.min(indent, line.length() - line.stripLeading().length());
            }
        }
        StringBuilder text = new StringBuilder();
        for (String line : lines.subList(begin, end)) {
            text.append(line.isBlank() ? "" : line.substring(indent)).append('\n');
        }
        return text.toString();
    }

    /** Fails unless {@code doc} (a path from the repository's root) holds {@code code} as a Java code block. */
    static void assertDocHolds(String doc, String code) throws IOException {
        Path root = Path.of("").toAbsolutePath().getParent(); // tests run in the module's directory
        String page = Files.readString(root.resolve(doc));
        assertThat(page).as("%s holds the snippet as the test runs it", doc).contains("```java\n" + code + "```\n");
    }

    private static double price(String symbol) {
        return 100 + symbol.length();
    }

    @Test
    void shouldRunTheSnippetOfTheInteractionsPage() throws IOException {
        assertDocHolds("docs/interactions.md",
            snippet(Path.of("src/test/java/io/aperture/InteractionsDocsTest.java"), "interactions"));
        Aperture aperture = Aperture.create(directory, ChannelOptions.defaults().withWaiting(Waiting.BLOCKING));

        // snippet:interactions
        // the responder's process: serves "quotes" to every requester process
        Disposable serving = aperture.responder("quotes", Codecs.utf8(), Codecs.doubles())
                .serve(new ServiceHandler<String, Double>() {
                    @Override
                    public Mono<Double> requestResponse(String symbol) {
                        return Mono.just(price(symbol));
                    }

                    @Override
                    public Flux<Double> requestStream(String symbol) {
                        return Flux.generate(sink -> sink.next(price(symbol))); // produces only what is requested
                    }
                })
                .subscribe();

        // a requester's process: waits up to the attach timeout for the responder, then interacts
        ServiceConnection<String, Double> quotes = aperture.requester("quotes", "desk-1", Codecs.utf8(), Codecs.doubles())
                .connect().block();
        Double acme = quotes.requestResponse("ACME").block();                      // one request, one answer
        List<Double> ticks = quotes.requestStream("ACME").take(5).collectList().block(); // the responder produces 5
        quotes.dispose();
        // end-snippet:interactions

        assertThat(acme).isEqualTo(104.0);
        assertThat(ticks).containsExactly(104.0, 104.0, 104.0, 104.0, 104.0);
        serving.dispose();
    }
}
