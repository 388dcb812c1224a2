package dev.parley.bench;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The frozen results of one step. {@code outOfOrder} is by the protocol's order (STOMP: the
 * server's message id; Socket.IO, which has none: by sender), {@code outOfOrderBySender} by
 * sender in both, the figure to compare across protocols.
 */
record StepResult(int step, double targetRate, double measuredSeconds, long sent, long sendErrors, long expected,
        long received, long lost, long duplicated, long outOfOrder, long outOfOrderBySender, long late,
        LatencySummary latency, LatencySummary lag, double lagAtEndMs, double generatorCpuCores, double serverCpuCores,
        long serverRssBytes, double machineBusyCores, int connectionsOpen, int connectionsDropped,
        long serverErrorReplies, List<String> warnings) {

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
        json.put("schedulingLag", this.lag.toJson());
        json.put("schedulingLagAtEndMs", this.lagAtEndMs);
        json.put("generatorCpuCores", this.generatorCpuCores);
        json.put("generatorBound", generatorBound());
        json.put("serverCpuCores", this.serverCpuCores);
        json.put("serverCpuMicrosPerDelivery", serverMicrosPerDelivery());
        json.put("serverRssBytes", (this.serverRssBytes < 0) ? null : this.serverRssBytes);
        json.put("machineBusyCores", this.machineBusyCores);
        json.put("connectionsOpen", this.connectionsOpen);
        json.put("connectionsDropped", this.connectionsDropped);
        json.put("serverErrorReplies", this.serverErrorReplies);
        json.put("warnings", this.warnings);
        return json;
    }
}
