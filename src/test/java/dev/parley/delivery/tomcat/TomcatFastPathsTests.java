package dev.parley.delivery.tomcat;

import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

import static org.assertj.core.api.Assertions.assertThat;

@ExtendWith(OutputCaptureExtension.class)
class TomcatFastPathsTests {

    @Test
    void everyFastPathIsOnUnderTheTomcatWeShip() {
        assertThat(TomcatFastPaths.of(true).off()).isEmpty();
    }

    @Test
    void aFastPathThatIsOffIsOneWarningAtStartUp(CapturedOutput output) {
        TomcatFastPaths fastPaths = new TomcatFastPaths(List.of(
                new TomcatFastPaths.FastPath("a field of Tomcat's", () -> new NoSuchFieldException("socketWrapper"),
                        "writes block"),
                new TomcatFastPaths.FastPath("another", () -> null, "nothing")));

        fastPaths.afterSingletonsInstantiated();

        assertThat(output.getAll().lines().filter(line -> line.contains("Fast path off"))).singleElement()
            .satisfies(line -> assertThat(line).contains("WARN", "a field of Tomcat's", "socketWrapper",
                    "writes block"));
    }
}
