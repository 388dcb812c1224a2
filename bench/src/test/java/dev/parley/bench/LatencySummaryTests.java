package dev.parley.bench;

import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

class LatencySummaryTests {

    @Test
    void percentilesOfAUniformDistribution() {
        Histogram micros = LatencySummary.newMicrosHistogram();
        for (int ms = 1; ms <= 1000; ms++) {
            micros.recordValue(ms * 1000L);
        }
        LatencySummary summary = LatencySummary.ofMicros(micros);
        assertEquals(1000, summary.count());
        // 3 significant digits: within 0.1 %
        assertEquals(500, summary.p50(), 0.5);
        assertEquals(900, summary.p90(), 0.9);
        assertEquals(990, summary.p99(), 1.0);
        assertEquals(999, summary.p999(), 1.0);
        assertEquals(1000, summary.max(), 1.0);
        assertEquals(500.5, summary.mean(), 0.5);
    }

    @Test
    void aTailShowsOnlyInTheHighPercentiles() {
        Histogram micros = LatencySummary.newMicrosHistogram();
        micros.recordValueWithCount(2_000, 9_950);
        micros.recordValueWithCount(300_000, 50);
        LatencySummary summary = LatencySummary.ofMicros(micros);
        assertEquals(2.0, summary.p50(), 0.01);
        assertEquals(2.0, summary.p99(), 0.01);
        assertEquals(300, summary.p999(), 0.5);
        assertEquals(300, summary.max(), 0.5);
    }

    @Test
    void emptyIsZero() {
        assertEquals(LatencySummary.EMPTY, LatencySummary.ofMicros(LatencySummary.newMicrosHistogram()));
    }

    @Test
    void stepLatenciesAreMicrosOfTheNanosGiven() {
        Step step = new Step(0, 1);
        DeliveryLedger ledger = new DeliveryLedger();
        for (int i = 0; i < 100; i++) {
            step.delivered(ledger.record(i, i), (i + 1) * 1_000_000L);
        }
        LatencySummary summary = LatencySummary.ofMicros(step.latencyMicros());
        assertEquals(50, summary.p50(), 0.1);
        assertEquals(100, summary.max(), 0.1);
    }
}
