package io.aperture;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import reactor.core.publisher.Flux;
import reactor.util.context.Context;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Reactor {@code Context} entries written on the subscriber's side reach the publisher's source in another process,
 * when the subscriber names their keys ({@link ChannelOptions#withContextKeys}); bounded and validated.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ContextPropagationTest {
    private static final Duration WAIT = Duration.ofSeconds(60);

    private final Path directory = TestDirectories.create();
    private final Aperture aperture = Aperture.create(directory,
        ChannelOptions.defaults().withAttachTimeout(Duration.ofSeconds(30)));
    private final List<ChildJvm> children = new ArrayList<>();

    @AfterEach
    void tearDown() {
        TestDirectories.endCrossProcessTest(directory, children, Duration.ofSeconds(20), true);
    }

    /** A source that emits the trace id its own context holds. */
    private CompletableFuture<Void> publishTraceId(String channel) {
        return aperture.publisher(channel, Codecs.utf8())
            .publish(Flux.deferContextual(context -> Flux.just("trace " + context.getOrDefault("traceId", "none"))))
            .toFuture();
    }

    @Test
    void shouldCarryTheNamedContextEntriesToThePublishersSource() {
        CompletableFuture<Void> published = publishTraceId("traced");
        ChildJvm subscriber = ChildJvm.start("receive-context", directory, "traced", "traceId", "4bf92f3577b34da6", true);
        children.add(subscriber);
        assertThat(subscriber.awaitLineStartingWith("got ", WAIT)).isEqualTo("got trace 4bf92f3577b34da6");
        assertThat(published).succeedsWithin(WAIT);
    }

    @Test
    void shouldLeaveTheContextAloneUnlessTheSubscriberNamesItsKeys() {
        CompletableFuture<Void> published = publishTraceId("untraced");
        ChildJvm subscriber = ChildJvm.start("receive-context", directory, "untraced", "traceId", "4bf92f3577b34da6", false);
        children.add(subscriber);
        assertThat(subscriber.awaitLineStartingWith("got ", WAIT)).isEqualTo("got trace none");
        assertThat(published).succeedsWithin(WAIT);
    }

    @Test
    void shouldFailASubscriptionWhoseContextEntriesDoNotFit() {
        CompletableFuture<Void> published = publishTraceId("oversized");
        String huge = "x".repeat(2_000);
        assertThatThrownBy(() -> aperture.subscriber("oversized", Codecs.utf8(), aperture.defaults().withContextKeys("traceId"))
            .receive().next().contextWrite(Context.of("traceId", huge)).block(WAIT))
            .isInstanceOf(ApertureException.class)
            .hasMessageContaining("channel 'oversized'").hasMessageContaining("[traceId]").hasMessageContaining("1024");
        published.cancel(true); // it waits for a first subscriber, which never came
    }
}
