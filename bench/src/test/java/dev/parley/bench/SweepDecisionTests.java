package dev.parley.bench;

import java.util.List;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SweepDecisionTests {

    private static SweepDecision.Check ok(double rate, double p99) {
        return new SweepDecision.Check(rate, rate * 50, 0, 0, 0, p99, false);
    }

    @Test
    void aStepIsSustainedWithoutLossAndWithinTheBound() {
        assertTrue(SweepDecision.judge(ok(100, 199.9), 200).sustained());
        assertTrue(SweepDecision.judge(ok(100, 200), 200).sustained());
        SweepDecision.Verdict slow = SweepDecision.judge(ok(100, 200.1), 200);
        assertFalse(slow.sustained());
        assertTrue(slow.reason().contains("p99"), slow.reason());
    }

    @Test
    void lossDuplicatesAndDropsFailAStep() {
        SweepDecision.Verdict verdict = SweepDecision.judge(new SweepDecision.Check(100, 5000, 3, 2, 1, 5, false), 200);
        assertFalse(verdict.sustained());
        assertTrue(verdict.reason().contains("3 deliveries lost"), verdict.reason());
        assertTrue(verdict.reason().contains("2 deliveries duplicated"), verdict.reason());
        assertTrue(verdict.reason().contains("1 connections dropped"), verdict.reason());
        assertFalse(SweepDecision.judge(new SweepDecision.Check(100, 5000, 1, 0, 0, 5, false), 200).sustained());
        assertFalse(SweepDecision.judge(new SweepDecision.Check(100, 5000, 0, 0, 0, Double.NaN, false), 200).sustained());
    }

    @Test
    void theHighestSustainedRateIsTheLastBeforeTheFirstFailure() {
        List<SweepDecision.Check> steps = List.of(ok(100, 5), ok(200, 8), ok(300, 250), ok(400, 10));
        SweepDecision.Outcome outcome = SweepDecision.decide(steps, 200);
        assertEquals(200, outcome.highestSustained().rate());
        assertEquals(300, outcome.firstFailed().rate());
        assertFalse(outcome.generatorBound());
        assertTrue(outcome.describe().contains("highest sustained rate 200 msg/s"), outcome.describe());
    }

    @Test
    void noRateSustained() {
        SweepDecision.Outcome outcome = SweepDecision.decide(List.of(ok(100, 500)), 200);
        assertFalse(outcome.found());
        assertNull(outcome.highestSustained());
        assertTrue(outcome.describe().startsWith("no rate was sustained"));
    }

    @Test
    void everyStepPassed() {
        SweepDecision.Outcome outcome = SweepDecision.decide(List.of(ok(100, 1), ok(200, 2)), 200);
        assertEquals(200, outcome.highestSustained().rate());
        assertNull(outcome.firstFailed());
        assertTrue(outcome.describe().contains("raise --sweep-max"));
    }

    @Test
    void aFailureOfTheGeneratorMakesTheResultALowerBound() {
        SweepDecision.Check choked = new SweepDecision.Check(300, 15000, 10, 0, 0, 900, true);
        SweepDecision.Outcome outcome = SweepDecision.decide(List.of(ok(100, 1), choked), 200);
        assertTrue(outcome.generatorBound());
        assertTrue(outcome.describe().contains("lower bound"));
    }

    @Test
    void continuesWhileEveryStepPassedAndTheMaximumIsNotPassed() {
        assertTrue(SweepDecision.shouldContinue(List.of(ok(100, 1)), 200, 200, 1000));
        assertFalse(SweepDecision.shouldContinue(List.of(ok(100, 1)), 200, 1001, 1000));
        assertTrue(SweepDecision.shouldContinue(List.of(ok(100, 1)), 200, 1000, 1000));
        assertFalse(SweepDecision.shouldContinue(List.of(ok(100, 1), ok(200, 300)), 200, 300, 1000));
    }
}
