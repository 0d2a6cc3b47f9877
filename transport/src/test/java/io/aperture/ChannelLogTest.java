package io.aperture;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import reactor.core.publisher.Flux;
import reactor.test.util.LoggerUtils;
import reactor.test.util.TestLogger;

import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The transport says what happens through Reactor's {@code Loggers}: a subscriber admitted, one refused and why, a
 * channel that ends with an error, the end of each subscriber's part; nothing per message.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ChannelLogTest {
    private final Path directory = TestDirectories.create();
    private final Aperture aperture = Aperture.create(directory,
        ChannelOptions.defaults().withAttachTimeout(Duration.ofSeconds(20)));
    private final TestLogger log = new TestLogger(false);

    @BeforeEach
    void capture() {
        LoggerUtils.useCurrentLoggersWithCapture();
        LoggerUtils.enableCaptureWith(log);
    }

    @AfterEach
    void tearDown() {
        LoggerUtils.disableCapture();
        try {
            Await.noApertureThreads(Duration.ofSeconds(20));
        } finally {
            TestDirectories.delete(directory);
        }
    }

    @Test
    void shouldSayWhoWasAdmittedRefusedAndHowEachPartEnded() {
        var published = aperture.publisher("logged", Codecs.longs())
            .publishReport(Flux.range(0, 1_000).map(Integer::longValue)).toFuture();
        assertThatThrownBy(() -> aperture.subscriber("logged", Codecs.utf8()).receive().blockLast(Duration.ofSeconds(20)))
            .isInstanceOf(IncompatibleChannelException.class);
        assertThat(aperture.subscriber("logged", Codecs.longs()).receive().count().block(Duration.ofSeconds(20)))
            .isEqualTo(1_000L);
        assertThat(published).succeedsWithin(Duration.ofSeconds(20));

        String out = log.getOutContent();
        String err = log.getErrContent();
        assertThat(err).contains("channel 'logged': subscriber 0 (pid " + ProcessHandle.current().pid()
            + ") refused the channel: channel 'logged'").contains("codec 'utf8'");
        assertThat(out).contains("channel 'logged': subscriber 0 (pid " + ProcessHandle.current().pid() + ") admitted at seq")
            .contains("channel 'logged': subscriber 0 (pid " + ProcessHandle.current().pid() + ") completed");
        assertThat((out + err).lines().count()).as("nothing per message:%n%s%s", out, err).isLessThan(10);
    }

    @Test
    void shouldSayThatAChannelEndedWithAnError() {
        var published = aperture.publisher("failing", Codecs.longs())
            .publish(Flux.concat(Flux.range(0, 10).map(Integer::longValue), Flux.error(new IllegalStateException("boom"))))
            .toFuture();
        assertThatThrownBy(() -> aperture.subscriber("failing", Codecs.longs()).receive().blockLast(Duration.ofSeconds(20)))
            .isInstanceOf(RemoteException.class);
        assertThat(published).failsWithin(Duration.ofSeconds(20));
        assertThat(log.getErrContent()).contains("channel 'failing': publisher failed: java.lang.IllegalStateException: boom")
            .contains("channel 'failing': subscriber 0 ended with the publisher's error " + RemoteException.class.getName());
    }
}
