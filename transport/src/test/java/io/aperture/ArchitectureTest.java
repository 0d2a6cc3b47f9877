package io.aperture;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaAccess;
import com.tngtech.archunit.core.domain.JavaCall;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaCodeUnitReference;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.Set;
import java.util.function.Predicate;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.Architectures.layeredArchitecture;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

/**
 * The package structure of docs/architecture.md §1.1, enforced: {@code io.aperture} is the public API, and the
 * internal packages form a ladder (section, waiting, ring, bridge, composite) in which no import points up.
 */
class ArchitectureTest {
    /** The API classes that wire the internals together; every other API class is vocabulary the internals may use. */
    static final Set<String> ENTRY_POINTS = Set.of("Aperture", "ChannelPublisher", "ChannelSubscriber", "RingPublisher",
        "RingDrain", "ServiceRequester", "ServiceResponder");

    private static JavaClasses transport;

    @BeforeAll
    static void importTransport() {
        transport = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("io.aperture");
    }

    private static final DescribedPredicate<JavaClass> ENTRY_POINT = DescribedPredicate.describe(
        "an API entry point " + ENTRY_POINTS, c -> c.getPackageName().equals("io.aperture")
            && ENTRY_POINTS.contains(c.getName().substring("io.aperture.".length()).split("\\$")[0]));

    private static final DescribedPredicate<JavaClass> LAYOUT_DESCRIPTOR = DescribedPredicate.describe(
        "a layout descriptor of io.aperture.internal.section",
        c -> c.getPackageName().equals("io.aperture.internal.section") && c.getSimpleName().endsWith("Descriptor"));

    /**
     * A call of a method or constructor, or a reference to one ({@code Owner::method}, {@code Owner::new}), that
     * {@code test} accepts. ArchUnit's {@code callMethodWhere} and {@code callConstructorWhere} see calls only, so a
     * method reference handed on as a lambda would pass them unseen.
     */
    static DescribedPredicate<JavaAccess<?>> invokes(String description, Predicate<JavaAccess<?>> test) {
        return DescribedPredicate.describe(description + " (called or referenced)",
            access -> (access instanceof JavaCall || access instanceof JavaCodeUnitReference) && test.test(access));
    }

    @Test
    void internalPackagesFormALadderWithNoImportPointingUp() {
        ArchRule ladder = layeredArchitecture().consideringOnlyDependenciesInLayers()
            .layer("Section").definedBy("io.aperture.internal.section..")
            .layer("Waiting").definedBy("io.aperture.internal.waiting..")
            .layer("Ring").definedBy("io.aperture.internal.ring..")
            .layer("Bridge").definedBy("io.aperture.internal.bridge..")
            .layer("Composite").definedBy("io.aperture.internal.composite..")
            .layer("Api").definedBy("io.aperture")
            .layer("Inspect").definedBy("io.aperture.inspect..")
            .whereLayer("Inspect").mayNotBeAccessedByAnyLayer()
            .whereLayer("Composite").mayOnlyBeAccessedByLayers("Api")
            .whereLayer("Bridge").mayOnlyBeAccessedByLayers("Composite", "Api")
            .whereLayer("Ring").mayOnlyBeAccessedByLayers("Bridge", "Composite", "Api", "Inspect")
            .whereLayer("Waiting").mayOnlyBeAccessedByLayers("Ring", "Bridge", "Composite", "Api")
            .whereLayer("Section").mayOnlyBeAccessedByLayers("Waiting", "Ring", "Bridge", "Composite", "Api", "Inspect");
        ladder.check(transport);
    }

    @Test
    void theRingAndTheLayersBelowItKnowNothingOfReactor() {
        noClasses().that().resideInAnyPackage("io.aperture.internal.section..", "io.aperture.internal.waiting..",
                "io.aperture.internal.ring..")
            .should().dependOnClassesThat(JavaClass.Predicates.resideInAnyPackage("reactor..", "org.reactivestreams..")
                .and(DescribedPredicate.not(JavaClass.Predicates.resideInAPackage("reactor.util"))))
            .because("the ring is the lowest layer: the Reactor adapters and the raw ring API sit beside each other on it"
                + " (Reactor's logger, reactor.util.Logger and Loggers, is allowed; its Context is not)")
            .check(transport);
    }

    @Test
    void internalPackagesHaveNoCycles() {
        slices().matching("io.aperture.internal.(*)..").should().beFreeOfCycles().check(transport);
    }

    @Test
    void theLowerLayersUseOnlyTheApiVocabulary() {
        noClasses().that().resideInAnyPackage("io.aperture.internal.section..", "io.aperture.internal.waiting..",
                "io.aperture.internal.ring..", "io.aperture.internal.bridge..")
            .should().dependOnClassesThat(ENTRY_POINT)
            .because("the API's entry points sit on top of the internals: below them only values, options, codecs and"
                + " exceptions are used")
            .check(transport);
    }

    @Test
    void theCompositeLayerIsBuiltOnTheChannelApiOnly() {
        noClasses().that().resideInAPackage("io.aperture.internal.composite..")
            .should().dependOnClassesThat(DescribedPredicate.describe("an entry point other than the channel API",
                c -> ENTRY_POINT.test(c) && !Set.of("Aperture", "ChannelPublisher", "ChannelSubscriber")
                    .contains(c.getSimpleName().split("\\$")[0])))
            .check(transport);
    }

    @Test
    void theInspectionReadsSectionsAndRecordsOnlyAndUsesNoEntryPoint() {
        noClasses().that().resideInAPackage("io.aperture.inspect..")
            .should().dependOnClassesThat().resideInAnyPackage("io.aperture.internal.waiting..",
                "io.aperture.internal.bridge..", "io.aperture.internal.composite..")
            .orShould().dependOnClassesThat(ENTRY_POINT)
            .because("inspection maps sections read-only and takes no part in a channel: it needs the layout, the"
                + " record checks and the codecs, never a session, a wait strategy or a channel")
            .check(transport);
    }

    @Test
    void theInspectionStoresNothingIntoASection() {
        noClasses().that().resideInAPackage("io.aperture.inspect..")
            .should().accessTargetWhere(invokes("a store, CAS or add on a VarHandle, ShmSequence or ByteBuffer",
                call -> (call.getTargetOwner().isEquivalentTo(java.lang.invoke.VarHandle.class)
                    || call.getTargetOwner().getName().equals("io.aperture.internal.section.ShmSequence"))
                    && call.getName().matches("set.*|compareAndSet.*|compareAndExchange.*|getAndAdd.*|getAndSet.*"
                        + "|weakCompareAndSet.*|incrementAndGet|addAndGet")
                    || call.getTargetOwner().isAssignableTo(java.nio.ByteBuffer.class)
                    && call.getName().startsWith("put")))
            .orShould().accessTargetWhere(invokes("a writer of section files",
                call -> call.getName().matches("lockExclusive|createTemporary|linkIntoPlace|ensureDirectory|initialise"
                    + "|setTerminalState")))
            .because("a tool that inspects a live channel writes nothing into it (clean removes only dead channels' files)")
            .check(transport);
    }

    /** The Linux section platform: the only classes that reach the operating system's sections (§2.1). */
    private static final Set<String> LINUX_SECTIONS = Set.of("LinuxSectionPlatform", "LinuxMappedSection",
        "LinuxDoubleMapping", "SectionLocks", "SealedMemory", "SectionStore", "ChannelFiles");

    private static DescribedPredicate<JavaClass> inSection(Set<String> simpleNames) {
        return DescribedPredicate.describe("one of io.aperture.internal.section." + simpleNames,
            c -> c.getPackageName().equals("io.aperture.internal.section")
                && simpleNames.contains(c.getName().substring(c.getPackageName().length() + 1).split("\\$")[0]));
    }

    @Test
    void theOperatingSystemIsReachedThroughTheSectionPlatformOnly() {
        noClasses().that().resideOutsideOfPackage("io.aperture.internal.section..")
            .and().doNotHaveFullyQualifiedName("io.aperture.internal.waiting.Futex")
            .should().dependOnClassesThat().resideInAPackage("com.sun.jna..")
            .orShould().dependOnClassesThat().belongToAnyOf(java.nio.channels.FileChannel.class,
                java.nio.channels.FileLock.class, java.nio.MappedByteBuffer.class)
            .because("the ring, waiting, bridge, composite and inspection layers map, lock and remove sections through"
                + " SectionPlatform (the futex is the waiting layer's own seam)")
            .check(transport);
        noClasses().that(DescribedPredicate.not(inSection(Set.of("LinuxSectionPlatform", "LinuxMappedSection",
                "LinuxDoubleMapping"))))
            .should().accessTargetWhere(invokes("a mapping of the Linux platform (open, map, fits)",
                call -> inSection(Set.of("LinuxMappedSection", "LinuxDoubleMapping")).test(call.getTargetOwner())
                    && call.getName().matches("open|map|fits")))
            .orShould().accessTargetWhere(invokes("a PeerLiveness made without the platform",
                call -> call.getTargetOwner().getName().equals("io.aperture.internal.section.PeerLiveness")
                    && call.getName().equals("<init>")))
            .because("a section is mapped, double mapped and watched only through SectionPlatform")
            .check(transport);
        noClasses().that(DescribedPredicate.not(inSection(LINUX_SECTIONS)))
            .should().accessTargetWhere(invokes("a call into the OFD locks or the sealed memory",
                call -> inSection(Set.of("SectionLocks", "SealedMemory")).test(call.getTargetOwner())))
            .orShould().accessTargetWhere(invokes("a file operation of ChannelFiles",
                call -> call.getTargetOwner().getName().equals("io.aperture.internal.section.ChannelFiles")
                    && call.getName().matches("fileKey|present|deleteIfSame|deleteQuietly|checkEntry|createTemporary"
                        + "|linkIntoPlace|sealedLinkTarget")))
            .because("entries are identified, tested and removed through SectionPlatform (entryKey, present,"
                + " removeIfSame)")
            .check(transport);
        noClasses().that().resideOutsideOfPackage("io.aperture.internal.section..")
            .should().accessTargetWhere(invokes("a listing of a directory (Files.list, newDirectoryStream, walk, find)",
                call -> call.getTargetOwner().isEquivalentTo(java.nio.file.Files.class)
                    && call.getName().matches("list|newDirectoryStream|walk|find")))
            .because("a section directory is listed through SectionPlatform.names: where sections are not files,"
                + " the platform lists its discovery entries")
            .check(transport);
    }

    @Test
    void theApiVocabularyDependsOnNoInternalsButTheLayoutDescriptors() {
        classes().that().resideInAPackage("io.aperture").and(DescribedPredicate.not(ENTRY_POINT))
            .should().onlyDependOnClassesThat(DescribedPredicate.describe("outside the internals, or a layout descriptor",
                c -> !c.getPackageName().startsWith("io.aperture.internal") || LAYOUT_DESCRIPTOR.test(c)))
            .check(transport);
    }
}
