package dev.parley.bench;

import java.util.List;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A cluster's figures: latencies split by route, server CPU and memory summed over instances. */
class ClusterAccountingTests {

    @Test
    void aDeliveryIsSameInstanceOrCrossByWhereSenderAndReceiverConnected() {
        Options options = Options.parse("--url", "ws://h:1/ws/websocket,ws://h:2/ws/websocket", "--connections", "40",
                "--rooms", "10", "--senders", "20");
        // users 0-9 on the first instance, 10-19 on the second, 20-29 on the first, 30-39 on the second
        assertEquals(Step.Route.SAME_INSTANCE, Bench.route(options, 3, 23));
        assertEquals(Step.Route.CROSS_INSTANCE, Bench.route(options, 3, 13));
        assertEquals(Step.Route.CROSS_INSTANCE, Bench.route(options, 13, 23));
        assertEquals(Step.Route.SAME_INSTANCE, Bench.route(options, 13, 33));
        // the echo to the sender itself
        assertEquals(Step.Route.SAME_INSTANCE, Bench.route(options, 13, 13));
        // a sender the bench cannot place
        assertEquals(Step.Route.UNKNOWN, Bench.route(options, -1, 13));
        assertEquals(Step.Route.UNKNOWN, Bench.route(options, 40, 13));
        // one instance: every delivery on the same
        Options one = Options.parse("--connections", "40", "--rooms", "10", "--senders", "20");
        assertEquals(Step.Route.SAME_INSTANCE, Bench.route(one, 3, 13));
    }

    @Test
    void latenciesAreSplitByRouteAndAllCountedTogether() {
        Step step = new Step(0, 100);
        DeliveryLedger same = new DeliveryLedger();
        DeliveryLedger cross = new DeliveryLedger();
        for (int m = 0; m < 100; m++) {
            step.sent(2, 0);
            step.delivered(same.record(m, m + 1), 1_000_000, false, Step.Route.SAME_INSTANCE);
            step.delivered(cross.record(m, m + 1), 3_000_000, false, Step.Route.CROSS_INSTANCE);
        }
        // a duplicate has no latency, on neither route
        step.delivered(cross.record(5, 6), 9_000_000, false, Step.Route.CROSS_INSTANCE);
        // an unknown route counts in all deliveries only
        DeliveryLedger unknown = new DeliveryLedger();
        step.sent(1, 0);
        step.delivered(unknown.record(100, 101), 2_000_000, false, Step.Route.UNKNOWN);
        assertEquals(201, step.receivedCount());
        assertEquals(1, step.duplicateCount());
        assertEquals(201, step.latencyMicros().getTotalCount());
        LatencySummary sameSummary = LatencySummary.ofMicros(step.sameInstanceMicros());
        LatencySummary crossSummary = LatencySummary.ofMicros(step.crossInstanceMicros());
        assertEquals(100, sameSummary.count());
        assertEquals(100, crossSummary.count());
        assertEquals(1.0, sameSummary.p99(), 0.01);
        assertEquals(3.0, crossSummary.p99(), 0.01);
        // the three-argument form (one server) records on the same instance
        step.delivered(same.record(100, 101), 1_000_000, false);
        assertEquals(101, step.sameInstanceMicros().getTotalCount());
        // late deliveries are on no route
        step.close();
        step.delivered(cross.record(100, 101), 1_000_000, false, Step.Route.CROSS_INSTANCE);
        assertEquals(100, step.crossInstanceMicros().getTotalCount());
        assertEquals(1, step.lateCount());
    }

    @Test
    void theExtraOfCrossingIsCrossMinusSame() {
        LatencySummary same = new LatencySummary(100, 0.5, 0.8, 1.5, 2, 3, 0.6);
        LatencySummary cross = new LatencySummary(100, 0.9, 1.4, 2.7, 3, 4, 1.0);
        StepResult both = result(same, cross);
        assertEquals(1.2, both.crossInstanceExtraP99Ms(), 1e-9);
        assertEquals(0.4, both.crossInstanceExtraP50Ms(), 1e-9);
        assertEquals(1.2, (Double) both.toJson().get("crossInstanceExtraP99Ms"), 1e-9);
        // one instance: nothing crossed, no extra
        StepResult single = result(same, LatencySummary.EMPTY);
        assertTrue(Double.isNaN(single.crossInstanceExtraP99Ms()));
        assertEquals(null, single.toJson().get("crossInstanceExtraP99Ms"));
    }

    @Test
    void serverCpuIsSummedOverInstancesAndPerDeliveryOfTheSum() {
        long[] before = { 1_000_000_000L, 5_000_000_000L };
        long[] after = { 4_000_000_000L, 7_000_000_000L };
        double[] cores = Probes.coresBetween(before, after, 10);
        assertEquals(0.3, cores[0], 1e-9);
        assertEquals(0.2, cores[1], 1e-9);
        assertEquals(0.5, Probes.sumCores(cores), 1e-9);
        // 0.5 cores for 10 s over 100,000 deliveries: 50 µs each
        StepResult result = new StepResult(0, 200, 10, 1000, 0, 100_000, 100_000, 0, 0, 0, 0, 0, LatencySummary.EMPTY,
                LatencySummary.EMPTY, 0, 0.1, Probes.sumCores(cores), 1L << 30, 1.0, 500, 0, 0, List.of(),
                List.of(cores[0], cores[1]), LatencySummary.EMPTY, LatencySummary.EMPTY);
        assertEquals(50, result.serverMicrosPerDelivery(), 1e-9);
        assertEquals(List.of(0.3, 0.2), result.toJson().get("serverCpuCoresPerInstance"));
        // an instance that could not be read makes the sum unknown, not a part passing for the whole
        double[] partial = Probes.coresBetween(before, new long[] { 4_000_000_000L, -1 }, 10);
        assertTrue(Double.isNaN(partial[1]));
        assertTrue(Double.isNaN(Probes.sumCores(partial)));
        assertTrue(Double.isNaN(Probes.sumCores(new double[0])));
    }

    @Test
    void memoryIsSummedAndUnknownIfAnyIs() {
        assertEquals(300, Probes.sum(new long[] { 100, 200 }));
        assertEquals(-1, Probes.sum(new long[] { 100, -1 }));
        assertEquals(-1, Probes.sum(new long[0]));
        long pid = ProcessHandle.current().pid();
        long one = Probes.processRssBytes(pid);
        long twice = Probes.processRssBytes(List.of(pid, pid));
        // the same process twice: about twice its RSS (it may move a little between readings)
        assertTrue(Math.abs(twice - 2 * one) < one / 10, one + " " + twice);
        assertEquals(-1, Probes.processRssBytes(List.of(pid, Long.MAX_VALUE)));
        assertEquals(2, Probes.processCpuNanos(List.of(pid, pid)).length);
        assertEquals(-1, Probes.sum(Probes.processCpuNanos(List.of())));
    }

    private static StepResult result(LatencySummary same, LatencySummary cross) {
        return new StepResult(0, 200, 10, 1000, 0, 2000, 2000, 0, 0, 0, 0, 0, LatencySummary.EMPTY, LatencySummary.EMPTY,
                0, 0.1, Double.NaN, -1, 1.0, 500, 0, 0, List.of(), List.of(), same, cross);
    }
}
