package dev.parley.bench;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class GeneratorMergeTests {

    private static final double SECONDS = 10;

    /** One generator's step, written by the generator's own StepResult. */
    private static StepResult step(int index, double rate, long received, long lost, double p99, double generatorCores,
            double serverCores) {
        LatencySummary latency = new LatencySummary(received, p99 / 4, p99 / 2, p99, p99 * 2, p99 * 3, p99 / 3);
        LatencySummary lag = new LatencySummary(1000, 0.05, 0.1, 0.2, 0.5, 1, 0.06);
        return new StepResult(index, rate, SECONDS, (long) (rate * SECONDS), 0, received + lost, received, lost, 0, 0, 0, 0,
                latency, lag, 0.1, generatorCores, serverCores, 200_000_000L, 1.8, 250, 0, 0,
                List.of("step warning " + index), List.of(serverCores), LatencySummary.EMPTY, LatencySummary.EMPTY);
    }

    private static String report(double p99BoundMs, StepResult... steps) {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("runId", "r" + steps.length);
        json.put("workload", "250 connections, 5 rooms");
        json.put("protocol", "stomp");
        json.put("options", Map.of("sweep", "true"));
        json.put("machine", Map.of("cpus", 2));
        json.put("setup", Map.of("connectionsMade", 250, "connectionsFailed", 0, "seconds", 1.5));
        List<Object> stepJson = new ArrayList<>();
        for (StepResult step : steps) {
            stepJson.add(step.toJson());
        }
        json.put("steps", stepJson);
        json.put("sweep", Map.of("p99BoundMs", p99BoundMs));
        json.put("connectionsDropped", 0);
        json.put("warnings", List.of("a warning"));
        json.put("ok", true);
        return JsonOut.write(json);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> step(Map<String, Object> merged, int index) {
        return ((List<Map<String, Object>>) merged.get("steps")).get(index);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> sweep(Map<String, Object> merged) {
        return (Map<String, Object>) merged.get("sweep");
    }

    @Test
    @SuppressWarnings("unchecked")
    void deliveriesAreSummedEachPercentileIsTheHighestAndTheServerCpuIsPerSummedDelivery() {
        Map<String, Object> merged = GeneratorMerge.merge(List.of(
                report(50, step(0, 200, 100_000, 0, 5, 0.3, 0.50)),
                report(50, step(0, 200, 120_000, 0, 7, 0.4, 0.52))));
        Map<String, Object> step = step(merged, 0);
        assertEquals(400.0, step.get("targetRate"));
        assertEquals(220_000.0, step.get("deliveriesReceived"));
        assertEquals(22_000.0, step.get("deliveriesPerSecond"));
        Map<String, Object> latency = (Map<String, Object>) step.get("latency");
        assertEquals(7.0, latency.get("p99Ms"));
        assertEquals(3.5, latency.get("p90Ms"));
        assertEquals(220_000L, latency.get("count"));
        assertEquals(0.7, (Double) step.get("generatorCpuCores"), 1e-9);
        assertEquals(List.of(0.3, 0.4), step.get("generatorCpuCoresPerProcess"));
        assertEquals(0.51, (Double) step.get("serverCpuCores"), 1e-9);
        assertEquals(0.51 * SECONDS * 1e6 / 220_000, (Double) step.get("serverCpuMicrosPerDelivery"), 1e-9);
        assertEquals(List.of("generator 1: step warning 0", "generator 2: step warning 0"), step.get("warnings"));
        assertEquals(List.of("generator 1: a warning", "generator 2: a warning"), merged.get("warnings"));
        assertEquals(500L, ((Map<String, Object>) merged.get("setup")).get("connectionsMade"));
        assertEquals(true, merged.get("ok"));
    }

    @Test
    void theSweepIsJudgedOnTheMergedStepsSoOneGeneratorsTailFailsTheStep() {
        Map<String, Object> merged = GeneratorMerge.merge(List.of(
                report(50, step(0, 200, 100_000, 0, 5, 0.3, 0.5), step(1, 400, 200_000, 0, 9, 0.4, 0.9),
                        step(2, 600, 300_000, 0, 20, 0.5, 1.2)),
                report(50, step(0, 200, 100_000, 0, 6, 0.3, 0.5), step(1, 400, 200_000, 0, 10, 0.4, 0.9),
                        step(2, 600, 300_000, 0, 60, 0.5, 1.2))));
        Map<String, Object> sweep = sweep(merged);
        assertEquals(800.0, sweep.get("highestSustainedRate"));
        assertEquals(40_000.0, sweep.get("highestSustainedDeliveriesPerSecond"));
        assertEquals(1200.0, sweep.get("firstFailedRate"));
        assertTrue(((String) sweep.get("failedBecause")).contains("p99 60.0 ms > 50 ms"), (String) sweep.get("failedBecause"));
        assertEquals(false, sweep.get("failedStepGeneratorBound"));
    }

    @Test
    void aLossInEitherGeneratorFailsTheStep() {
        Map<String, Object> merged = GeneratorMerge.merge(List.of(
                report(50, step(0, 200, 100_000, 0, 5, 0.3, 0.5), step(1, 400, 199_999, 1, 9, 0.4, 0.9)),
                report(50, step(0, 200, 100_000, 0, 5, 0.3, 0.5), step(1, 400, 200_000, 0, 9, 0.4, 0.9))));
        assertEquals(400.0, sweep(merged).get("highestSustainedRate"));
        assertTrue(((String) sweep(merged).get("failedBecause")).contains("1 deliveries lost"));
    }

    @Test
    void aStepIsGeneratorBoundWhenAnyGeneratorWas() {
        Map<String, Object> merged = GeneratorMerge.merge(List.of(
                report(50, step(0, 200, 100_000, 0, 5, 0.3, 0.5), step(1, 400, 200_000, 0, 90, 0.95, 0.9)),
                report(50, step(0, 200, 100_000, 0, 5, 0.3, 0.5), step(1, 400, 200_000, 0, 9, 0.4, 0.9))));
        assertEquals(false, step(merged, 0).get("generatorBound"));
        assertEquals(true, step(merged, 1).get("generatorBound"));
        assertEquals(true, sweep(merged).get("failedStepGeneratorBound"));
        assertTrue(((String) sweep(merged).get("summary")).contains("lower bound"));
    }

    @Test
    void reportsOfDifferentLengthsAreMergedUpToTheShortestWithAWarning() {
        Map<String, Object> merged = GeneratorMerge.merge(List.of(
                report(50, step(0, 200, 100_000, 0, 5, 0.3, 0.5), step(1, 400, 200_000, 0, 9, 0.4, 0.9)),
                report(50, step(0, 200, 100_000, 0, 5, 0.3, 0.5))));
        assertEquals(1, ((List<?>) merged.get("steps")).size());
        assertTrue(merged.get("warnings").toString().contains("different numbers of steps ([2, 1])"));
    }

    @Test
    void reportsThatAreNotSweepsOrDisagreeOnTheBoundAreRefused() {
        String noSweep = report(50, step(0, 200, 100_000, 0, 5, 0.3, 0.5)).replace("\"sweep\": {", "\"notSweep\": {");
        assertThrows(IllegalArgumentException.class,
                () -> GeneratorMerge.merge(List.of(noSweep, report(50, step(0, 200, 100_000, 0, 5, 0.3, 0.5)))));
        IllegalArgumentException bounds = assertThrows(IllegalArgumentException.class, () -> GeneratorMerge.merge(List.of(
                report(50, step(0, 200, 100_000, 0, 5, 0.3, 0.5)), report(200, step(0, 200, 100_000, 0, 5, 0.3, 0.5)))));
        assertFalse(bounds.getMessage().isEmpty());
    }

    @Test
    void theCommandMergesFilesAlsoOfOneGenerator(@TempDir Path directory) throws Exception {
        Path in = directory.resolve("1.json");
        Files.writeString(in, report(50, step(0, 200, 100_000, 0, 5, 0.3, 0.5), step(1, 400, 200_000, 0, 80, 0.4, 0.9)));
        Path out = directory.resolve("merged.json");
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        int code = GeneratorMerge.run(List.of(out.toString(), in.toString()),
                new PrintStream(printed, true, StandardCharsets.UTF_8), System.err);
        assertEquals(0, code);
        Map<String, String> sweep = Json.fields(Json.fields(Files.readString(out)).get("sweep"));
        assertEquals("200", sweep.get("highestSustainedRate"));
        assertTrue(printed.toString(StandardCharsets.UTF_8).contains("merged 1 generators' reports: highest sustained rate 200"));
        assertEquals(2, GeneratorMerge.run(List.of(out.toString()), System.out, new PrintStream(new ByteArrayOutputStream())));
    }
}
