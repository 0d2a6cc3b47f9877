package io.aperture;

import com.lmax.disruptor.Sequence;
import com.sun.jna.Native;
import org.junit.jupiter.api.Test;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Flux;

import java.lang.module.Configuration;
import java.lang.module.ModuleDescriptor;
import java.lang.module.ModuleFinder;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * JPMS users see only {@code io.aperture} and the read-only inspection {@code io.aperture.inspect}: the module exports
 * those alone, and it resolves with the jars it requires.
 */
class ModuleDescriptorTest {
    private static Path locationOf(Class<?> type) throws URISyntaxException {
        return Path.of(type.getProtectionDomain().getCodeSource().getLocation().toURI());
    }

    @Test
    void theModuleExportsOnlyThePublicApi() throws Exception {
        ModuleDescriptor descriptor = ModuleFinder.of(locationOf(Aperture.class)).find("io.aperture").orElseThrow()
            .descriptor();

        assertThat(descriptor.exports()).extracting(ModuleDescriptor.Exports::source)
            .containsExactlyInAnyOrder("io.aperture", "io.aperture.inspect");
        assertThat(descriptor.exports()).allSatisfy(e -> assertThat(e.isQualified()).isFalse());
        assertThat(descriptor.packages()).contains("io.aperture.internal.section", "io.aperture.internal.waiting",
            "io.aperture.internal.ring", "io.aperture.internal.bridge", "io.aperture.internal.composite");
        assertThat(descriptor.uses()).containsExactly(CodecProvider.class.getName());
    }

    @Test
    void theModuleResolvesAndHidesItsInternals() throws Exception {
        ModuleFinder finder = ModuleFinder.of(locationOf(Aperture.class), locationOf(Flux.class),
            locationOf(Publisher.class), locationOf(Sequence.class), locationOf(Native.class));
        Configuration configuration = ModuleLayer.boot().configuration()
            .resolve(finder, ModuleFinder.of(), Set.of("io.aperture"));
        ModuleLayer layer = ModuleLayer.boot().defineModulesWithOneLoader(configuration,
            ClassLoader.getPlatformClassLoader());
        Module module = layer.findModule("io.aperture").orElseThrow();

        Set<String> reads = module.getDescriptor().requires().stream().map(ModuleDescriptor.Requires::name)
            .collect(Collectors.toSet());
        assertThat(reads).contains("reactor.core", "org.reactivestreams", "com.lmax.disruptor", "com.sun.jna");
        assertThat(module.isExported("io.aperture")).isTrue();
        assertThat(module.isExported("io.aperture.inspect")).isTrue();
        for (String internal : List.of("io.aperture.internal.section", "io.aperture.internal.ring",
            "io.aperture.internal.bridge")) {
            assertThat(module.isExported(internal)).as(internal).isFalse();
        }
        Class<?> entry = layer.findLoader("io.aperture").loadClass("io.aperture.Aperture");
        assertThat(entry.getModule()).isSameAs(module);
    }
}
