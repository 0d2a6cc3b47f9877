package io.aperture;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import reactor.core.publisher.Flux;
import reactor.core.Disposable;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static io.aperture.InteractionsDocsTest.assertDocHolds;
import static io.aperture.InteractionsDocsTest.snippet;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Runs the Java snippets of docs/getting-started.md as written (each is the region of this file between its
 * {@code snippet} markers, and the page must hold exactly that text), and checks its Maven snippets against the
 * build: every coordinate they name is a module of this build, at the build's version, and the BOM manages it.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class GettingStartedDocsTest {
    private static final Path ROOT = Path.of("").toAbsolutePath().getParent(); // tests run in the module's directory
    private static final Path SELF = Path.of("src/test/java/io/aperture/GettingStartedDocsTest.java");
    private final Path directory = TestDirectories.create();
    private final Aperture aperture = Aperture.create(directory, ChannelOptions.defaults().withWaiting(Waiting.BLOCKING));

    @AfterEach
    void tearDown() {
        TestDirectories.endCrossProcessTest(directory, List.of(), Duration.ofSeconds(20), true);
    }

    @Test
    void shouldRunTheBackpressureSnippet() throws Exception {
        assertDocHolds("docs/getting-started.md", snippet(SELF, "interval"));
        // snippet:interval
        // process A: a clock ignores demand: drop the ticks nobody asked for, so it never fails for lack of requests
        Disposable ticking = aperture.publisher("ticks", Codecs.longs())
                .publish(Flux.interval(Duration.ofMillis(1)).onBackpressureDrop())
                .subscribe();

        // process B: twenty ticks, then cancel (which ends A's publish)
        List<Long> ticks = aperture.subscriber("ticks", Codecs.longs()).receive()
                .take(20).collectList().block(Duration.ofSeconds(30));
        // end-snippet:interval
        assertThat(ticks).hasSize(20).isSorted().doesNotHaveDuplicates();
        Await.until(ticking::isDisposed, Duration.ofSeconds(30), () -> "A's publish ended by B's cancel");
    }

    @Test
    void shouldRunTheReportSnippet() throws Exception {
        assertDocHolds("docs/getting-started.md", snippet(SELF, "report"));
        CompletableFuture<Long> received = aperture.subscriber("prices", Codecs.longs()).receive().count().toFuture();
        // snippet:report
        PublishReport report = aperture.publisher("prices", Codecs.longs())
                .publishReport(Flux.range(0, 100).map(Integer::longValue))
                .block();
        for (SubscriberEnd end : report.subscribers()) {
            System.out.println("subscriber " + end.index() + " (pid " + end.pid() + "): " + end.kind() + " " + end.detail());
        }
        // end-snippet:report
        assertThat(received).succeedsWithin(Duration.ofSeconds(30)).isEqualTo(100L);
        assertThat(report.published()).isEqualTo(100);
        assertThat(report.subscribers()).singleElement().satisfies(end -> {
            assertThat(end.kind()).isEqualTo(SubscriberEnd.Kind.COMPLETED);
            assertThat(end.pid()).isEqualTo(ProcessHandle.current().pid());
        });
    }

    @Test
    void shouldNameOnlyModulesOfThisBuildInTheMavenSnippets() throws IOException {
        String page = Files.readString(ROOT.resolve("docs/getting-started.md"));
        String version = tag(Files.readString(ROOT.resolve("pom.xml")), "version");
        String bom = Files.readString(ROOT.resolve("bom/pom.xml"));
        List<String> modules = new ArrayList<>();
        Matcher module = Pattern.compile("<module>([^<]+)</module>").matcher(Files.readString(ROOT.resolve("pom.xml")));
        while (module.find()) {
            modules.add(tag(Files.readString(ROOT.resolve(module.group(1)).resolve("pom.xml"))
                .replaceFirst("(?s)<parent>.*?</parent>", ""), "artifactId"));
        }
        Matcher block = Pattern.compile("```xml\n(.*?)```", Pattern.DOTALL).matcher(page);
        int blocks = 0;
        while (block.find()) {
            blocks++;
            Matcher dependency = Pattern.compile("<dependency>(.*?)</dependency>", Pattern.DOTALL).matcher(block.group(1));
            while (dependency.find()) {
                String artifact = tag(dependency.group(1), "artifactId");
                assertThat(tag(dependency.group(1), "groupId")).isEqualTo("io.aperture");
                assertThat(modules).as("modules of the build").contains(artifact);
                if (dependency.group(1).contains("<version>")) {
                    assertThat(tag(dependency.group(1), "version")).isEqualTo(version);
                }
                if (!artifact.equals("aperture-bom")) {
                    assertThat(bom).as("the BOM manages %s", artifact).contains("<artifactId>" + artifact + "</artifactId>");
                }
            }
        }
        assertThat(blocks).isEqualTo(2);
        // Every module the BOM manages is a module of this build, at its version.
        String managedPart = bom.substring(bom.indexOf("<dependencyManagement>"), bom.indexOf("</dependencyManagement>"));
        Matcher managed = Pattern.compile("<artifactId>([^<]+)</artifactId>\\s*<version>([^<]+)</version>").matcher(managedPart);
        while (managed.find()) {
            assertThat(modules).contains(managed.group(1));
            assertThat(managed.group(2)).isEqualTo(version);
        }
    }

    /** The text of the first {@code <name>} element of {@code xml} outside its parent element. */
    private static String tag(String xml, String name) {
        Matcher m = Pattern.compile("<" + name + ">([^<]+)</" + name + ">").matcher(xml.replaceFirst("(?s)<parent>.*?</parent>", ""));
        assertThat(m.find()).as("<%s> in %s", name, xml).isTrue();
        return m.group(1).trim();
    }
}
