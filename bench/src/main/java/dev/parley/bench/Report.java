package dev.parley.bench;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The human table (stdout) and the JSON file of a run. With {@code --protocol socketio} the lines
 * that depend on the protocol say what was measured instead (no claim, no heap, out of order by
 * sender); the STOMP report is unchanged.
 */
final class Report {

    private final Bench bench;

    private final Options options;

    private final boolean socketIo;

    Report(Bench bench) {
        this.bench = bench;
        this.options = bench.options();
        this.socketIo = this.options.socketIo();
    }

    void print(PrintStream out) {
        Locale.setDefault(Locale.ROOT);
        out.println();
        out.printf("machine        %d cpus, load average %.2f at start, java %s%n",
                Runtime.getRuntime().availableProcessors(), this.bench.loadAtStart(), System.getProperty("java.version"));
        out.printf("server         %s%n", describePids());
        if (this.options.instances() > 1) {
            int[] users = this.bench.usersPerInstance();
            StringBuilder line = new StringBuilder();
            for (int i = 0; i < users.length; i++) {
                line.append((i == 0) ? "" : ", ").append(this.options.urls.get(i)).append(" ").append(users[i]).append(" users");
            }
            out.printf("instances      %d: %s (each room's members in turn; server CPU and RSS summed over the "
                    + "--server-pid processes)%n", users.length, line);
        }
        out.printf("set-up         %d of %d connections made, %d failed, in %.1f s (%s)%n",
                this.bench.readyCount(), this.options.connections, this.bench.setupFailedCount(), this.bench.setupSeconds(),
                this.socketIo ? "connect, join" : "claim, connect, subscribe, join");
        LatencySummary connect = this.bench.connectTimes();
        if (connect.count() > 0) {
            out.printf("connect time   %s  (%s)%n", connect.row(), this.socketIo
                    ? "WebSocket handshake to the Socket.IO connect answer, 40" : "WebSocket handshake to CONNECTED");
        }
        this.bench.setupFailures().forEach((reason, count) -> out.printf("  failed %5d x %s%n", count, reason));
        if (this.bench.idleResult() != null) {
            printIdle(out, this.bench.idleResult());
        }
        if (this.bench.stormResult() != null) {
            printStorm(out, this.bench.stormResult());
        }
        List<StepResult> results = this.bench.results();
        if (this.options.sweep) {
            printSweep(out, results);
        }
        else {
            for (StepResult result : results) {
                printStep(out, result);
            }
        }
        if (this.bench.slowResult() != null) {
            printSlowReaders(out, this.bench.slowResult());
        }
        out.printf("events         %d %s ignored, %d other messages ignored%n", this.bench.events(),
                this.socketIo ? "events other than chat message" : "JOIN/LEAVE/TYPING events", this.bench.foreign());
        if (this.bench.warmupDuplicates() > 0) {
            out.printf("warm-up        %d duplicated deliveries during warm-up (not in the statistics)%n",
                    this.bench.warmupDuplicates());
        }
        if (this.bench.droppedCount() > 0) {
            out.printf("DROPPED        %d connections closed during the run:%n", this.bench.droppedCount());
            this.bench.dropReasons().forEach((reason, count) -> out.printf("  %5d x %s%n", count, reason));
        }
        if (this.bench.stompErrorCount() > 0) {
            out.printf("STOMP ERROR    %d ERROR frames:%n", this.bench.stompErrorCount());
            this.bench.stompErrorMessages().forEach((message, count) -> out.printf("  %5d x %s%n", count, message));
        }
        if (!this.bench.errorReplies().isEmpty()) {
            out.printf("error replies  %s%s%n", this.bench.errorReplies(),
                    this.bench.errorReplies().containsKey("RATE_LIMITED") ? "  <- start the server with " + Bench.SERVER_FLAGS : "");
        }
        for (String warning : allWarnings()) {
            out.println("WARNING: " + warning);
        }
        out.println(this.bench.ok() ? "RESULT: OK (no connection failed or dropped, nothing lost or duplicated)"
                : "RESULT: PROBLEMS (see above)");
        out.flush();
    }

    private String describePids() {
        List<Long> pids = this.options.serverPids;
        if (pids.isEmpty()) {
            return "no --server-pid: no server CPU or memory figures";
        }
        StringBuilder text = new StringBuilder((pids.size() == 1) ? "pid " : "pids ");
        for (int i = 0; i < pids.size(); i++) {
            text.append((i == 0) ? "" : ", ").append(pids.get(i)).append(Probes.alive(pids.get(i)) ? "" : " (gone at the end!)");
        }
        if (this.options.instances() > 1 && pids.size() != this.options.instances()) {
            text.append(String.format("  (NOT one per instance: %d --url, %d --server-pid)", this.options.instances(), pids.size()));
        }
        return text.toString();
    }

    private List<String> allWarnings() {
        List<String> warnings = new ArrayList<>(this.bench.warnings());
        for (StepResult result : this.bench.results()) {
            for (String warning : result.warnings()) {
                warnings.add((this.options.sweep ? "step " + result.step() + " (" + (long) result.targetRate() + " msg/s): " : "")
                        + warning);
            }
        }
        return warnings;
    }

    private void printStep(PrintStream out, StepResult r) {
        out.printf("messages       %d sent after warm-up (%.1f/s over %.1f s), %d send errors; scheduling lag p50 %s p99 %s max %s ms%n",
                r.sent(), r.sentPerSecond(), r.measuredSeconds(), r.sendErrors(), LatencySummary.fmt(r.lag().p50()),
                LatencySummary.fmt(r.lag().p99()), LatencySummary.fmt(r.lag().max()));
        out.printf("deliveries     expected %d  received %d  LOST %d  DUPLICATED %d  (late, after the drain: %d)%n",
                r.expected(), r.received(), r.lost(), r.duplicated(), r.late());
        out.printf("out of order   %d (%.3f %% of received; %s)%n", r.outOfOrder(), r.outOfOrderPercent(), this.socketIo
                ? "by sender: after a later message of the same sender, per subscriber; Socket.IO has no message id"
                : "by message id, per subscriber and room");
        out.printf("throughput     %.0f deliveries/s%n", r.deliveriesPerSecond());
        out.printf("latency        %s  (send to delivery)%n", r.latency().row());
        if (this.options.instances() > 1) {
            out.printf("  same inst.   %s  (%d deliveries: sender and receiver on one instance)%n", r.sameInstance().row(),
                    r.sameInstance().count());
            out.printf("  cross inst.  %s  (%d deliveries: through the instances' bus)%n", r.crossInstance().row(),
                    r.crossInstance().count());
            if (!Double.isNaN(r.crossInstanceExtraP99Ms())) {
                out.printf("  crossing     %+.2f ms at p50, %+.2f ms at p99 (cross minus same instance)%n",
                        r.crossInstanceExtraP50Ms(), r.crossInstanceExtraP99Ms());
            }
        }
        out.printf("generator      %.2f cores%n", r.generatorCpuCores());
        if (!Double.isNaN(r.serverCpuCores())) {
            out.printf("server         %.2f cores, %.1f µs CPU per delivery, RSS %s%s%n", r.serverCpuCores(),
                    r.serverMicrosPerDelivery(), mb(r.serverRssBytes()),
                    (r.serverCpuCoresPerInstance().size() > 1) ? "  (summed over " + r.serverCpuCoresPerInstance().size()
                            + " processes: " + coresEach(r.serverCpuCoresPerInstance()) + " cores)" : "");
        }
        if (!Double.isNaN(r.machineBusyCores())) {
            out.printf("machine        %.2f of %d cores busy%n", r.machineBusyCores(), Runtime.getRuntime().availableProcessors());
        }
        out.printf("connections    %d open at the end, %d dropped during the step; %d error replies%n",
                r.connectionsOpen(), r.connectionsDropped(), r.serverErrorReplies());
    }

    private void printSweep(PrintStream out, List<StepResult> results) {
        double bound = this.options.p99Bound.toNanos() / 1e6;
        out.println();
        out.println(" msg/s  deliveries/s   p50 ms   p99 ms  p99.9 ms    max ms      lost   dup  ooo %  gen cores  srv cores  srv µs/deliv  verdict");
        for (StepResult r : results) {
            SweepDecision.Verdict verdict = SweepDecision.judge(r.check(), bound);
            out.printf("%6.0f  %12.0f  %7s  %7s  %8s  %8s  %8d  %4d  %5.2f  %9.2f  %9s  %12s  %s%n", r.targetRate(),
                    r.deliveriesPerSecond(), LatencySummary.fmt(r.latency().p50()), LatencySummary.fmt(r.latency().p99()),
                    LatencySummary.fmt(r.latency().p999()), LatencySummary.fmt(r.latency().max()), r.lost(),
                    r.duplicated(), r.outOfOrderPercent(), r.generatorCpuCores(),
                    Double.isNaN(r.serverCpuCores()) ? "-" : String.format("%.2f", r.serverCpuCores()),
                    Double.isNaN(r.serverMicrosPerDelivery()) ? "-" : String.format("%.1f", r.serverMicrosPerDelivery()),
                    verdict.reason() + (r.generatorBound() ? " (generator-bound)" : ""));
        }
        if (this.bench.sweepOutcome() != null) {
            out.println("sweep result   " + this.bench.sweepOutcome().describe());
        }
    }

    private void printIdle(PrintStream out, Map<String, Object> idle) {
        out.printf("idle           %s connections held %s s, %s open at the end%n", idle.get("connections"),
                idle.get("heldSeconds"), idle.get("connectionsOpenAtEnd"));
        if (idle.containsKey("serverRssAfterBytes")) {
            out.printf("server RSS     %s before connecting, %s connected, %s at the end%n", mb((Long) idle.get("serverRssBeforeBytes")),
                    mb((Long) idle.get("serverRssAfterBytes")), mb((Long) idle.get("serverRssAtEndBytes")));
            Object heap = idle.get("serverHeapPerConnectionBytes");
            Object rss = idle.get("serverRssPerConnectionBytes");
            if (idle.containsKey("serverHeapUsedAfterBytes")) {
                out.printf("server heap    %s used before connecting, %s connected (each after jcmd GC.run)%n",
                        mb((Long) idle.get("serverHeapUsedBeforeBytes")), mb((Long) idle.get("serverHeapUsedAfterBytes")));
                out.printf("per connection %s heap after GC, %s RSS%n", kb(heap), kb(rss));
            }
            else {
                out.printf("server heap    not measured: heap after GC is a JVM's, by jcmd; for node RSS only%n");
                out.printf("per connection %s RSS (connected minus before connecting, no GC forced)%n", kb(rss));
            }
            out.printf("server CPU     %.3f cores while idle%n", (Double) idle.get("serverCpuCoresWhileIdle"));
        }
        out.printf("generator RSS  %s%n", mb((Long) idle.get("generatorRssBytes")));
    }

    @SuppressWarnings("unchecked")
    private void printStorm(PrintStream out, Map<String, Object> result) {
        List<Map<String, Object>> rounds = (List<Map<String, Object>>) result.get("rounds");
        if (result.containsKey("serverCpuMsPerConnect")) {
            out.printf(Locale.ROOT, "first connect  %.3f ms of server CPU per connection (set-up above)%n",
                    (Double) result.get("serverCpuMsPerConnect"));
        }
        for (Map<String, Object> round : rounds) {
            out.printf("storm round %s of %d%s%n", round.get("round"), rounds.size(),
                    (round == rounds.get(rounds.size() - 1)) ? " (the result)" : " (warming the server up)");
            printStormRound(out, round, result.get("backlogPerRoom"));
        }
    }

    @SuppressWarnings("unchecked")
    private void printStormRound(PrintStream out, Map<String, Object> storm, Object backlogPerRoom) {
        Map<String, Object> after = (Map<String, Object>) storm.get("backAfter");
        java.util.function.Function<String, String> ms = key -> LatencySummary.fmt((Double) after.get(key));
        out.printf(Locale.ROOT, "storm          %s dropped at once, %s back%s in %.2f s, %s failed%n", storm.get("dropped"),
                storm.get("back"), this.socketIo ? " (connect, join)" : " and caught up (CONNECT, subscribe, join, fetch)",
                (Double) storm.get("secondsToAllBack"), storm.get("failed"));
        out.printf(Locale.ROOT, "back after     p50 %s  p99 %s  max %s ms from the drop%n", ms.apply("p50Ms"), ms.apply("p99Ms"),
                ms.apply("maxMs"));
        if (!this.socketIo) {
            out.printf(Locale.ROOT, "catch-up       %s messages of backlog per room, %s fetched in all%n",
                    backlogPerRoom, storm.get("messagesFetched"));
        }
        if (storm.containsKey("serverCpuMsPerReconnect")) {
            out.printf(Locale.ROOT, "server CPU     %.3f ms per reconnect (%.1f s over the storm, %.2f cores)%n",
                    (Double) storm.get("serverCpuMsPerReconnect"), (Double) storm.get("serverCpuSeconds"),
                    (Double) storm.get("serverCpuCoresDuringStorm"));
        }
        out.printf(Locale.ROOT, "generator CPU  %.2f cores over the storm; machine %.2f cores busy%n",
                (Double) storm.get("generatorCpuCores"), (Double) storm.get("machineCpuCoresBusy"));
        ((Map<String, Integer>) storm.get("failures")).forEach((reason, count) ->
                out.printf("  failed %5d x %s%n", count, reason));
    }

    private void printSlowReaders(PrintStream out, Map<String, Object> slow) {
        out.printf("slow readers   %s stopped reading after set-up (not in the deliveries above): %s cut off, %s during "
                + "the run, %s only seen after reading again, %s NOT cut off%n", slow.get("slowReaders"), slow.get("cutOff"),
                slow.get("closedDuringRun"), slow.get("closedAfterResuming"), slow.get("notCutOff"));
        if (slow.get("firstCloseSeconds") != null) {
            out.printf("  closes seen  first %+.1f s, last %+.1f s from the start of the measured window (onClose/onError)%n",
                    (Double) slow.get("firstCloseSeconds"), (Double) slow.get("lastCloseSeconds"));
        }
        if (slow.get("lastCloseAfterResumingSeconds") != null) {
            out.printf("  after resume all seen closed within %.1f s of reading again (--resume-wait %s)%n",
                    (Double) slow.get("lastCloseAfterResumingSeconds"), Bench.seconds(this.options.resumeWait));
        }
        if (slow.get("serverClosedSocketsMax") != null) {
            Object first = slow.get("serverClosedSocketsFirstSeconds");
            Object max = slow.get("serverClosedSocketsMaxSeconds");
            out.printf("  sockets      at most %s server sockets closed by the server, not by the client (FIN_WAIT, "
                    + "/proc/net/tcp)%s%s%n", slow.get("serverClosedSocketsMax"),
                    (first == null) ? "" : String.format(", first at %+.1f s", (Double) first),
                    (max == null) ? "" : String.format(", the most at %+.1f s", (Double) max));
        }
        @SuppressWarnings("unchecked")
        Map<String, Integer> reasons = (Map<String, Integer>) slow.get("closeReasons");
        reasons.forEach((reason, count) -> out.printf("  %5d x %s%n", count, reason));
        out.printf("  deliveries   %s messages reached slow readers (%s of them after reading again)%n",
                slow.get("deliveriesToSlowReaders"), slow.get("deliveriesToSlowReadersAfterResuming"));
        if (slow.get("serverRssMaxBytes") != null && this.socketIo) {
            out.printf("server memory  RSS max %s (at %+.1f s, sampled each second), %s at the end; no heap figure (node: "
                    + "RSS only)%n", mb((Long) slow.get("serverRssMaxBytes")), (Double) slow.get("serverRssMaxSeconds"),
                    mb((Long) slow.get("serverRssAtEndBytes")));
        }
        else if (slow.get("serverRssMaxBytes") != null) {
            out.printf("server memory  RSS max %s (at %+.1f s, sampled each second), %s at the end; heap used %s after GC "
                    + "at the end (before reading again)%n", mb((Long) slow.get("serverRssMaxBytes")),
                    (Double) slow.get("serverRssMaxSeconds"), mb((Long) slow.get("serverRssAtEndBytes")),
                    mb((Long) slow.get("serverHeapUsedAtEndBytes")));
        }
    }

    private static String coresEach(List<Double> cores) {
        StringBuilder text = new StringBuilder();
        for (double each : cores) {
            text.append((text.length() == 0) ? "" : " + ").append(String.format("%.2f", each));
        }
        return text.toString();
    }

    private static String mb(long bytes) {
        return (bytes < 0) ? "-" : String.format("%.1f MB", bytes / 1048576.0);
    }

    private static String kb(Object bytes) {
        return (bytes instanceof Double d) ? String.format("%.1f KB", d / 1024) : "-";
    }

    void writeJson(String file) {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("tool", "parley-bench");
        json.put("runId", this.bench.runId());
        json.put("finishedAt", Instant.now().toString());
        json.put("workload", this.bench.describeWorkload());
        json.put("protocol", this.socketIo ? "socketio" : "stomp");
        json.put("outOfOrderBy", this.socketIo ? "sender" : "message id");
        json.put("serverMustRunWith", this.socketIo ? "bench/socketio/run-server.sh" : Bench.SERVER_FLAGS);
        json.put("options", this.options.given);
        Map<String, Object> instances = new LinkedHashMap<>();
        instances.put("urls", this.options.urls.stream().map(Object::toString).toList());
        instances.put("serverPids", this.options.serverPids);
        instances.put("usersPerInstance", toList(this.bench.usersPerInstance()));
        instances.put("spread", "each room's members round-robin over the urls (user i: room i mod rooms, "
                + "instance (i div rooms) mod instances)");
        json.put("instances", instances);
        Map<String, Object> machine = new LinkedHashMap<>();
        machine.put("cpus", Runtime.getRuntime().availableProcessors());
        machine.put("loadAverageAtStart", this.bench.loadAtStart());
        machine.put("java", System.getProperty("java.version"));
        json.put("machine", machine);
        Map<String, Object> setup = new LinkedHashMap<>();
        setup.put("connectionsRequested", this.options.connections);
        setup.put("connectionsMade", this.bench.readyCount());
        setup.put("connectionsFailed", this.bench.setupFailedCount());
        setup.put("failures", this.bench.setupFailures());
        setup.put("seconds", this.bench.setupSeconds());
        setup.put("connectTime", this.bench.connectTimes().toJson());
        setup.put("subscribersPerRoom", toList(this.bench.roomSubscribers()));
        setup.put("senders", this.bench.senderCount());
        json.put("setup", setup);
        if (this.bench.idleResult() != null) {
            json.put("idle", this.bench.idleResult());
        }
        if (this.bench.stormResult() != null) {
            json.put("storm", this.bench.stormResult());
        }
        if (this.bench.slowResult() != null) {
            json.put("slowReaders", this.bench.slowResult());
        }
        List<Object> steps = new ArrayList<>();
        for (StepResult result : this.bench.results()) {
            steps.add(result.toJson());
        }
        json.put("steps", steps);
        SweepDecision.Outcome outcome = this.bench.sweepOutcome();
        if (outcome != null) {
            json.put("sweep", outcome.toJson(this.options.p99Bound.toNanos() / 1e6));
        }
        json.put("eventsIgnored", this.bench.events());
        json.put("foreignMessages", this.bench.foreign());
        json.put("warmupDuplicates", this.bench.warmupDuplicates());
        json.put("connectionsDropped", this.bench.droppedCount());
        json.put("dropReasons", this.bench.dropReasons());
        json.put("stompErrors", this.bench.stompErrorMessages());
        json.put("errorReplies", this.bench.errorReplies());
        json.put("warnings", allWarnings());
        json.put("ok", this.bench.ok());
        try {
            Files.writeString(Path.of(file), JsonOut.write(json));
        }
        catch (IOException ex) {
            System.err.println("parley-bench: cannot write " + file + ": " + ex);
        }
    }

    private static List<Integer> toList(int[] values) {
        List<Integer> list = new ArrayList<>();
        for (int value : values) {
            list.add(value);
        }
        return list;
    }
}
