package dev.keywarden.architecture;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

/**
 * The package rules of docs/architecture.md, checked on the compiled main classes: no cycles between
 * the top-level packages; the pipeline contract depends on no feature and on nothing above it; the
 * features never depend on the entry points and the composition above them; the shared basics
 * depend on none of those.
 */
class ArchitectureTest {

    /** Packages that implement a capability the pipeline's stages or the CLI use. */
    static final String[] FEATURES = {
            "dev.keywarden.auth..", "dev.keywarden.users..", "dev.keywarden.byok..", "dev.keywarden.vault..",
            "dev.keywarden.limits..", "dev.keywarden.guard..", "dev.keywarden.audit..", "dev.keywarden.metrics..",
            "dev.keywarden.pricing..", "dev.keywarden.store..", "dev.keywarden.state..", "dev.keywarden.scan..",
            "dev.keywarden.doctor.."};

    /** The entry points and composition roots: they sit above the features and may use all of them. */
    static final String[] ABOVE_FEATURES = {
            "dev.keywarden.gateway..", "dev.keywarden.web..", "dev.keywarden.admin..", "dev.keywarden.app..", "dev.keywarden.cli.."};

    /** Shared basics every layer may use: typed configuration, log redaction, credential shapes, owner-only files, the fake API. */
    static final String[] SHARED_BASICS = {
            "dev.keywarden.config..", "dev.keywarden.log..", "dev.keywarden.format..", "dev.keywarden.files..",
            "dev.keywarden.upstream.."};

    static JavaClasses main;

    @BeforeAll
    static void importMainClasses() {
        main = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS).importPackages("dev.keywarden");
    }

    @Test
    void topLevelPackagesHaveNoCycles() {
        slices().matching("dev.keywarden.(*)..").should().beFreeOfCycles().check(main);
    }

    @Test
    void pipelineContractDependsOnNoFeatureAndNothingAboveIt() {
        noClasses().that().resideInAPackage("dev.keywarden.pipeline..")
                .should().dependOnClassesThat().resideInAnyPackage(concat(FEATURES, ABOVE_FEATURES))
                .check(main);
    }

    @Test
    void featuresNeverDependOnEntryPointsOrTheComposition() {
        noClasses().that().resideInAnyPackage(FEATURES)
                .should().dependOnClassesThat().resideInAnyPackage(ABOVE_FEATURES)
                .check(main);
    }

    @Test
    void sharedBasicsDependOnNoFeatureNorThePipelineNorAnythingAboveThem() {
        noClasses().that().resideInAnyPackage(SHARED_BASICS)
                .should().dependOnClassesThat().resideInAnyPackage(concat(concat(FEATURES, ABOVE_FEATURES), "dev.keywarden.pipeline.."))
                .check(main);
    }

    private static String[] concat(String[] a, String... b) {
        String[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
