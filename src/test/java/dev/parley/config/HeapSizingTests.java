package dev.parley.config;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import javax.management.ObjectName;

import com.sun.management.HotSpotDiagnosticMXBean;
import com.sun.management.VMOption;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

class HeapSizingTests {

    private static final ChatProperties.Memory DEFAULTS = new ChatProperties.Memory(true, 10, 10, Duration.ofMinutes(5));

    @Test
    void aG1JvmWithDefaultFlagsGetsTheConfiguredRatiosAndPeriodicCollection() {
        FakeVm vm = new FakeVm("true");

        Map<String, String> set = HeapSizing.apply(DEFAULTS, vm);

        assertThat(set).containsExactly(Map.entry("MinHeapFreeRatio", "10"), Map.entry("MaxHeapFreeRatio", "10"),
                Map.entry("G1PeriodicGCInterval", "300000"));
        assertThat(vm.value("MaxHeapFreeRatio")).isEqualTo("10");
    }

    @Test
    void flagsGivenOnTheCommandLineAreLeftAlone() {
        FakeVm vm = new FakeVm("true");
        vm.commandLine("MaxHeapFreeRatio", "50");
        vm.commandLine("G1PeriodicGCInterval", "1000");

        Map<String, String> set = HeapSizing.apply(DEFAULTS, vm);

        assertThat(set).isEmpty();
        assertThat(vm.value("MinHeapFreeRatio")).isEqualTo("40");
        assertThat(vm.value("MaxHeapFreeRatio")).isEqualTo("50");
        assertThat(vm.value("G1PeriodicGCInterval")).isEqualTo("1000");
    }

    @Test
    void anotherCollectorIsLeftAlone() {
        FakeVm vm = new FakeVm("false");

        assertThat(HeapSizing.apply(DEFAULTS, vm)).isEmpty();
        assertThat(vm.value("MaxHeapFreeRatio")).isEqualTo("70");
    }

    @Test
    void turnedOffNothingIsSet() {
        assertThat(HeapSizing.apply(new ChatProperties.Memory(false, 10, 30, Duration.ofMinutes(5)))).isEmpty();
    }

    @Test
    void noPeriodicCollectionWhenItsIntervalIsZero() {
        FakeVm vm = new FakeVm("true");

        assertThat(HeapSizing.apply(new ChatProperties.Memory(true, 10, 30, Duration.ZERO), vm))
            .doesNotContainKey("G1PeriodicGCInterval");
        assertThat(vm.value("G1PeriodicGCInterval")).isEqualTo("0");
    }

    @Test
    void aMinimumAboveTheMaximumIsRefusedAtBinding() {
        assertThatIllegalArgumentException().isThrownBy(() -> new ChatProperties.Memory(true, 50, 30, Duration.ZERO))
            .withMessageContaining("chat.memory.min-heap-free-ratio (50)");
    }

    /** The JVM's flags as a map, with the JVM's own check that the minimum stays at most the maximum. */
    private static final class FakeVm implements HotSpotDiagnosticMXBean {

        private final Map<String, VMOption> options = new HashMap<>();

        FakeVm(String g1) {
            put("UseG1GC", g1, VMOption.Origin.ERGONOMIC);
            put("MinHeapFreeRatio", "40", VMOption.Origin.DEFAULT);
            put("MaxHeapFreeRatio", "70", VMOption.Origin.DEFAULT);
            put("G1PeriodicGCInterval", "0", VMOption.Origin.DEFAULT);
        }

        void commandLine(String name, String value) {
            put(name, value, VMOption.Origin.VM_CREATION);
        }

        String value(String name) {
            return this.options.get(name).getValue();
        }

        private void put(String name, String value, VMOption.Origin origin) {
            this.options.put(name, new VMOption(name, value, true, origin));
        }

        @Override
        public VMOption getVMOption(String name) {
            return this.options.get(name);
        }

        @Override
        public void setVMOption(String name, String value) {
            long min = Long.parseLong(name.equals("MinHeapFreeRatio") ? value : value("MinHeapFreeRatio"));
            long max = Long.parseLong(name.equals("MaxHeapFreeRatio") ? value : value("MaxHeapFreeRatio"));
            if (min > max) {
                throw new IllegalArgumentException(name + " would make MinHeapFreeRatio exceed MaxHeapFreeRatio");
            }
            put(name, value, VMOption.Origin.MANAGEMENT);
        }

        @Override
        public List<VMOption> getDiagnosticOptions() {
            return List.copyOf(this.options.values());
        }

        @Override
        public void dumpHeap(String outputFile, boolean live) {
            throw new UnsupportedOperationException();
        }

        @Override
        public ObjectName getObjectName() {
            throw new UnsupportedOperationException();
        }
    }
}
