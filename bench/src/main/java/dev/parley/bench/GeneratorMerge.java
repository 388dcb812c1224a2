package dev.parley.bench;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BinaryOperator;

/**
 * The reports of generator processes that ran one sweep side by side against one server
 * ({@code --sweep --sweep-all --start-at T}, each with its own users and rooms), as one report in
 * the shape of a single generator's, so that {@code tables.py} and {@code plots.py} read it as any
 * other. Two processes on separate cores are how the saturation run shows that the generator was
 * not what limited it: each carries half the load, and each reports its own CPU and send lag.
 * <p>
 * Step by step: rates, messages and deliveries are summed; each latency percentile is the highest
 * of the generators' (the combined percentile is never above it, so a step passed on it would have
 * passed on the exact one); the server's CPU, which every generator measured over nearly the same
 * window, is their mean, and its CPU per delivery is taken against the summed deliveries; a step
 * is generator-bound when any generator was. The sweep is then judged on the merged steps by
 * {@link SweepDecision}, with the generators' own p99 bound.
 */
final class GeneratorMerge {

    private static final List<String> SUMMED = List.of("targetRate", "sent", "sentPerSecond", "sendErrors",
            "deliveriesExpected", "deliveriesReceived", "deliveriesLost", "deliveriesDuplicated",
            "deliveriesOutOfOrder", "deliveriesOutOfOrderBySender", "deliveriesLate", "deliveriesPerSecond",
            "generatorCpuCores", "connectionsOpen", "connectionsDropped", "serverErrorReplies");

    private static final List<String> AVERAGED = List.of("measuredSeconds", "serverCpuCores", "machineBusyCores");

    private static final List<String> PERCENTILES = List.of("p50Ms", "p90Ms", "p99Ms", "p999Ms", "maxMs");

    private GeneratorMerge() {
    }

    /** {@code --merge OUT IN...}: the exit code. */
    static int run(List<String> files, PrintStream out, PrintStream err) {
        if (files.size() < 2) {
            err.println("parley-bench: --merge OUT.json IN.json...");
            return 2;
        }
        List<String> reports = new ArrayList<>();
        try {
            for (String file : files.subList(1, files.size())) {
                reports.add(Files.readString(Path.of(file)));
            }
            Map<String, Object> merged = merge(reports);
            Files.writeString(Path.of(files.get(0)), JsonOut.write(merged));
            @SuppressWarnings("unchecked")
            Map<String, Object> sweep = (Map<String, Object>) merged.get("sweep");
            out.println("merged " + reports.size() + " generators' reports: " + sweep.get("summary"));
            @SuppressWarnings("unchecked")
            List<String> warnings = (List<String>) merged.get("warnings");
            warnings.forEach(warning -> out.println("  warning: " + warning));
            return 0;
        }
        catch (IOException | IllegalArgumentException ex) {
            err.println("parley-bench: --merge: " + ex.getMessage());
            return 1;
        }
    }

    /** The merged report of these generators' JSON reports. */
    static Map<String, Object> merge(List<String> reportsJson) {
        List<Map<String, String>> reports = reportsJson.stream().map(Json::fields).toList();
        List<List<Map<String, String>>> stepsOf = new ArrayList<>();
        Double bound = null;
        for (Map<String, String> report : reports) {
            String sweep = report.get("sweep");
            if (sweep == null) {
                throw new IllegalArgumentException("a report without a sweep: run each generator with --sweep");
            }
            double each = number(Json.fields(sweep).get("p99BoundMs"));
            if (bound != null && bound != each) {
                throw new IllegalArgumentException("the generators had different --p99-bound");
            }
            bound = each;
            stepsOf.add(elements(report.get("steps")).stream().map(Json::fields).toList());
        }
        List<String> warnings = new ArrayList<>();
        int stepCount = stepsOf.stream().mapToInt(List::size).min().orElse(0);
        if (stepsOf.stream().anyMatch(steps -> steps.size() != stepCount)) {
            warnings.add("the generators ran different numbers of steps (" + stepsOf.stream().map(List::size).toList()
                    + "): only the first " + stepCount + " are merged; run them with --sweep-all");
        }
        for (int g = 0; g < reports.size(); g++) {
            for (String warning : elements(reports.get(g).get("warnings"))) {
                warnings.add("generator " + (g + 1) + ": " + warning);
            }
        }

        List<Object> steps = new ArrayList<>();
        List<SweepDecision.Check> checks = new ArrayList<>();
        for (int i = 0; i < stepCount; i++) {
            List<Map<String, String>> parts = new ArrayList<>();
            for (List<Map<String, String>> each : stepsOf) {
                parts.add(each.get(i));
            }
            Map<String, Object> step = mergeStep(i, parts);
            steps.add(step);
            @SuppressWarnings("unchecked")
            Map<String, Object> latency = (Map<String, Object>) step.get("latency");
            checks.add(new SweepDecision.Check((Double) step.get("targetRate"), (Double) step.get("deliveriesPerSecond"),
                    ((Double) step.get("deliveriesLost")).longValue(), ((Double) step.get("deliveriesDuplicated")).longValue(),
                    ((Double) step.get("connectionsDropped")).intValue(), (Double) latency.get("p99Ms"),
                    (Boolean) step.get("generatorBound")));
        }
        SweepDecision.Outcome outcome = SweepDecision.decide(checks, bound);

        Map<String, Object> json = new LinkedHashMap<>();
        json.put("tool", "parley-bench");
        json.put("finishedAt", Instant.now().toString());
        json.put("workload", reports.size() + " generator processes side by side, each: " + reports.get(0).get("workload"));
        json.put("protocol", reports.get(0).get("protocol"));
        json.put("merged", "rates, messages and deliveries summed; each latency percentile the highest of the "
                + "generators' (an upper bound of the combined one); the server's CPU their mean; a step "
                + "generator-bound when any generator was");
        List<Object> generators = new ArrayList<>();
        double setupSeconds = 0;
        long made = 0;
        long failed = 0;
        boolean ok = true;
        for (Map<String, String> report : reports) {
            Map<String, String> setup = Json.fields(report.get("setup"));
            Map<String, Object> generator = new LinkedHashMap<>();
            generator.put("runId", report.get("runId"));
            generator.put("options", Json.fields(report.get("options")));
            generator.put("connectionsMade", (long) number(setup.get("connectionsMade")));
            generator.put("setupSeconds", number(setup.get("seconds")));
            generator.put("ok", Boolean.parseBoolean(report.get("ok")));
            generators.add(generator);
            setupSeconds = Math.max(setupSeconds, number(setup.get("seconds")));
            made += (long) number(setup.get("connectionsMade"));
            failed += (long) number(setup.get("connectionsFailed"));
            ok &= Boolean.parseBoolean(report.get("ok"));
        }
        json.put("generators", generators);
        json.put("machine", Json.fields(reports.get(0).get("machine")));
        Map<String, Object> setup = new LinkedHashMap<>();
        setup.put("connectionsMade", made);
        setup.put("connectionsFailed", failed);
        setup.put("seconds", setupSeconds);
        json.put("setup", setup);
        json.put("steps", steps);
        json.put("sweep", outcome.toJson(bound));
        json.put("connectionsDropped", reports.stream().mapToDouble(r -> number(r.get("connectionsDropped"))).sum());
        json.put("warnings", warnings);
        json.put("ok", ok);
        return json;
    }

    private static Map<String, Object> mergeStep(int index, List<Map<String, String>> parts) {
        Map<String, Object> step = new LinkedHashMap<>();
        step.put("step", index);
        for (String name : SUMMED) {
            step.put(name, combine(parts, name, Double::sum));
        }
        for (String name : AVERAGED) {
            step.put(name, combine(parts, name, Double::sum) / parts.size());
        }
        double received = (Double) step.get("deliveriesReceived");
        step.put("outOfOrderPercent", (received == 0) ? 0.0 : 100.0 * (Double) step.get("deliveriesOutOfOrder") / received);
        step.put("latency", highest(parts, "latency"));
        step.put("schedulingLag", highest(parts, "schedulingLag"));
        step.put("schedulingLagAtEndMs", combine(parts, "schedulingLagAtEndMs", Math::max));
        step.put("generatorCpuCoresPerProcess", parts.stream().map(part -> number(part.get("generatorCpuCores"))).toList());
        step.put("generatorBound", parts.stream().anyMatch(part -> Boolean.parseBoolean(part.get("generatorBound"))));
        double serverCores = (Double) step.get("serverCpuCores");
        double seconds = (Double) step.get("measuredSeconds");
        step.put("serverCpuMicrosPerDelivery", (received == 0) ? null : serverCores * seconds * 1e6 / received);
        step.put("serverRssBytes", combine(parts, "serverRssBytes", Math::max));
        List<String> warnings = new ArrayList<>();
        for (int g = 0; g < parts.size(); g++) {
            for (String warning : elements(parts.get(g).get("warnings"))) {
                warnings.add("generator " + (g + 1) + ": " + warning);
            }
        }
        step.put("warnings", warnings);
        return step;
    }

    /** Every percentile the highest of the parts', the count summed, the mean weighted by it. */
    private static Map<String, Object> highest(List<Map<String, String>> parts, String name) {
        Map<String, Object> merged = new LinkedHashMap<>();
        double count = 0;
        double weighted = 0;
        for (Map<String, String> part : parts) {
            Map<String, String> latency = Json.fields(part.get(name));
            double each = number(latency.get("count"));
            count += each;
            weighted += each * number(latency.get("meanMs"));
        }
        merged.put("count", (long) count);
        for (String percentile : PERCENTILES) {
            merged.put(percentile, parts.stream().mapToDouble(part -> number(Json.fields(part.get(name)).get(percentile)))
                    .max().orElse(0));
        }
        merged.put("meanMs", (count == 0) ? 0.0 : weighted / count);
        return merged;
    }

    private static double combine(List<Map<String, String>> parts, String name, BinaryOperator<Double> how) {
        double result = number(parts.get(0).get(name));
        for (Map<String, String> part : parts.subList(1, parts.size())) {
            result = how.apply(result, number(part.get(name)));
        }
        return result;
    }

    /** A JSON number's text as a double; null or absent as NaN (JsonOut writes NaN as null). */
    private static double number(String text) {
        return (text == null) ? Double.NaN : Double.parseDouble(text);
    }

    private static List<String> elements(String array) {
        return (array == null) ? List.of() : Json.elements(array);
    }
}
