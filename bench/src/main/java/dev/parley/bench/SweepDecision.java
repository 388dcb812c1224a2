package dev.parley.bench;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The sweep's rules: a step is sustained when nothing was lost or duplicated, no connection
 * dropped, and the p99 latency stayed within the bound. The sweep raises the rate while steps are
 * sustained and stops at the first one that is not; the result is the highest sustained rate. A
 * step that failed while the generator was the bottleneck makes the result a lower bound only.
 */
public final class SweepDecision {

    /** What the decision needs to know of a step. */
    public record Check(double rate, double deliveriesPerSecond, long lost, long duplicated, int connectionsDropped,
            double p99Ms, boolean generatorBound) {
    }

    public record Verdict(boolean sustained, String reason) {
    }

    /** The outcome of a sweep so far. */
    public record Outcome(Check highestSustained, Check firstFailed, String failedBecause, boolean generatorBound) {

        public boolean found() {
            return this.highestSustained != null;
        }

        /** The outcome as the reports' {@code sweep} object. */
        public Map<String, Object> toJson(double p99BoundMs) {
            Map<String, Object> sweep = new LinkedHashMap<>();
            sweep.put("p99BoundMs", p99BoundMs);
            sweep.put("highestSustainedRate", found() ? this.highestSustained.rate() : null);
            sweep.put("highestSustainedDeliveriesPerSecond", found() ? this.highestSustained.deliveriesPerSecond() : null);
            sweep.put("firstFailedRate", (this.firstFailed != null) ? this.firstFailed.rate() : null);
            sweep.put("failedBecause", this.failedBecause);
            sweep.put("failedStepGeneratorBound", this.generatorBound);
            sweep.put("summary", describe());
            return sweep;
        }

        public String describe() {
            StringBuilder out = new StringBuilder();
            if (this.highestSustained == null) {
                out.append("no rate was sustained");
            }
            else {
                out.append(String.format("highest sustained rate %.0f msg/s = %.0f deliveries/s",
                        this.highestSustained.rate(), this.highestSustained.deliveriesPerSecond()));
            }
            if (this.firstFailed == null) {
                out.append(" (every step passed: raise --sweep-max to find the limit)");
            }
            else {
                out.append(String.format("; %.0f msg/s failed: %s", this.firstFailed.rate(), this.failedBecause));
                if (this.generatorBound) {
                    out.append(" -- the generator was the bottleneck there, so this is a lower bound for the server");
                }
            }
            return out.toString();
        }
    }

    private SweepDecision() {
    }

    public static Verdict judge(Check step, double p99BoundMs) {
        StringBuilder reasons = new StringBuilder();
        if (step.lost() > 0) {
            append(reasons, step.lost() + " deliveries lost");
        }
        if (step.duplicated() > 0) {
            append(reasons, step.duplicated() + " deliveries duplicated");
        }
        if (step.connectionsDropped() > 0) {
            append(reasons, step.connectionsDropped() + " connections dropped");
        }
        if (!(step.p99Ms() <= p99BoundMs)) {
            append(reasons, String.format("p99 %.1f ms > %.0f ms", step.p99Ms(), p99BoundMs));
        }
        return new Verdict(reasons.length() == 0, (reasons.length() == 0) ? "sustained" : reasons.toString());
    }

    /** Whether to run the next step after these (in the order run). */
    public static boolean shouldContinue(List<Check> steps, double p99BoundMs, double nextRate, double maxRate) {
        if (nextRate > maxRate) {
            return false;
        }
        for (Check step : steps) {
            if (!judge(step, p99BoundMs).sustained()) {
                return false;
            }
        }
        return true;
    }

    /** The highest rate sustained before the first failing step. */
    public static Outcome decide(List<Check> steps, double p99BoundMs) {
        Check best = null;
        for (Check step : steps) {
            Verdict verdict = judge(step, p99BoundMs);
            if (!verdict.sustained()) {
                return new Outcome(best, step, verdict.reason(), step.generatorBound());
            }
            if (best == null || step.rate() > best.rate()) {
                best = step;
            }
        }
        return new Outcome(best, null, null, false);
    }

    private static void append(StringBuilder reasons, String reason) {
        if (reasons.length() > 0) {
            reasons.append(", ");
        }
        reasons.append(reason);
    }
}
