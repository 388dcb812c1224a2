package dev.parley.bench;

import java.util.ArrayList;
import java.util.List;

/**
 * Whether the generator, rather than the server, limited a step: its own CPU near a full core,
 * or its open-loop schedule falling behind (scheduling lag high or growing).
 */
public final class GeneratorHealth {

    /** Generator CPU, in cores, from which it counts as saturated. */
    public static final double CPU_CORES_LIMIT = 0.85;

    /** Scheduling lag p99 above which the schedule is not kept. */
    public static final double LAG_P99_LIMIT_MS = 10;

    /** Lag at the end of the window this much above the median: the schedule falls behind. */
    public static final double LAG_GROWTH_LIMIT_MS = 50;

    private GeneratorHealth() {
    }

    /** Warnings, empty when the generator kept up. */
    public static List<String> assess(double cpuCores, double lagP50Ms, double lagP99Ms, double lagAtEndMs) {
        List<String> warnings = new ArrayList<>();
        if (cpuCores >= CPU_CORES_LIMIT) {
            warnings.add(String.format("the generator used %.2f cores (>= %.2f): it may be the bottleneck, "
                    + "not the server", cpuCores, CPU_CORES_LIMIT));
        }
        if (lagP99Ms > LAG_P99_LIMIT_MS) {
            warnings.add(String.format("the generator's send schedule lagged (p99 %.1f ms > %.0f ms): "
                    + "it could not keep the rate", lagP99Ms, LAG_P99_LIMIT_MS));
        }
        if (lagAtEndMs - lagP50Ms > LAG_GROWTH_LIMIT_MS) {
            warnings.add(String.format("the generator's send schedule fell behind (%.0f ms late at the end, "
                    + "median %.1f ms): it could not keep the rate", lagAtEndMs, lagP50Ms));
        }
        return warnings;
    }

    public static boolean bottleneck(double cpuCores, double lagP50Ms, double lagP99Ms, double lagAtEndMs) {
        return !assess(cpuCores, lagP50Ms, lagP99Ms, lagAtEndMs).isEmpty();
    }
}
