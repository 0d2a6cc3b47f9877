package io.aperture.codecs;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.protobuf.Struct;
import io.aperture.Aperture;
import io.aperture.ChannelOptions;
import io.aperture.Codec;
import io.aperture.Codecs;
import io.aperture.MessageTooLargeException;
import reactor.core.publisher.Flux;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * The publishing process of the codec cross-process tests. Prints what the test awaits, one fact per line, and
 * exits 0 when its role is done (1 on an unexpected failure).
 *
 * <pre>
 *   publish-json        DIR CHANNEL COUNT         quotes, codec found by name "json:io.aperture.codecs.Quote"
 *   publish-protobuf    DIR CHANNEL COUNT         structs, codec found by name "protobuf:com.google.protobuf.Struct"
 *   publish-flyweight   DIR CHANNEL COUNT         ticks through TickCodec, one mutable Tick reused for all
 *   publish-json-schema DIR CHANNEL COUNT SCHEMA  quotes with the JSON codec of schema SCHEMA
 *   publish-poison      DIR CHANNEL GOOD          GOOD orders, then one that cannot be encoded, then more
 *   publish-json-tree   DIR CHANNEL               quotes as JSON trees under the Quote codec's name; the third is no Quote
 *   publish-too-large   DIR CHANNEL FORMAT        json/protobuf: one value of the max length, one a byte longer;
 *                                                 flyweight: a tick on a channel whose max is 32 bytes
 * </pre>
 */
public final class CodecPeer {
    static final long SEED = 42;
    static final int MAX_MESSAGE_LENGTH = 8192;
    static final ChannelOptions OPTIONS = ChannelOptions.defaults().withRingCapacity(1 << 16)
        .withMaxMessageLength(MAX_MESSAGE_LENGTH).withAttachTimeout(Duration.ofSeconds(30));
    static final int FLYWEIGHT_TOO_SMALL_MAX = 32;

    private CodecPeer() {
    }

    public static void main(String[] args) {
        String role = args[0];
        Aperture aperture = Aperture.create(Path.of(args[1]), OPTIONS);
        String channel = args[2];
        try {
            switch (role) {
                case "publish-json" -> publishJson(aperture, channel, Integer.parseInt(args[3]));
                case "publish-protobuf" -> publishProtobuf(aperture, channel, Integer.parseInt(args[3]));
                case "publish-flyweight" -> publishFlyweight(aperture, channel, Integer.parseInt(args[3]));
                case "publish-json-schema" -> publish(aperture, channel,
                    JsonCodec.of(Quote.class).withSchemaId(Integer.parseInt(args[4])),
                    quotes(Integer.parseInt(args[3])), OPTIONS);
                case "publish-poison" -> publishPoison(aperture, channel, Integer.parseInt(args[3]));
                case "publish-json-tree" -> publishTrees(aperture, channel);
                case "publish-too-large" -> publishTooLarge(aperture, channel, args[3]);
                default -> throw new IllegalArgumentException("unknown role " + role);
            }
            System.out.println("exit 0");
            System.exit(0);
        } catch (Throwable t) {
            System.out.println("failed " + t);
            t.printStackTrace(System.out);
            System.exit(1);
        }
    }

    /** The quotes both processes compute for {@code count}. */
    static List<Quote> quotes(int count) {
        return Fixtures.quotes(count, SEED, JsonCodec.of(Quote.class), MAX_MESSAGE_LENGTH);
    }

    static List<Struct> structs(int count) {
        return Fixtures.structs(count, SEED, MAX_MESSAGE_LENGTH);
    }

    /** The trees of publish-json-tree: two quotes, then one whose price is text, then quotes again. */
    static List<JsonNode> trees() {
        ObjectMapper mapper = new ObjectMapper();
        ObjectNode bad = mapper.valueToTree(new Quote("C", 3, 3, List.of()));
        bad.put("priceMantissa", "three");
        return List.of(mapper.valueToTree(new Quote("A", 1, 1, List.of())),
            mapper.valueToTree(new Quote("B", 2, 2, List.of("é"))), bad,
            mapper.valueToTree(new Quote("D", 4, 4, List.of())));
    }

    private static void publishJson(Aperture aperture, String channel, int count) {
        @SuppressWarnings("unchecked")
        Codec<Quote> codec = (Codec<Quote>) Codecs.byName("json:io.aperture.codecs.Quote");
        publish(aperture, channel, codec, quotes(count), OPTIONS);
    }

    private static void publishProtobuf(Aperture aperture, String channel, int count) {
        @SuppressWarnings("unchecked")
        Codec<Struct> codec = (Codec<Struct>) Codecs.byName("protobuf:com.google.protobuf.Struct");
        publish(aperture, channel, codec, structs(count), OPTIONS);
    }

    private static void publishFlyweight(Aperture aperture, String channel, int count) {
        Tick reused = new Tick(); // the codec copies its fields into the ring during onNext
        Flux<Tick> ticks = Flux.range(0, count).map(i -> Fixtures.tick(i, SEED, reused));
        System.out.println("publishing " + count);
        aperture.publisher(channel, new TickCodec()).publish(ticks).block(Duration.ofMinutes(2));
        System.out.println("published " + count);
    }

    private static <T> void publish(Aperture aperture, String channel, Codec<T> codec, List<T> values,
                                    ChannelOptions options) {
        System.out.println("publishing " + values.size());
        aperture.publisher(channel, codec, options).publish(Flux.fromIterable(values)).block(Duration.ofMinutes(2));
        System.out.println("published " + values.size());
    }

    private static void publishPoison(Aperture aperture, String channel, int good) {
        Flux<Order> orders = Flux.range(0, Integer.MAX_VALUE)
            .map(i -> new Order("A" + i, i == good ? -1 : i))
            .doOnCancel(() -> System.out.println("upstream-cancelled"));
        publishExpectingFailure(aperture.publisher(channel, JsonCodec.of(Order.class)).publish(orders));
    }

    private static void publishTrees(Aperture aperture, String channel) {
        Codec<JsonNode> trees = JsonCodec.of(new ObjectMapper(), JsonNode.class).withName(JsonCodec.of(Quote.class).name());
        Flux<JsonNode> source = Flux.fromIterable(trees()).concatWith(Flux.never())
            .doOnCancel(() -> System.out.println("upstream-cancelled"));
        aperture.publisher(channel, trees).publish(source).block(Duration.ofMinutes(2));
        System.out.println("publish ended");
    }

    private static void publishTooLarge(Aperture aperture, String channel, String format) {
        switch (format) {
            case "json" -> {
                JsonCodec<Quote> codec = JsonCodec.of(Quote.class);
                publishExpectingFailure(aperture.publisher(channel, codec).publish(Flux.just(
                    Fixtures.quoteOfLength(codec, MAX_MESSAGE_LENGTH, 1),
                    Fixtures.quoteOfLength(codec, MAX_MESSAGE_LENGTH + 1, 2))));
            }
            case "protobuf" -> publishExpectingFailure(aperture.publisher(channel, ProtobufCodec.of(Struct.class))
                .publish(Flux.just(Fixtures.structOfLength(MAX_MESSAGE_LENGTH),
                    Fixtures.structOfLength(MAX_MESSAGE_LENGTH + 1))));
            case "flyweight" -> publishExpectingFailure(aperture.publisher(channel, new TickCodec(),
                    OPTIONS.withMaxMessageLength(FLYWEIGHT_TOO_SMALL_MAX))
                .publish(Flux.just(new Tick(1, 2, 3, 4, Tick.BUY))));
            default -> throw new IllegalArgumentException("unknown format " + format);
        }
    }

    /** Blocks on {@code done}, printing its failure and root cause; a completion is unexpected. */
    private static void publishExpectingFailure(reactor.core.publisher.Mono<Void> done) {
        try {
            done.block(Duration.ofMinutes(2));
            System.out.println("publish completed");
        } catch (RuntimeException e) {
            Throwable root = e;
            while (root.getCause() != null) {
                root = root.getCause();
            }
            System.out.println("publish failed: " + e);
            System.out.println("root cause: " + root);
            if (e instanceof MessageTooLargeException tooLarge) {
                System.out.println("length " + tooLarge.length() + " max " + tooLarge.maxLength());
            }
        }
    }
}
