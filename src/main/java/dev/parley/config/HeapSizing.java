package dev.parley.config;

import java.lang.management.ManagementFactory;
import java.util.LinkedHashMap;
import java.util.Map;

import com.sun.management.HotSpotDiagnosticMXBean;
import com.sun.management.VMOption;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies {@link ChatProperties.Memory} to the running JVM through its manageable flags
 * ({@code MinHeapFreeRatio}, {@code MaxHeapFreeRatio}, {@code G1PeriodicGCInterval}), once, at
 * start-up. A flag given on the command line (or in {@code JAVA_TOOL_OPTIONS}) is left as it is,
 * so is every flag when the JVM does not run G1. Where the JVM has no HotSpot diagnostic bean
 * (not HotSpot) or refuses a flag, one WARN says which, and the JVM's own sizing stays.
 */
final class HeapSizing {

    private static final Logger logger = LoggerFactory.getLogger(HeapSizing.class);

    private HeapSizing() {
    }

    /** The flags set, by name, with their new values (empty when nothing was set). */
    static Map<String, String> apply(ChatProperties.Memory memory) {
        if (!memory.returnFreeHeap()) {
            return Map.of();
        }
        HotSpotDiagnosticMXBean vm = ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class);
        if (vm == null) {
            logger.warn("chat.memory.return-free-heap: this JVM has no HotSpotDiagnosticMXBean; its heap sizing is left as it is");
            return Map.of();
        }
        return apply(memory, vm);
    }

    static Map<String, String> apply(ChatProperties.Memory memory, HotSpotDiagnosticMXBean vm) {
        Map<String, String> set = new LinkedHashMap<>();
        try {
            if (!"true".equals(vm.getVMOption("UseG1GC").getValue())) {
                return Map.of();
            }
            // lowering the minimum first keeps min <= max at every step, which the JVM checks
            if (isDefault(vm, "MinHeapFreeRatio") && isDefault(vm, "MaxHeapFreeRatio")) {
                set(vm, set, "MinHeapFreeRatio", memory.minHeapFreeRatio());
                set(vm, set, "MaxHeapFreeRatio", memory.maxHeapFreeRatio());
            }
            if (isDefault(vm, "G1PeriodicGCInterval") && !memory.periodicCollection().isZero()) {
                set(vm, set, "G1PeriodicGCInterval", memory.periodicCollection().toMillis());
            }
        }
        catch (IllegalArgumentException | SecurityException ex) {
            logger.warn("chat.memory.return-free-heap: the JVM refused a heap flag ({}); set so far: {}",
                    ex.getMessage(), set);
        }
        if (!set.isEmpty()) {
            logger.info("Heap sizing for returning free memory (chat.memory.*): {}", set);
        }
        return set;
    }

    private static boolean isDefault(HotSpotDiagnosticMXBean vm, String flag) {
        return vm.getVMOption(flag).getOrigin() == VMOption.Origin.DEFAULT;
    }

    private static void set(HotSpotDiagnosticMXBean vm, Map<String, String> set, String flag, long value) {
        vm.setVMOption(flag, Long.toString(value));
        set.put(flag, Long.toString(value));
    }
}
