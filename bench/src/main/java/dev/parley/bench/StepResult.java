package dev.parley.bench;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The frozen results of one step. Against a cluster, {@code serverCpuCores} and
 * {@code serverRssBytes} are summed over its instances ({@code serverCpuCoresPerInstance} has
 * each), and {@code sameInstance} / {@code crossInstance} split the latency by whether sender and
 * receiver were connected to the same instance. {@code outOfOrder} is by the protocol's order (STOMP: the
 * server's message id; Socket.IO, which has none: by sender), {@code outOfOrderBySender} by
 * sender in both, the figure to compare across protocols.
 */
record StepResult(int step, double targetRate, double measuredSeconds, long sent, long sendErrors, long expected,
        long received, long lost, long duplicated, long outOfOrder, long outOfOrderBySender, long late,
        LatencySummary latency, LatencySummary lag, double lagAtEndMs, double generatorCpuCores, double serverCpuCores,
        long serverRssBytes, double machineBusyCores, int connectionsOpen, int connectionsDropped,
        long serverErrorReplies, List<String> warnings, List<Double> serverCpuCoresPerInstance,
        LatencySummary sameInstance, LatencySummary crossInstance) {

    double sentPerSecond() {
        return this.sent / this.measuredSeconds;
    }

    double deliveriesPerSecond() {
        return this.received / this.measuredSeconds;
    }

    double outOfOrderPercent() {
        return (this.received == 0) ? 0 : 100.0 * this.outOfOrder / this.received;
    }

    /** Server CPU per received delivery in the measured window, µs (NaN without --server-pid). */
    double serverMicrosPerDelivery() {
        if (Double.isNaN(this.serverCpuCores) || this.received == 0) {
            return Double.NaN;
        }
        return this.serverCpuCores * this.measuredSeconds * 1e6 / this.received;
    }

    /**
     * How much higher the p99 of deliveries that crossed instances was than of those that did
     * not, ms: NaN unless both kinds were measured.
     */
    double crossInstanceExtraP99Ms() {
        if (this.sameInstance.count() == 0 || this.crossInstance.count() == 0) {
            return Double.NaN;
        }
        return this.crossInstance.p99() - this.sameInstance.p99();
    }

    /** The same for the median. */
    double crossInstanceExtraP50Ms() {
        if (this.sameInstance.count() == 0 || this.crossInstance.count() == 0) {
            return Double.NaN;
        }
        return this.crossInstance.p50() - this.sameInstance.p50();
    }

    boolean generatorBound() {
        return GeneratorHealth.bottleneck(this.generatorCpuCores, this.lag.p50(), this.lag.p99(), this.lagAtEndMs);
    }

    boolean clean() {
        return this.lost == 0 && this.duplicated == 0 && this.sendErrors == 0 && this.connectionsDropped == 0;
    }

    SweepDecision.Check check() {
        return new SweepDecision.Check(this.targetRate, deliveriesPerSecond(), this.lost, this.duplicated,
                this.connectionsDropped, this.latency.p99(), generatorBound());
    }

    Map<String, Object> toJson() {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("step", this.step);
        json.put("targetRate", this.targetRate);
        json.put("measuredSeconds", this.measuredSeconds);
        json.put("sent", this.sent);
        json.put("sentPerSecond", sentPerSecond());
        json.put("sendErrors", this.sendErrors);
        json.put("deliveriesExpected", this.expected);
        json.put("deliveriesReceived", this.received);
        json.put("deliveriesLost", this.lost);
        json.put("deliveriesDuplicated", this.duplicated);
        json.put("deliveriesOutOfOrder", this.outOfOrder);
        json.put("outOfOrderPercent", outOfOrderPercent());
        json.put("deliveriesOutOfOrderBySender", this.outOfOrderBySender);
        json.put("deliveriesLate", this.late);
        json.put("deliveriesPerSecond", deliveriesPerSecond());
        json.put("latency", this.latency.toJson());
        json.put("latencySameInstance", this.sameInstance.toJson());
        json.put("latencyCrossInstance", this.crossInstance.toJson());
        json.put("crossInstanceExtraP50Ms", nullIfNaN(crossInstanceExtraP50Ms()));
        json.put("crossInstanceExtraP99Ms", nullIfNaN(crossInstanceExtraP99Ms()));
        json.put("schedulingLag", this.lag.toJson());
        json.put("schedulingLagAtEndMs", this.lagAtEndMs);
        json.put("generatorCpuCores", this.generatorCpuCores);
        json.put("generatorBound", generatorBound());
        json.put("serverCpuCores", this.serverCpuCores);
        json.put("serverCpuCoresPerInstance", this.serverCpuCoresPerInstance);
        json.put("serverCpuMicrosPerDelivery", serverMicrosPerDelivery());
        json.put("serverRssBytes", (this.serverRssBytes < 0) ? null : this.serverRssBytes);
        json.put("machineBusyCores", this.machineBusyCores);
        json.put("connectionsOpen", this.connectionsOpen);
        json.put("connectionsDropped", this.connectionsDropped);
        json.put("serverErrorReplies", this.serverErrorReplies);
        json.put("warnings", this.warnings);
        return json;
    }

    private static Double nullIfNaN(double value) {
        return Double.isNaN(value) ? null : value;
    }
}
