package dev.parley.config;

import java.lang.management.ManagementFactory;

import com.sun.management.HotSpotDiagnosticMXBean;
import org.junit.jupiter.api.Test;

import dev.parley.support.ParleyIntegrationTest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

/**
 * The application, started as {@code java -jar} starts it (no heap flags; the test JVM's), has
 * set G1's heap-free ratios and periodic collection to {@code chat.memory.*}'s defaults: the
 * JVM's manageable flags took them.
 */
@ParleyIntegrationTest
class HeapSizingIntegrationTests {

    @Test
    void theRunningJvmReturnsFreeHeapAsConfigured() {
        HotSpotDiagnosticMXBean vm = ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class);
        assumeThat(vm.getVMOption("UseG1GC").getValue()).as("the test JVM runs G1").isEqualTo("true");

        assertThat(vm.getVMOption("MinHeapFreeRatio").getValue()).isEqualTo("10");
        assertThat(vm.getVMOption("MaxHeapFreeRatio").getValue()).isEqualTo("10");
        assertThat(vm.getVMOption("G1PeriodicGCInterval").getValue()).isEqualTo("300000");
    }
}
