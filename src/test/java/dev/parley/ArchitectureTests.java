package dev.parley;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

/**
 * The arrows between Parley's packages that the README's "The code" draws: no package depends on
 * another that depends back on it, the delivery engine ({@code delivery}) and the properties
 * ({@code config}) import no chat feature, and the shared values ({@code core}) depend on nothing
 * of Parley's. Inside the engine the same holds for its parts ({@code broker}, {@code session},
 * {@code tomcat}), and only its wiring reaches Tomcat's part. The scale-out backends
 * ({@code cluster}) implement seams and nothing imports them.
 */
class ArchitectureTests {

    private static final String[] FEATURES = { "dev.parley.bus..", "dev.parley.identity..", "dev.parley.message..",
            "dev.parley.presence..", "dev.parley.ratelimit..", "dev.parley.room..", "dev.parley.web..",
            "dev.parley.direct..", "dev.parley.cluster.." };

    private static final JavaClasses MAIN = new ClassFileImporter()
        .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
        .importPackages("dev.parley");

    @Test
    void noPackageDependsOnOneThatDependsBackOnIt() {
        slices().matching("dev.parley.(*)..").should().beFreeOfCycles().check(MAIN);
    }

    @Test
    void theDeliveryEnginesPartsAreFreeOfCyclesAndOnlyTheWiringUsesTomcats() {
        slices().matching("dev.parley.delivery.(*)..").should().beFreeOfCycles().check(MAIN);
        noClasses().that()
            .resideInAnyPackage("dev.parley.delivery.broker..", "dev.parley.delivery.session..")
            .should()
            .dependOnClassesThat()
            .resideInAPackage("dev.parley.delivery.tomcat..")
            .check(MAIN);
    }

    @Test
    void theDeliveryEngineAndThePropertiesImportNoChatFeature() {
        noClasses().that()
            .resideInAnyPackage("dev.parley.delivery..", "dev.parley.config..")
            .should()
            .dependOnClassesThat()
            .resideInAnyPackage(FEATURES)
            .check(MAIN);
    }

    @Test
    void nothingImportsTheScaleOutBackends() {
        noClasses().that()
            .resideOutsideOfPackage("dev.parley.cluster..")
            .should()
            .dependOnClassesThat()
            .resideInAPackage("dev.parley.cluster..")
            .check(MAIN);
    }

    /** Conversations build on the seams, the core, identity's claims and the group commit; nothing builds on them but the cluster's backends. */
    @Test
    void privateConversationsDependOnlyOnTheCoreTheSeamsAndWhatTheyReuse() {
        noClasses().that()
            .resideInAPackage("dev.parley.direct..")
            .should()
            .dependOnClassesThat()
            .resideInAnyPackage("dev.parley.cluster..", "dev.parley.room..", "dev.parley.presence..",
                    "dev.parley.delivery..")
            .check(MAIN);
        noClasses().that()
            .resideOutsideOfPackages("dev.parley.direct..", "dev.parley.cluster..")
            .should()
            .dependOnClassesThat()
            .resideInAPackage("dev.parley.direct..")
            .check(MAIN);
    }

    @Test
    void theSharedValuesDependOnNothingOfParleys() {
        noClasses().that()
            .resideInAPackage("dev.parley.core..")
            .should()
            .dependOnClassesThat()
            .resideInAnyPackage(FEATURES)
            .orShould()
            .dependOnClassesThat()
            .resideInAnyPackage("dev.parley.config..", "dev.parley.delivery..")
            .check(MAIN);
    }
}
