package io.aperture;

import org.reactivestreams.Subscription;
import reactor.core.publisher.BaseSubscriber;
import reactor.core.publisher.Flux;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;

/**
 * The other process of the interaction tests. Prints what the test awaits, one fact per line, and exits 0 when
 * its role is done (1 on an unexpected failure, after printing "failed E").
 *
 * <pre>
 *   serve       DIR SERVICE              serves {@link EchoService} (its events printed), prints "serving"; until killed
 *   call        DIR SERVICE NAME COUNT   connects as NAME, makes COUNT request-responses ("NAME-i", 16 at a time) and a
 *                                        request-stream "count:50", checks every answer, prints "done NAME COUNT 50"
 *   hold-stream DIR SERVICE NAME N       connects as NAME, opens request-stream "endless:NAME", requests N, prints
 *                                        "held N" once it has them, then waits until killed
 * </pre>
 */
public final class InteractionPeer {
    private InteractionPeer() {
    }

    static ChannelOptions options() {
        return ChannelOptions.defaults().withWaiting(Waiting.BLOCKING).withAttachTimeout(Duration.ofSeconds(30));
    }

    public static void main(String[] args) throws InterruptedException {
        String role = args[0];
        Aperture aperture = Aperture.create(Path.of(args[1]), options());
        String service = args[2];
        try {
            switch (role) {
                case "serve":
                    aperture.responder(service, Codecs.utf8(), Codecs.utf8())
                        .serve(new EchoService(System.out::println))
                        .doOnSubscribe(s -> System.out.println("serving"))
                        .block();
                    break;
                case "call":
                    call(aperture, service, args[3], Integer.parseInt(args[4]));
                    break;
                case "hold-stream":
                    holdStream(aperture, service, args[3], Integer.parseInt(args[4]));
                    break;
                default:
                    throw new IllegalArgumentException("unknown role " + role);
            }
        } catch (RuntimeException | Error e) {
            System.out.println("failed " + e);
            System.out.flush();
            System.exit(1);
        }
        System.out.flush();
        System.exit(0);
    }

    private static void call(Aperture aperture, String service, String name, int count) {
        ServiceConnection<String, String> connection = aperture.requester(service, name, Codecs.utf8(), Codecs.utf8())
            .connect().block(Duration.ofSeconds(60));
        System.out.println("connected");
        long answered = Flux.range(0, count)
            .flatMap(i -> connection.requestResponse(name + "-" + i).map(answer -> {
                if (!answer.equals((name + "-" + i).toUpperCase(Locale.ROOT))) {
                    throw new AssertionError("request " + name + "-" + i + " answered " + answer);
                }
                return answer;
            }), 16)
            .count().block(Duration.ofSeconds(60));
        List<String> stream = connection.requestStream("count:50").collectList().block(Duration.ofSeconds(60));
        for (int i = 0; i < 50; i++) {
            if (!stream.get(i).equals(String.valueOf(i))) {
                throw new AssertionError("stream element " + i + " is " + stream.get(i));
            }
        }
        connection.dispose();
        connection.onClose().block(Duration.ofSeconds(60)); // its request ring is removed before the exit
        System.out.println("done " + name + " " + answered + " " + stream.size());
    }

    private static void holdStream(Aperture aperture, String service, String name, int n) throws InterruptedException {
        ServiceConnection<String, String> connection = aperture.requester(service, name, Codecs.utf8(), Codecs.utf8())
            .connect().block(Duration.ofSeconds(60));
        CountDownLatch held = new CountDownLatch(n);
        connection.requestStream("endless:" + name).subscribe(new BaseSubscriber<String>() {
            @Override
            protected void hookOnSubscribe(Subscription subscription) {
                subscription.request(n); // and never more, never a cancel
            }

            @Override
            protected void hookOnNext(String value) {
                held.countDown();
            }
        });
        held.await();
        System.out.println("held " + n);
        new CountDownLatch(1).await(); // until killed
    }
}
