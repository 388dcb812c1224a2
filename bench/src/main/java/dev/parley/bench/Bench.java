package dev.parley.bench;

import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import java.util.function.LongToDoubleFunction;
import java.util.function.Supplier;

import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * One bench run: claims nicknames, connects, subscribes and joins every virtual user, then runs
 * one step (a fixed rate), a sweep of steps, or holds the connections idle. With
 * {@code --protocol socketio} the same against the Socket.IO reference server: no nickname claim,
 * Engine.IO/Socket.IO connect and join instead of STOMP's CONNECT, SUBSCRIBE and join, and the
 * same messages, schedule and accounting, so that both servers are measured alike.
 */
final class Bench {

    static final String SERVER_FLAGS = "--chat.rate-limit.burst=1000000 --chat.rate-limit.per-second=1000000"
            + " --chat.limits.claim-burst=1000000 --chat.limits.claims-per-hour=1000000";

    private static final String TOPIC_SUBSCRIPTION = "0";

    /** Heart-beats: the connections send theirs in this many groups per interval. */
    private static final int HEARTBEAT_SLICES = 100;

    private static final String ERRORS_SUBSCRIPTION = "1";

    /** The Socket.IO events of the reference server (bench/socketio/server.js). */
    private static final String JOIN_EVENT = "join";

    private static final String CHAT_MESSAGE_EVENT = "chat message";

    /** The ack id of a Socket.IO user's join (the only packet it asks to be acknowledged). */
    private static final long JOIN_ACK = 0;

    private final Options options;

    private final PrintStream out;

    private final PrintStream progress;

    private final String runId;

    /** Every user's nickname starts with it, followed by the user's index. */
    private final String nicknamePrefix;

    private final ExecutorService executor;

    private final HttpClient client;

    private final WebSocketClient webSockets;

    private final ScheduledExecutorService monitor;

    private final List<User> users = new ArrayList<>();

    private final List<User> senders = new ArrayList<>();

    private final int[] roomSubscribers;

    /** Per room: the bench's next message sequence number (the scheduler thread only). */
    private final int[] roomSeq;

    private final List<Step> steps = new CopyOnWriteArrayList<>();

    private final List<StepResult> results = new ArrayList<>();

    private final Histogram connectMicros = LatencySummary.newMicrosHistogram();

    private final AtomicInteger claimed = new AtomicInteger();

    private final AtomicInteger ready = new AtomicInteger();

    private final AtomicInteger setupFailed = new AtomicInteger();

    private final Map<String, AtomicInteger> setupFailures = new ConcurrentHashMap<>();

    private final AtomicInteger dropped = new AtomicInteger();

    private final Map<String, AtomicInteger> dropReasons = new ConcurrentHashMap<>();

    private final AtomicInteger stompErrors = new AtomicInteger();

    private final Map<String, AtomicInteger> stompErrorMessages = new ConcurrentHashMap<>();

    private final Map<String, LongAdder> errorReplies = new ConcurrentHashMap<>();

    private final LongAdder errorReplyCount = new LongAdder();

    private final LongAdder deliveries = new LongAdder();

    private final LongAdder events = new LongAdder();

    private final LongAdder foreign = new LongAdder();

    private final LongAdder warmupDuplicates = new LongAdder();

    private final LongAdder sentTotal = new LongAdder();

    private final Recorder liveLatency = new Recorder(3_600_000_000L, 3);

    private final List<String> warnings = new CopyOnWriteArrayList<>();

    private volatile Supplier<String> phase = () -> "starting";

    private final long startNanos = System.nanoTime();

    private double setupSeconds;

    private SweepDecision.Outcome sweepOutcome;

    private Map<String, Object> idleResult;

    private Map<String, Object> slowResult;

    private Map<String, Object> stormResult;

    /** When the (single) step's measured window starts; cut-off times are relative to it. */
    private volatile long measureStartNanos;

    /** Set just before the slow readers read again: closes seen after it were only noticed then. */
    private volatile long resumedNanos;

    private final LongAdder slowDeliveries = new LongAdder();

    private final LongAdder slowDeliveriesAfterResume = new LongAdder();

    private final ServerSampler serverSampler;

    private final double loadAtStart = Probes.loadAverage();

    Bench(Options options, PrintStream out, PrintStream progress) {
        this.options = options;
        this.out = out;
        this.progress = progress;
        this.runId = randomId();
        this.nicknamePrefix = "b" + this.runId + "u";
        AtomicInteger threads = new AtomicInteger();
        // sized for two cores: these threads run every listener callback and HTTP completion
        this.executor = Executors.newFixedThreadPool(options.ioThreads, runnable -> {
            Thread thread = new Thread(runnable, "bench-io-" + threads.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        });
        this.client = HttpClient.newBuilder()
                .executor(this.executor)
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(options.timeout)
                .build();
        this.webSockets = WebSocketClient.of(options, this.client);
        this.monitor = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "bench-monitor");
            thread.setDaemon(true);
            return thread;
        });
        this.roomSubscribers = new int[options.rooms];
        this.roomSeq = new int[options.rooms];
        this.serverSampler = new ServerSampler();
    }

    /** CONNECT's heart-beat header: the same interval both ways, or none. */
    String heartbeatHeader() {
        long millis = this.options.heartbeat.toMillis();
        return millis + "," + millis;
    }

    /**
     * Each connection sends its heart-beat (an end-of-line) once per interval, a hundredth of
     * them each hundredth of the interval: clients send at their own moments, and a generator
     * that sent a tenth at once made bursts that the server's latency showed.
     */
    private void startHeartbeats() {
        int slices = HEARTBEAT_SLICES;
        long tick = Math.max(1, this.options.heartbeat.toMillis() / slices);
        AtomicInteger ticks = new AtomicInteger();
        this.monitor.scheduleAtFixedRate(() -> {
            int slice = ticks.getAndIncrement() % slices;
            for (int i = slice; i < this.users.size(); i += slices) {
                User user = this.users.get(i);
                ChatConnection connection = user.connection;
                if (user.ready && connection != null && connection.isOpen()) {
                    connection.send("\n");
                }
            }
        }, tick, tick, TimeUnit.MILLISECONDS);
    }

    /** Runs what the options ask for; the exit code. */
    int run() throws InterruptedException {
        printHeader();
        ProgressTicker ticker = new ProgressTicker();
        if (!this.options.quiet) {
            this.monitor.scheduleAtFixedRate(ticker, 1, 1, TimeUnit.SECONDS);
        }
        if (this.options.serverPid != null) {
            this.monitor.scheduleAtFixedRate(this.serverSampler, 0, 1, TimeUnit.SECONDS);
        }
        if (!this.options.heartbeat.isZero() && !this.options.socketIo()) {
            startHeartbeats();
        }
        try {
            claimAll();
            if (this.options.idle) {
                runIdle();
            }
            else if (this.options.storm) {
                runStorm();
            }
            else {
                connectAll();
                if (this.ready.get() == 0 || this.senders.isEmpty()) {
                    this.warnings.add("no sender is connected: nothing to measure");
                }
                else if (awaitStartAt()) {
                    if (this.options.sweep) {
                        runSweep();
                    }
                    else {
                        this.results.add(runStep(0, this.options.rate));
                        if (this.options.slowReaders > 0) {
                            finishSlowReaders();
                        }
                    }
                }
            }
        }
        finally {
            this.phase = () -> "closing";
            this.monitor.shutdownNow();
            closeAll();
        }
        Report report = new Report(this);
        report.print(this.out);
        if (this.options.json != null) {
            report.writeJson(this.options.json);
        }
        return (this.options.check && !ok()) ? 1 : 0;
    }

    boolean ok() {
        if (this.setupFailed.get() > 0 || this.dropped.get() > 0 || this.stompErrors.get() > 0
                || this.ready.get() < this.options.connections) {
            return false;
        }
        for (StepResult result : this.results) {
            if (!result.clean()) {
                return false;
            }
        }
        if (this.options.storm) {
            return this.stormResult != null && Integer.valueOf(0).equals(this.stormResult.get("failed"));
        }
        return this.options.idle || !this.results.isEmpty();
    }

    // ------------------------------------------------------------------ set-up

    private void claimAll() throws InterruptedException {
        for (int i = 0; i < this.options.connections; i++) {
            int room = i % this.options.rooms;
            boolean sender = i < this.options.senders && !this.options.noSenders();
            boolean slow = i >= this.options.connections - this.options.slowReaders;
            this.users.add(new User(i, this.nicknamePrefix + i, room, sender, slow));
        }
        if (this.options.socketIo()) {
            // the reference has no nicknames to claim: a Socket.IO user is anyone who connects
            this.claimed.set(this.users.size());
            return;
        }
        this.phase = () -> String.format("claiming nicknames %d/%d  failed %d", this.claimed.get(),
                this.users.size(), this.setupFailed.get());
        long start = System.nanoTime();
        Semaphore inFlight = new Semaphore(this.options.connectConcurrency);
        for (User user : this.users) {
            inFlight.acquire();
            if (tooManyFailures()) {
                inFlight.release();
                break;
            }
            // the permit goes back last: connectAll() reads the token once every permit is back
            claim(user).whenComplete((token, ex) -> {
                try {
                    if (ex != null) {
                        setupFailed(user, "claim", ex);
                    }
                    else {
                        user.token = token;
                        this.claimed.incrementAndGet();
                    }
                }
                finally {
                    inFlight.release();
                }
            });
        }
        inFlight.acquire(this.options.connectConcurrency);
        inFlight.release(this.options.connectConcurrency);
        this.setupSeconds += (System.nanoTime() - start) / 1e9;
    }

    private CompletableFuture<String> claim(User user) {
        // a user claims through the instance it connects to, as a browser behind a sticky balancer
        HttpRequest request = HttpRequest.newBuilder(URI.create(user.http + "/api/nicknames"))
                .timeout(this.options.timeout)
                .header("content-type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"nickname\":" + Json.quote(user.nickname) + "}"))
                .build();
        return this.client.sendAsync(request, HttpResponse.BodyHandlers.ofString()).thenApply(response -> {
            if (response.statusCode() == 429) {
                throw new IllegalStateException("POST /api/nicknames answered 429 (too many claims from this address):"
                        + " start the server with " + SERVER_FLAGS);
            }
            if (response.statusCode() != 201) {
                throw new IllegalStateException("POST /api/nicknames answered " + response.statusCode());
            }
            String token = Json.fields(response.body()).get("token");
            if (token == null || token.isEmpty()) {
                throw new IllegalStateException("POST /api/nicknames answered no token");
            }
            return token;
        });
    }

    private void connectAll() throws InterruptedException {
        this.phase = () -> String.format("connecting %d/%d  failed %d", this.ready.get(), this.claimed.get(),
                this.setupFailed.get());
        long start = System.nanoTime();
        Semaphore inFlight = new Semaphore(this.options.connectConcurrency);
        for (User user : this.users) {
            if (user.token == null && !this.options.socketIo()) {
                continue;
            }
            inFlight.acquire();
            if (tooManyFailures()) {
                inFlight.release();
                break;
            }
            user.setUp().whenComplete((ignored, ex) -> {
                try {
                    if (ex != null) {
                        setupFailed(user, "connect", ex);
                        if (user.connection != null) {
                            user.connection.abort();
                        }
                    }
                }
                finally {
                    inFlight.release();
                }
            });
        }
        inFlight.acquire(this.options.connectConcurrency);
        inFlight.release(this.options.connectConcurrency);
        this.setupSeconds += (System.nanoTime() - start) / 1e9;
        for (User user : this.users) {
            // a slow reader's deliveries are not expected: it does not read them
            if (user.ready && !user.slow) {
                this.roomSubscribers[user.room]++;
                if (user.sender) {
                    this.senders.add(user);
                }
            }
        }
        if (!this.options.noSenders() && this.senders.size() < this.options.senders) {
            this.warnings.add(String.format("only %d of %d senders connected", this.senders.size(), this.options.senders));
        }
    }

    private boolean tooManyFailures() {
        if (this.setupFailed.get() < this.options.maxFailures) {
            return false;
        }
        String warning = String.format("set-up stopped after %d failures (--max-failures %d): the rest of the %d "
                + "connections was not tried", this.setupFailed.get(), this.options.maxFailures, this.users.size());
        if (this.warnings.stream().noneMatch(w -> w.startsWith("set-up stopped"))) {
            this.warnings.add(warning);
        }
        return true;
    }

    private void setupFailed(User user, String stage, Throwable ex) {
        this.setupFailed.incrementAndGet();
        Throwable cause = ex;
        while ((cause instanceof java.util.concurrent.CompletionException
                || cause instanceof java.util.concurrent.ExecutionException) && cause.getCause() != null) {
            cause = cause.getCause();
        }
        String reason = stage + ": " + ((cause instanceof java.util.concurrent.TimeoutException)
                ? "timed out after " + this.options.timeout.toSeconds() + " s"
                : cause.getClass().getSimpleName() + (cause.getMessage() != null ? " " + cause.getMessage() : ""));
        if (cause instanceof java.net.http.WebSocketHandshakeException handshake) {
            // the JDK gives no message; the response and the failed check's are what tell
            reason += " (HTTP " + handshake.getResponse().statusCode()
                    + (handshake.getCause() != null ? ": " + handshake.getCause().getMessage() : "") + ")";
        }
        this.setupFailures.computeIfAbsent(shorten(reason), key -> new AtomicInteger()).incrementAndGet();
    }

    // ------------------------------------------------------------------ steps

    /**
     * Waits for {@code --start-at}, if given; false (and a warning) when set-up ended after it, so
     * that a generator that would step out of time with the others measures nothing.
     */
    private boolean awaitStartAt() throws InterruptedException {
        if (this.options.startAtMillis == null) {
            return true;
        }
        long wait = this.options.startAtMillis - System.currentTimeMillis();
        if (wait < 0) {
            this.warnings.add(String.format(Locale.ROOT, "set-up ended %.1f s after --start-at: no step run, "
                    + "as it would not have been in step with the other generators", -wait / 1000.0));
            return false;
        }
        this.phase = () -> String.format(Locale.ROOT, "waiting for --start-at, %.0f s",
                (this.options.startAtMillis - System.currentTimeMillis()) / 1000.0);
        Thread.sleep(wait);
        return true;
    }

    private void runSweep() throws InterruptedException {
        double rate = this.options.sweepStart();
        double bound = this.options.p99Bound.toNanos() / 1e6;
        List<SweepDecision.Check> checks = new ArrayList<>();
        int index = 0;
        while (true) {
            StepResult result = runStep(index++, rate);
            this.results.add(result);
            checks.add(result.check());
            SweepDecision.Verdict verdict = SweepDecision.judge(result.check(), bound);
            this.progress.printf(Locale.ROOT, "sweep step %d: %.0f msg/s -> %.0f deliveries/s, p99 %s ms, lost %d, dup %d: %s%n",
                    result.step(), rate, result.deliveriesPerSecond(), LatencySummary.fmt(result.latency().p99()),
                    result.lost(), result.duplicated(), verdict.reason() + (result.generatorBound() ? " (generator-bound)" : ""));
            double next = rate + this.options.sweepStep();
            boolean more = this.options.sweepAll ? next <= this.options.sweepMax
                    : SweepDecision.shouldContinue(checks, bound, next, this.options.sweepMax);
            if (!more) {
                break;
            }
            rate = next;
        }
        this.sweepOutcome = SweepDecision.decide(checks, bound);
    }

    /**
     * One step: warm-up, then the measured window, both at the given rate, open loop; then the
     * drain period, after which the step's counts are final.
     */
    private StepResult runStep(int index, double rate) throws InterruptedException {
        Step step = new Step(index, rate);
        this.steps.add(step);
        int senderCount = this.senders.size();
        long warmupNanos = this.options.warmup.toNanos();
        long durationNanos = this.options.duration.toNanos();
        double interval = 1e9 / rate;
        long droppedBefore = this.dropped.get();
        long errorsBefore = this.errorReplyCount.sum();

        long t0 = System.nanoTime();
        long measureStart = t0 + warmupNanos;
        long end = measureStart + durationNanos;
        this.measureStartNanos = measureStart;
        StepClock clock = new StepClock(t0, measureStart, end, this.options.drain.toNanos());
        this.phase = () -> clock.describe(index, rate, this.options.sweep);

        Sample startSample = (warmupNanos == 0) ? sample() : null;
        long k = 0;
        while (true) {
            long due = t0 + (long) (k * interval);
            if (due >= end) {
                break;
            }
            long now = System.nanoTime();
            if (now < due) {
                LockSupport.parkNanos(due - now);
                continue;
            }
            boolean measured = due >= measureStart;
            if (measured && startSample == null) {
                startSample = sample();
                now = System.nanoTime();
            }
            User sender = this.senders.get((int) (k % senderCount));
            int seq = this.roomSeq[sender.room]++;
            String text = new Payload(index, measured, seq, now).format(this.options.payload);
            String clientId = this.runId + "-" + index + "-" + k;
            String frame = sender.message(text, clientId);
            boolean queued = sender.connection.send(frame);
            this.sentTotal.increment();
            if (measured) {
                step.sent(this.roomSubscribers[sender.room], now - due);
                if (!queued) {
                    step.sendFailed();
                }
            }
            k++;
        }
        long now = System.nanoTime();
        if (now < end) {
            TimeUnit.NANOSECONDS.sleep(end - now);
        }
        if (startSample == null) {
            startSample = sample();
        }
        Sample endSample = sample();
        TimeUnit.NANOSECONDS.sleep(this.options.drain.toNanos());
        step.close();

        double seconds = (endSample.nanos - startSample.nanos) / 1e9;
        LatencySummary latency = LatencySummary.ofMicros(step.latencyMicros());
        LatencySummary lag = LatencySummary.ofMicros(step.lagMicros());
        double genCores = (endSample.ownCpu - startSample.ownCpu) / 1e9 / seconds;
        double[] instanceCores = Probes.coresBetween(startSample.serverCpu, endSample.serverCpu, seconds);
        // summed over a cluster's instances: the CPU per delivery of the whole service
        double serverCores = Probes.sumCores(instanceCores);
        List<Double> perInstance = new ArrayList<>();
        for (double cores : instanceCores) {
            perInstance.add(cores);
        }
        double machineCores = (startSample.machine[0] < 0) ? Double.NaN
                : Probes.jiffiesToSeconds(endSample.machine[0] - startSample.machine[0]) / seconds;
        long rss = this.options.serverPids.isEmpty() ? -1 : Probes.processRssBytes(this.options.serverPids);
        double lagAtEnd = step.lastLagNanos() / 1e6;
        List<String> stepWarnings = new ArrayList<>(GeneratorHealth.assess(genCores, lag.p50(), lag.p99(), lagAtEnd));
        int cpus = Runtime.getRuntime().availableProcessors();
        if (machineCores >= 0.9 * cpus) {
            stepWarnings.add(String.format("the machine was CPU-saturated (%.2f of %d cores busy): generator and "
                    + "server compete for the CPU", machineCores, cpus));
        }
        return new StepResult(index, rate, seconds, step.sentCount(), step.sendErrorCount(), step.expectedCount(),
                step.receivedCount(), step.lostCount(), step.duplicateCount(), step.outOfOrderCount(),
                step.outOfOrderBySenderCount(), step.lateCount(), latency, lag, lagAtEnd, genCores, serverCores, rss,
                machineCores, openConnections(), (int) (this.dropped.get() - droppedBefore),
                this.errorReplyCount.sum() - errorsBefore, stepWarnings, perInstance,
                LatencySummary.ofMicros(step.sameInstanceMicros()), LatencySummary.ofMicros(step.crossInstanceMicros()));
    }

    /** @param serverCpu per server process (--server-pid), nanoseconds, -1 where unreadable */
    private record Sample(long nanos, long ownCpu, long[] serverCpu, long[] machine) {
    }

    private Sample sample() {
        long[] serverCpu = Probes.processCpuNanos(this.options.serverPids);
        return new Sample(System.nanoTime(), Probes.ownCpuNanos(), serverCpu, Probes.machineJiffies());
    }

    /** Where a step is, for the progress line. */
    private record StepClock(long t0, long measureStart, long end, long drain) {

        String describe(int index, double rate, boolean sweep) {
            long now = System.nanoTime();
            String prefix = sweep ? String.format(Locale.ROOT, "step %d %.0f/s ", index, rate) : "";
            if (now < this.measureStart) {
                return prefix + String.format("warm-up %2ds/%ds", (now - this.t0) / 1_000_000_000L,
                        (this.measureStart - this.t0) / 1_000_000_000L);
            }
            if (now < this.end) {
                return prefix + String.format("measure %2ds/%ds", (now - this.measureStart) / 1_000_000_000L,
                        (this.end - this.measureStart) / 1_000_000_000L);
            }
            return prefix + "drain";
        }
    }

    // ------------------------------------------------------------------ idle

    private void runIdle() throws InterruptedException {
        // a cluster's processes are summed: heap, RSS and CPU of the whole service
        List<Long> pid = this.options.serverPids.isEmpty() ? null : this.options.serverPids;
        // jcmd is for a JVM (and its attach signals any other process with SIGQUIT, which ends node)
        boolean jvm = !this.options.socketIo();
        Map<String, Object> idle = new LinkedHashMap<>();
        long heapBefore = -1;
        long rssBefore = -1;
        if (pid != null) {
            if (jvm) {
                this.phase = () -> "GC on the server (before connecting)";
                Probes.gc(pid);
                heapBefore = Probes.heapUsedBytes(pid);
            }
            rssBefore = Probes.processRssBytes(pid);
        }
        connectAll();
        this.phase = () -> String.format("idle, settling %d open", openConnections());
        TimeUnit.NANOSECONDS.sleep(this.options.settle.toNanos());
        long heapAfter = -1;
        long rssAfter = -1;
        if (pid != null) {
            if (jvm) {
                this.phase = () -> "GC on the server (connected)";
                Probes.gc(pid);
                heapAfter = Probes.heapUsedBytes(pid);
            }
            rssAfter = Probes.processRssBytes(pid);
        }
        long holdStart = System.nanoTime();
        long holdEnd = holdStart + this.options.duration.toNanos();
        this.phase = () -> String.format("idle %ds/%ds", (System.nanoTime() - holdStart) / 1_000_000_000L,
                this.options.duration.toSeconds());
        long cpuBefore = (pid != null) ? Probes.sum(Probes.processCpuNanos(pid)) : -1;
        long now;
        while ((now = System.nanoTime()) < holdEnd) {
            TimeUnit.NANOSECONDS.sleep(Math.min(holdEnd - now, 200_000_000L));
        }
        int connected = this.ready.get();
        idle.put("connections", connected);
        idle.put("connectionsOpenAtEnd", openConnections());
        idle.put("heldSeconds", this.options.duration.toMillis() / 1000.0);
        if (pid != null) {
            long cpuAfter = Probes.sum(Probes.processCpuNanos(pid));
            if (jvm) {
                idle.put("serverHeapUsedBeforeBytes", heapBefore);
                idle.put("serverHeapUsedAfterBytes", heapAfter);
            }
            idle.put("serverRssBeforeBytes", rssBefore);
            idle.put("serverRssAfterBytes", rssAfter);
            idle.put("serverRssAtEndBytes", Probes.processRssBytes(pid));
            idle.put("serverCpuCoresWhileIdle", (cpuAfter - cpuBefore) / 1e9 / (this.options.duration.toNanos() / 1e9));
            if (connected > 0 && heapBefore >= 0 && heapAfter >= 0) {
                idle.put("serverHeapPerConnectionBytes", (heapAfter - heapBefore) / (double) connected);
            }
            if (connected > 0 && rssBefore >= 0 && rssAfter >= 0) {
                idle.put("serverRssPerConnectionBytes", (rssAfter - rssBefore) / (double) connected);
            }
            if (jvm && (heapBefore < 0 || heapAfter < 0)) {
                this.warnings.add("could not read the server's heap with jcmd (same user and JDK needed)");
            }
        }
        idle.put("generatorRssBytes", Probes.processRssBytes(ProcessHandle.current().pid()));
        this.idleResult = idle;
    }


    // ------------------------------------------------------------------ reconnect storm

    /**
     * Connects everyone (as {@link #runIdle()}), stores the backlog, then drops every connection
     * at once and reconnects each user with its token: CONNECT, subscribe, join and the catch-up
     * fetch, in that order (contract section 8: the subscription is in place before the fetch).
     * A client counts as back when its fetch has every message of the backlog. The server's CPU
     * is read from the drop until the last client is back, so it includes handling the 10,000
     * closes; the connect phase's CPU per connection is given too, as the first connect's cost.
     */
    private void runStorm() throws InterruptedException {
        List<Long> pid = this.options.serverPids.isEmpty() ? null : this.options.serverPids;
        Map<String, Object> storm = new LinkedHashMap<>();
        long cpuBeforeConnect = (pid != null) ? Probes.sum(Probes.processCpuNanos(pid)) : -1;
        connectAll();
        long cpuAfterConnect = (pid != null) ? Probes.sum(Probes.processCpuNanos(pid)) : -1;
        int connected = this.ready.get();
        storm.put("connections", connected);
        if (pid != null && connected > 0) {
            storm.put("serverCpuMsPerConnect", (cpuAfterConnect - cpuBeforeConnect) / 1e6 / connected);
        }
        int backlog = this.options.socketIo() ? 0 : this.options.stormBacklog;
        storm.put("backlogPerRoom", backlog);
        if (backlog > 0) {
            storeBacklog(backlog);
        }
        List<Map<String, Object>> measured = new ArrayList<>();
        for (int round = 1; round <= this.options.stormRounds; round++) {
            this.phase = () -> String.format("settling %d open before the drop", openConnections());
            TimeUnit.NANOSECONDS.sleep(this.options.settle.toNanos());
            measured.add(stormRound(pid, backlog, round, this.options.stormRounds));
        }
        // the last round is the figure: the earlier ones warm the server up (its JIT compiles the
        // reconnect's paths while the first storm runs)
        storm.putAll(measured.get(measured.size() - 1));
        storm.put("rounds", measured);
        this.stormResult = storm;
        this.phase = () -> "reconnected";
    }

    /** One drop of every connection and everyone's return; this round's figures. */
    private Map<String, Object> stormRound(List<Long> pid, int backlog, int round, int rounds) throws InterruptedException {
        Map<String, Object> storm = new LinkedHashMap<>();
        storm.put("round", round);
        List<User> before = this.users.stream().filter(user -> user.ready).toList();
        long cpuAtDrop = (pid != null) ? Probes.sum(Probes.processCpuNanos(pid)) : -1;
        long ownCpuAtDrop = Probes.ownCpuNanos();
        long[] machineAtDrop = Probes.machineJiffies();
        long drop = System.nanoTime();
        for (User user : before) {
            user.closing = true;
            user.connection.abort();
        }
        this.ready.set(0);
        Histogram backMicros = LatencySummary.newMicrosHistogram();
        AtomicInteger back = new AtomicInteger();
        AtomicInteger notCaughtUp = new AtomicInteger();
        LongAdder fetched = new LongAdder();
        Map<String, AtomicInteger> failures = new ConcurrentHashMap<>();
        this.phase = () -> String.format("storm %d/%d: reconnecting %d/%d  failed %d", round, rounds, back.get(), before.size(),
                failures.values().stream().mapToInt(AtomicInteger::get).sum());
        Semaphore inFlight = new Semaphore(this.options.connectConcurrency);
        for (User old : before) {
            inFlight.acquire();
            User user = old.again();
            this.users.set(old.index, user);
            user.setUp()
                    .thenCompose(ignored -> this.options.socketIo() ? CompletableFuture.completedFuture(0) : catchUp(user))
                    .whenComplete((messages, ex) -> {
                        try {
                            if (ex != null) {
                                setupFailed(user, "reconnect", ex);
                                failures.computeIfAbsent(shorten(String.valueOf(ex.getCause() != null ? ex.getCause() : ex)),
                                        key -> new AtomicInteger()).incrementAndGet();
                                if (user.connection != null) {
                                    user.connection.abort();
                                }
                                return;
                            }
                            fetched.add(messages);
                            if (messages < backlog) {
                                notCaughtUp.incrementAndGet();
                                failures.computeIfAbsent("caught up on " + messages + " of " + backlog + " messages",
                                        key -> new AtomicInteger()).incrementAndGet();
                                return;
                            }
                            long micros = (System.nanoTime() - drop) / 1000;
                            synchronized (backMicros) {
                                backMicros.recordValue(micros);
                            }
                            back.incrementAndGet();
                        }
                        finally {
                            inFlight.release();
                        }
                    });
        }
        inFlight.acquire(this.options.connectConcurrency);
        inFlight.release(this.options.connectConcurrency);
        long end = System.nanoTime();
        long cpuAtEnd = (pid != null) ? Probes.sum(Probes.processCpuNanos(pid)) : -1;
        double seconds = (end - drop) / 1e9;
        // two cores shared with the server: a generator near a core is part of the answer
        storm.put("generatorCpuCores", (Probes.ownCpuNanos() - ownCpuAtDrop) / 1e9 / seconds);
        long[] machineAtEnd = Probes.machineJiffies();
        storm.put("machineCpuCoresBusy", Probes.jiffiesToSeconds(machineAtEnd[0] - machineAtDrop[0]) / seconds);
        int failed = before.size() - back.get();
        storm.put("dropped", before.size());
        storm.put("back", back.get());
        storm.put("failed", failed);
        storm.put("notCaughtUp", notCaughtUp.get());
        storm.put("failures", counts(failures));
        storm.put("secondsToAllBack", seconds);
        storm.put("backAfter", LatencySummary.ofMicros(backMicros).toJson());
        storm.put("messagesFetched", fetched.sum());
        if (pid != null && back.get() > 0) {
            double cpuSeconds = (cpuAtEnd - cpuAtDrop) / 1e9;
            storm.put("serverCpuSeconds", cpuSeconds);
            storm.put("serverCpuMsPerReconnect", cpuSeconds * 1000 / back.get());
            storm.put("serverCpuCoresDuringStorm", cpuSeconds / seconds);
        }
        storm.put("openAtEnd", openConnections());
        return storm;
    }

    /**
     * The first member of each room sends {@code count} messages, each acknowledged by its
     * RECEIPT, so that every message is stored before the drop.
     */
    private void storeBacklog(int count) throws InterruptedException {
        AtomicInteger stored = new AtomicInteger();
        this.phase = () -> String.format("storing the backlog %d/%d", stored.get(), count * this.options.rooms);
        List<CompletableFuture<Void>> rooms = new ArrayList<>();
        boolean[] seen = new boolean[this.options.rooms];
        for (User user : this.users) {
            if (!user.ready || seen[user.room]) {
                continue;
            }
            seen[user.room] = true;
            CompletableFuture<Void> chain = CompletableFuture.completedFuture(null);
            for (int i = 0; i < count; i++) {
                int n = i;
                chain = chain.thenCompose(ignored -> user.request(StompFrame.builder("SEND")
                        .header("destination", "/app/room." + user.roomName + ".send")
                        .header("content-type", "application/json")
                        .body("{\"text\":\"backlog " + n + "\",\"clientId\":\"" + user.nickname + "-" + n + "\"}"),
                        "backlog-" + n))
                        .thenRun(stored::incrementAndGet);
            }
            rooms.add(chain);
        }
        try {
            CompletableFuture.allOf(rooms.toArray(CompletableFuture[]::new))
                    .get(this.options.timeout.toMillis(), TimeUnit.MILLISECONDS);
        }
        catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException ex) {
            this.warnings.add("the backlog was not stored: " + ex);
        }
    }

    /**
     * The catch-up fetch of a reconnected client that saw none of the backlog: pages of
     * {@code ?after=} from 0 until one is shorter than the limit; completes with the number of
     * messages fetched.
     */
    private CompletableFuture<Integer> catchUp(User user) {
        return fetchAfter(user, 0, 0);
    }

    private CompletableFuture<Integer> fetchAfter(User user, long after, int sofar) {
        int limit = 200;
        HttpRequest request = HttpRequest.newBuilder(URI.create(user.http + "/api/rooms/" + user.roomName
                        + "/messages?after=" + after + "&limit=" + limit))
                .timeout(this.options.timeout)
                .GET()
                .build();
        return this.client.sendAsync(request, HttpResponse.BodyHandlers.ofString()).thenCompose(response -> {
            if (response.statusCode() != 200) {
                throw new IllegalStateException("GET messages answered " + response.statusCode());
            }
            List<String> page = Json.elements(response.body());
            if (page.size() < limit) {
                return CompletableFuture.completedFuture(sofar + page.size());
            }
            long last = Long.parseLong(Json.fields(page.get(page.size() - 1)).get("id"));
            return fetchAfter(user, last, sofar + page.size());
        });
    }

    // ------------------------------------------------------------------ slow readers

    /**
     * After the step: the server's heap (after a GC) while the slow readers still do not read,
     * then the slow readers read again, so that a close the server sent (or a connection it
     * dropped) is noticed; those seen closed within --resume-wait count as cut off too.
     */
    private void finishSlowReaders() throws InterruptedException {
        List<Long> pid = this.options.serverPids.isEmpty() ? null : this.options.serverPids;
        Map<String, Object> slow = new LinkedHashMap<>();
        List<User> slowUsers = this.users.stream().filter(user -> user.slow && user.ready).toList();
        long heapAtEnd = -1;
        if (pid != null && !this.options.socketIo()) {
            this.phase = () -> "GC on the server (slow readers not reading)";
            this.serverSampler.run();
            Probes.gc(pid);
            heapAtEnd = Probes.heapUsedBytes(pid);
            if (heapAtEnd < 0) {
                this.warnings.add("could not read the server's heap with jcmd (same user and JDK needed)");
            }
        }
        long rssAtEnd = (pid != null) ? Probes.processRssBytes(pid) : -1;

        this.resumedNanos = System.nanoTime();
        this.phase = () -> String.format("slow readers reading again, %d of %d open", openSlowReaders(), slowUsers.size());
        for (User user : slowUsers) {
            user.connection.resumeReading();
        }
        long waitEnd = this.resumedNanos + this.options.resumeWait.toNanos();
        long now;
        while ((now = System.nanoTime()) < waitEnd && openSlowReaders() > 0) {
            TimeUnit.NANOSECONDS.sleep(Math.min(waitEnd - now, 100_000_000L));
        }

        List<Long> duringRun = new ArrayList<>();
        List<Long> afterResume = new ArrayList<>();
        Map<String, AtomicInteger> reasons = new ConcurrentHashMap<>();
        for (User user : slowUsers) {
            long closedAt = user.closedAtNanos;
            if (closedAt == 0) {
                continue;
            }
            boolean resumed = closedAt >= this.resumedNanos;
            (resumed ? afterResume : duringRun).add(closedAt);
            String key = (resumed ? "after resuming: " : "during the run: ") + user.closeReason;
            reasons.computeIfAbsent(shorten(key), k -> new AtomicInteger()).incrementAndGet();
        }
        duringRun.sort(null);
        afterResume.sort(null);
        int notCutOff = slowUsers.size() - duringRun.size() - afterResume.size();
        slow.put("slowReaders", slowUsers.size());
        slow.put("cutOff", duringRun.size() + afterResume.size());
        slow.put("closedDuringRun", duringRun.size());
        slow.put("closedAfterResuming", afterResume.size());
        slow.put("notCutOff", notCutOff);
        slow.put("firstCloseSeconds", duringRun.isEmpty() ? null : sinceMeasureStart(duringRun.get(0)));
        slow.put("lastCloseSeconds", duringRun.isEmpty() ? null : sinceMeasureStart(duringRun.get(duringRun.size() - 1)));
        slow.put("lastCloseAfterResumingSeconds",
                afterResume.isEmpty() ? null : (afterResume.get(afterResume.size() - 1) - this.resumedNanos) / 1e9);
        slow.put("closeReasons", counts(reasons));
        slow.put("deliveriesToSlowReaders", this.slowDeliveries.sum());
        slow.put("deliveriesToSlowReadersAfterResuming", this.slowDeliveriesAfterResume.sum());
        this.serverSampler.describe(slow, this::sinceMeasureStart);
        slow.put("serverRssAtEndBytes", rssAtEnd);
        slow.put("serverHeapUsedAtEndBytes", heapAtEnd);
        this.slowResult = slow;
        if (notCutOff > 0) {
            this.warnings.add(String.format("%d of %d slow readers were not cut off (not during the run, nor within %s "
                    + "of reading again): the server may still hold their backlog", notCutOff, slowUsers.size(),
                    seconds(this.options.resumeWait)));
        }
    }

    private double sinceMeasureStart(long nanos) {
        return (nanos - this.measureStartNanos) / 1e9;
    }

    /**
     * Samples the server each second: its RSS, and how many of its sockets it has closed and the
     * clients have not (server on this machine only). The latter is how a slow reader's cut-off
     * shows while it does not read: the server's FIN waits behind the data the client does not
     * take, and the client's WebSocket sees nothing.
     */
    private final class ServerSampler implements Runnable {

        private final List<Integer> ports = Bench.this.options.urls.stream().map(Bench::serverPort).distinct().toList();

        private final List<long[]> rss = new ArrayList<>();

        private long maxRss = -1;

        private long maxRssNanos;

        private int maxClosing = -1;

        private long firstClosingNanos;

        private long maxClosingNanos;

        @Override
        public synchronized void run() {
            long now = System.nanoTime();
            long bytes = Probes.processRssBytes(Bench.this.options.serverPids);
            if (bytes >= 0) {
                this.rss.add(new long[] { now, bytes });
                if (bytes > this.maxRss) {
                    this.maxRss = bytes;
                    this.maxRssNanos = now;
                }
            }
            if (Bench.this.options.slowReaders > 0 && Bench.this.resumedNanos == 0) {
                int closing = 0;
                for (int port : this.ports) {
                    closing += Probes.closedByLocalSide(port);
                }
                if (closing > 0 && this.firstClosingNanos == 0) {
                    this.firstClosingNanos = now;
                }
                if (closing > this.maxClosing) {
                    this.maxClosing = closing;
                    this.maxClosingNanos = now;
                }
            }
        }

        synchronized void describe(Map<String, Object> into, LongToDoubleFunction since) {
            into.put("serverRssMaxBytes", (this.maxRss < 0) ? null : this.maxRss);
            into.put("serverRssMaxSeconds", (this.maxRss < 0) ? null : since.applyAsDouble(this.maxRssNanos));
            List<Object> series = new ArrayList<>();
            for (long[] sample : this.rss) {
                series.add(List.of(Math.round(since.applyAsDouble(sample[0]) * 10) / 10.0, sample[1]));
            }
            into.put("serverRssSamples", series);
            into.put("serverClosedSocketsMax", (this.maxClosing < 0) ? null : this.maxClosing);
            into.put("serverClosedSocketsFirstSeconds", (this.firstClosingNanos == 0) ? null
                    : since.applyAsDouble(this.firstClosingNanos));
            into.put("serverClosedSocketsMaxSeconds", (this.maxClosing <= 0) ? null
                    : since.applyAsDouble(this.maxClosingNanos));
        }
    }

    private static int serverPort(URI url) {
        return (url.getPort() > 0) ? url.getPort() : ("wss".equals(url.getScheme()) ? 443 : 80);
    }

    // ------------------------------------------------------------------ deliveries

    /** A MESSAGE on a user's room topic. */
    private void onRoomEvent(User user, String body) {
        if (this.options.storm) {
            // the backlog's live deliveries and the presence events: a storm counts clients, not deliveries
            this.events.increment();
            return;
        }
        long now = System.nanoTime();
        String[] fields;
        try {
            fields = Json.select(body, "type", "id", "text", "sender");
        }
        catch (RuntimeException ex) {
            this.foreign.increment();
            return;
        }
        if (!"MESSAGE".equals(fields[0])) {
            this.events.increment();
            return;
        }
        Payload payload = Payload.parse(fields[2]);
        long id;
        try {
            id = Long.parseLong(fields[1]);
        }
        catch (NumberFormatException ex) {
            id = -1;
        }
        if (payload == null || id < 0 || payload.step() >= this.steps.size()) {
            this.foreign.increment();
            return;
        }
        onDelivery(user, now, payload, id, senderIndex(fields[3]));
    }

    /** A Socket.IO event to a user: the reference server's {@code chat message}, {@code {sender, text}}. */
    private void onSocketIoEvent(User user, SocketIoCodec.Packet packet) {
        long now = System.nanoTime();
        String[] fields;
        try {
            List<String> arguments = packet.arguments();
            if (!CHAT_MESSAGE_EVENT.equals(arguments.get(0))) {
                this.events.increment();
                return;
            }
            fields = Json.select(arguments.get(1), "sender", "text");
        }
        catch (RuntimeException ex) {
            this.foreign.increment();
            return;
        }
        Payload payload = Payload.parse(fields[1]);
        int sender = senderIndex(fields[0]);
        if (payload == null || sender < 0 || payload.step() >= this.steps.size()) {
            this.foreign.increment();
            return;
        }
        onDelivery(user, now, payload, -1, sender);
    }

    /** The user index in one of this run's nicknames, or -1. */
    private int senderIndex(String nickname) {
        if (nickname == null || !nickname.startsWith(this.nicknamePrefix)) {
            return -1;
        }
        try {
            return Integer.parseInt(nickname, this.nicknamePrefix.length(), nickname.length(), 10);
        }
        catch (NumberFormatException ex) {
            return -1;
        }
    }

    /**
     * One of the bench's messages reached a user: its latency and its place in the user's ledger.
     * Out of order is by the server's message id when there is one ({@code id >= 0}, STOMP), else by
     * sender; by sender is counted apart in both, to compare the two.
     *
     * @param sender the sender's user index, or -1 if unknown
     */
    private void onDelivery(User user, long now, Payload payload, long id, int sender) {
        if (user.slow) {
            // not expected, not timed: counted only to show what reached a slow reader
            this.slowDeliveries.increment();
            if (this.resumedNanos != 0) {
                this.slowDeliveriesAfterResume.increment();
            }
            return;
        }
        long latency = now - payload.sendNanos();
        this.deliveries.increment();
        this.liveLatency.recordValue(Math.max(0, latency) / 1000);
        DeliveryLedger.Outcome outcome;
        boolean outOfSenderOrder;
        if (id >= 0) {
            outcome = user.ledger.record(payload.roomSeq(), id);
            outOfSenderOrder = outcome != DeliveryLedger.Outcome.DUPLICATE && sender >= 0
                    && user.ledger.outOfSenderOrder(sender, payload.roomSeq());
        }
        else {
            outcome = user.ledger.recordBySender(payload.roomSeq(), sender);
            outOfSenderOrder = outcome == DeliveryLedger.Outcome.OUT_OF_ORDER;
        }
        if (payload.measured()) {
            this.steps.get(payload.step()).delivered(outcome, latency, outOfSenderOrder, route(sender, user.index));
        }
        else if (outcome == DeliveryLedger.Outcome.DUPLICATE) {
            this.warmupDuplicates.increment();
        }
    }

    /** Whether a delivery from user {@code sender} to user {@code receiver} crossed instances. */
    private Step.Route route(int sender, int receiver) {
        return route(this.options, sender, receiver);
    }

    static Step.Route route(Options options, int sender, int receiver) {
        if (sender < 0 || sender >= options.connections) {
            return Step.Route.UNKNOWN;
        }
        return (options.instanceOf(sender) == options.instanceOf(receiver)) ? Step.Route.SAME_INSTANCE
                : Step.Route.CROSS_INSTANCE;
    }

    /** How many users connect to each instance. */
    int[] usersPerInstance() {
        int[] counts = new int[this.options.instances()];
        for (User user : this.users) {
            counts[user.instance]++;
        }
        return counts;
    }

    private void onErrorReply(String body) {
        String code;
        try {
            code = String.valueOf(Json.fields(body).get("code"));
        }
        catch (RuntimeException ex) {
            code = "unparseable";
        }
        this.errorReplyCount.increment();
        this.errorReplies.computeIfAbsent(code, key -> new LongAdder()).increment();
    }

    private void onStompError(StompFrame frame) {
        this.stompErrors.incrementAndGet();
        String message = frame.header("message");
        this.stompErrorMessages.computeIfAbsent(shorten(String.valueOf(message)), key -> new AtomicInteger())
                .incrementAndGet();
    }

    private void onDropped(String reason) {
        this.dropped.incrementAndGet();
        this.dropReasons.computeIfAbsent(shorten(reason), key -> new AtomicInteger()).incrementAndGet();
    }

    /** Connections set up and not seen closed, slow readers not included. */
    int openConnections() {
        return countOpen(false);
    }

    /** Slow readers set up and not seen closed (a slow reader does not notice a close while it does not read). */
    int openSlowReaders() {
        return countOpen(true);
    }

    private int countOpen(boolean slow) {
        int open = 0;
        for (User user : this.users) {
            if (user.slow == slow && user.ready && user.connection.isOpen()) {
                open++;
            }
        }
        return open;
    }

    private void closeAll() {
        for (User user : this.users) {
            if (user.connection != null) {
                user.closing = true;
                user.connection.close();
            }
        }
        try {
            Thread.sleep(Math.min(2000, 200 + this.users.size() / 10));
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
        }
        for (User user : this.users) {
            if (user.connection != null) {
                user.connection.abort();
            }
        }
        this.executor.shutdownNow();
        this.webSockets.close();
    }

    // ------------------------------------------------------------------ progress

    private final class ProgressTicker implements Runnable {

        private long lastNanos = System.nanoTime();

        private long lastOwnCpu = Probes.ownCpuNanos();

        private long lastServerCpu = Probes.sum(Probes.processCpuNanos(Bench.this.options.serverPids));

        private long lastSent;

        private long lastDeliveries;

        private Histogram interval;

        @Override
        public void run() {
            try {
                long now = System.nanoTime();
                double seconds = (now - this.lastNanos) / 1e9;
                long ownCpu = Probes.ownCpuNanos();
                long serverCpu = Probes.sum(Probes.processCpuNanos(Bench.this.options.serverPids));
                long sent = Bench.this.sentTotal.sum();
                long delivered = Bench.this.deliveries.sum();
                this.interval = Bench.this.liveLatency.getIntervalHistogram(this.interval);
                StringBuilder line = new StringBuilder();
                line.append(String.format(Locale.ROOT, "[%4ds] %-26s", (now - Bench.this.startNanos) / 1_000_000_000L,
                        Bench.this.phase.get()));
                if (sent > 0 || delivered > 0) {
                    line.append(String.format(Locale.ROOT, " sent %5.0f/s  deliv %7.0f/s  p99 %6s ms", (sent - this.lastSent) / seconds,
                            (delivered - this.lastDeliveries) / seconds,
                            (this.interval.getTotalCount() == 0) ? "-"
                                    : LatencySummary.fmt(this.interval.getValueAtPercentile(99) / 1000.0)));
                    line.append(String.format(Locale.ROOT, "  backlog %d", ChatConnection.QUEUED.get()));
                }
                if (Bench.this.ready.get() > 0) {
                    line.append(String.format(Locale.ROOT, "  open %d", openConnections()));
                    if (Bench.this.options.slowReaders > 0) {
                        line.append(String.format(Locale.ROOT, " + %d slow", openSlowReaders()));
                    }
                }
                line.append(String.format(Locale.ROOT, "  gen %.2f cores", (ownCpu - this.lastOwnCpu) / 1e9 / seconds));
                if (serverCpu >= 0 && this.lastServerCpu >= 0) {
                    line.append(String.format(Locale.ROOT, "  server %.2f cores", (serverCpu - this.lastServerCpu) / 1e9 / seconds));
                }
                if (Bench.this.dropped.get() > 0) {
                    line.append("  DROPPED ").append(Bench.this.dropped.get());
                }
                Bench.this.progress.println(line);
                this.lastNanos = now;
                this.lastOwnCpu = ownCpu;
                this.lastServerCpu = serverCpu;
                this.lastSent = sent;
                this.lastDeliveries = delivered;
            }
            catch (RuntimeException ex) {
                Bench.this.progress.println("progress: " + ex);
            }
        }
    }

    // ------------------------------------------------------------------ report access

    Options options() {
        return this.options;
    }

    String runId() {
        return this.runId;
    }

    double loadAtStart() {
        return this.loadAtStart;
    }

    List<StepResult> results() {
        return this.results;
    }

    SweepDecision.Outcome sweepOutcome() {
        return this.sweepOutcome;
    }

    Map<String, Object> idleResult() {
        return this.idleResult;
    }

    Map<String, Object> stormResult() {
        return this.stormResult;
    }

    Map<String, Object> slowResult() {
        return this.slowResult;
    }

    int readyCount() {
        return this.ready.get();
    }

    int setupFailedCount() {
        return this.setupFailed.get();
    }

    int droppedCount() {
        return this.dropped.get();
    }

    int stompErrorCount() {
        return this.stompErrors.get();
    }

    double setupSeconds() {
        return this.setupSeconds;
    }

    LatencySummary connectTimes() {
        synchronized (this.connectMicros) {
            return LatencySummary.ofMicros(this.connectMicros);
        }
    }

    Map<String, Integer> setupFailures() {
        return counts(this.setupFailures);
    }

    Map<String, Integer> dropReasons() {
        return counts(this.dropReasons);
    }

    Map<String, Integer> stompErrorMessages() {
        return counts(this.stompErrorMessages);
    }

    Map<String, Long> errorReplies() {
        Map<String, Long> counts = new LinkedHashMap<>();
        this.errorReplies.entrySet().stream().sorted(Map.Entry.comparingByKey())
                .forEach(e -> counts.put(e.getKey(), e.getValue().sum()));
        return counts;
    }

    long events() {
        return this.events.sum();
    }

    long foreign() {
        return this.foreign.sum();
    }

    long warmupDuplicates() {
        return this.warmupDuplicates.sum();
    }

    List<String> warnings() {
        return this.warnings;
    }

    int[] roomSubscribers() {
        return this.roomSubscribers.clone();
    }

    int senderCount() {
        return this.senders.size();
    }

    private static Map<String, Integer> counts(Map<String, AtomicInteger> source) {
        Map<String, Integer> counts = new LinkedHashMap<>();
        source.entrySet().stream()
                .sorted(Comparator.comparing((Map.Entry<String, AtomicInteger> e) -> -e.getValue().get()))
                .forEach(e -> counts.put(e.getKey(), e.getValue().get()));
        return counts;
    }

    private void printHeader() {
        this.out.printf("Parley bench, run %s: %s%n", this.runId, describeWorkload());
        if (!this.options.socketIo()) {
            this.out.printf("REMINDER: run the server with %s (the default 5 msg/s per nickname throttles any load test,%n"
                    + "  and 20 nickname claims per hour per address stop its set-up)%n",
                    SERVER_FLAGS);
        }
        this.out.flush();
    }

    String describeWorkload() {
        String workload = describeLoad();
        return this.options.socketIo() ? "Socket.IO reference, " + workload : workload;
    }

    private String describeLoad() {
        Options o = this.options;
        if (o.idle) {
            return String.format(Locale.ROOT, "idle, %d connections, %d rooms, held %s", o.connections, o.rooms,
                    seconds(o.duration));
        }
        if (o.storm) {
            return String.format(Locale.ROOT, "reconnect storm, %d connections, %d rooms, %d messages of backlog per "
                    + "room, %d reconnects in flight", o.connections, o.rooms, o.socketIo() ? 0 : o.stormBacklog,
                    o.connectConcurrency);
        }
        String rate = o.sweep
                ? String.format(Locale.ROOT, "sweep %.0f..%.0f msg/s step %.0f (p99 bound %s)", o.sweepStart(),
                        o.sweepMax, o.sweepStep(), seconds(o.p99Bound))
                : String.format(Locale.ROOT, "%.0f msg/s", o.rate);
        String slow = (o.slowReaders > 0) ? String.format(Locale.ROOT, ", %d of them slow readers", o.slowReaders) : "";
        return String.format(Locale.ROOT, "%d connections%s, %d rooms, %d senders, %s open loop, warm-up %s, measured %s, drain %s",
                o.connections, slow, o.rooms, o.senders, rate, seconds(o.warmup), seconds(o.duration), seconds(o.drain));
    }

    static String seconds(Duration duration) {
        return (duration.toMillis() % 1000 == 0) ? duration.toSeconds() + "s" : duration.toMillis() + "ms";
    }

    private static String shorten(String reason) {
        return (reason.length() > 160) ? reason.substring(0, 160) + "…" : reason;
    }

    private static String randomId() {
        String alphabet = "abcdefghijklmnopqrstuvwxyz0123456789";
        Random random = new Random();
        StringBuilder id = new StringBuilder();
        for (int i = 0; i < 6; i++) {
            id.append(alphabet.charAt(random.nextInt(alphabet.length())));
        }
        return id.toString();
    }

    // ------------------------------------------------------------------ virtual user

    /** One virtual user: a nickname, one connection, one room. */
    private final class User implements StompConnection.Handler, SocketIoConnection.Handler {

        final int index;

        final String nickname;

        final int room;

        final boolean sender;

        /** Stops reading after set-up (--slow-readers); its deliveries are not counted. */
        final boolean slow;

        /** The server instance this user connects to (its index in --url), its WebSocket URL and REST base. */
        final int instance;

        final URI url;

        final URI http;

        final String roomName;

        final DeliveryLedger ledger = new DeliveryLedger();

        final CompletableFuture<Void> connected = new CompletableFuture<>();

        final Map<String, CompletableFuture<Void>> receipts = new ConcurrentHashMap<>();

        volatile String token;

        volatile ChatConnection connection;

        volatile boolean ready;

        volatile boolean closing;

        /** A slow reader: when (nanoTime) and why its connection was seen closed after set-up, 0 if not. */
        volatile long closedAtNanos;

        volatile String closeReason;

        private final String sendPrefix;

        /** Socket.IO: the room's name and the message's sender field, as JSON. */
        private final String quotedRoom;

        private final String senderField;

        User(int index, String nickname, int room, boolean sender, boolean slow) {
            this.index = index;
            this.nickname = nickname;
            this.room = room;
            this.sender = sender;
            this.slow = slow;
            this.instance = Bench.this.options.instanceOf(index);
            this.url = Bench.this.options.spread(Bench.this.options.urls.get(this.instance), index);
            this.http = Bench.this.options.spread(Bench.this.options.https.get(this.instance), index);
            this.roomName = "bench-" + Bench.this.runId + "-" + room;
            this.sendPrefix = "SEND\ndestination:/app/room." + this.roomName + ".send\ncontent-type:application/json\n";
            this.quotedRoom = Json.quote(this.roomName);
            this.senderField = "{\"sender\":" + Json.quote(nickname) + ",\"text\":";
        }

        /** The same user (nickname, token, room) for a new connection. */
        User again() {
            User user = new User(this.index, this.nickname, this.room, this.sender, this.slow);
            user.token = this.token;
            return user;
        }

        CompletableFuture<Void> setUp() {
            return Bench.this.options.socketIo() ? setUpSocketIo() : setUpStomp();
        }

        /**
         * Engine.IO's open packet, Socket.IO's connect to {@code /} (the connect time ends with the
         * server's answer, as STOMP's ends with CONNECTED), then the join, acknowledged by the
         * server as STOMP's join is by its RECEIPT. The room needs no subscription: joining it is
         * subscribing.
         */
        private CompletableFuture<Void> setUpSocketIo() {
            long start = System.nanoTime();
            Duration timeout = Bench.this.options.timeout;
            return SocketIoConnection.open(Bench.this.webSockets, this.url, timeout, this, this.slow,
                    Bench.this.options.handshakeHeaders(this.url))
                    .thenCompose(connection -> {
                        this.connection = connection;
                        // the open packet arrives on its own: onPacket answers it with the connect
                        return this.connected;
                    })
                    .orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS)
                    .thenCompose(ignored -> {
                        connectedAfter(start);
                        return request(SocketIoCodec.event(JOIN_ACK, JOIN_EVENT, this.quotedRoom), "ack" + JOIN_ACK)
                                .orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS);
                    })
                    .thenRun(this::setUpDone);
        }

        private void connectedAfter(long startNanos) {
            long micros = (System.nanoTime() - startNanos) / 1000;
            synchronized (Bench.this.connectMicros) {
                Bench.this.connectMicros.recordValue(micros);
            }
        }

        private void setUpDone() {
            if (this.slow) {
                this.connection.stopReading();
            }
            this.ready = true;
            Bench.this.ready.incrementAndGet();
        }

        private CompletableFuture<Void> setUpStomp() {
            long start = System.nanoTime();
            Duration timeout = Bench.this.options.timeout;
            return StompConnection.open(Bench.this.webSockets, this.url, timeout, this, this.slow,
                    Bench.this.options.handshakeHeaders(this.url))
                    .thenCompose(connection -> {
                        this.connection = connection;
                        connection.send(StompFrame.builder("CONNECT")
                                .header("accept-version", "1.2")
                                .header("host", this.url.getHost())
                                .header("login", this.nickname)
                                .header("passcode", this.token)
                                .header("heart-beat", Bench.this.heartbeatHeader())
                                .build());
                        return this.connected;
                    })
                    .orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS)
                    .thenCompose(ignored -> {
                        connectedAfter(start);
                        List<CompletableFuture<Void>> awaited = new ArrayList<>();
                        awaited.add(request(StompFrame.builder("SUBSCRIBE")
                                .header("id", TOPIC_SUBSCRIPTION)
                                .header("destination", "/topic/room." + this.roomName), "sub-room"));
                        if (this.sender) {
                            awaited.add(request(StompFrame.builder("SUBSCRIBE")
                                    .header("id", ERRORS_SUBSCRIPTION)
                                    .header("destination", "/user/queue/errors"), "sub-errors"));
                        }
                        awaited.add(request(StompFrame.builder("SEND")
                                .header("destination", "/app/room." + this.roomName + ".join")
                                .header("content-type", "application/json")
                                .body("{}"), "join"));
                        return CompletableFuture.allOf(awaited.toArray(CompletableFuture[]::new))
                                .orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS);
                    })
                    .thenRun(this::setUpDone);
        }

        /** Sends a frame with a receipt header; completes on the RECEIPT. */
        private CompletableFuture<Void> request(StompFrame.Builder frame, String receipt) {
            return request(StompCodec.encode(frame.header("receipt", receipt).build()), receipt);
        }

        /** Sends a message; completes when the answer registered under {@code key} arrives. */
        private CompletableFuture<Void> request(String message, String key) {
            CompletableFuture<Void> answered = new CompletableFuture<>();
            this.receipts.put(key, answered);
            if (!this.connection.send(message)) {
                answered.completeExceptionally(new IllegalStateException("connection closed"));
            }
            return answered;
        }

        /** A chat message with this text, encoded for the protocol (the client id: STOMP only). */
        String message(String text, String clientId) {
            if (Bench.this.options.socketIo()) {
                return SocketIoCodec.event(SocketIoCodec.NONE, CHAT_MESSAGE_EVENT, this.quotedRoom,
                        this.senderField + Json.quote(text) + "}");
            }
            String body = "{\"text\":" + Json.quote(text) + ",\"clientId\":\"" + clientId + "\"}";
            return this.sendPrefix + "content-length:" + StompCodec.utf8Length(body) + "\n\n" + body + "\0";
        }

        @Override
        public void onFrame(StompConnection connection, StompFrame frame) {
            switch (frame.command()) {
                case "MESSAGE" -> {
                    String subscription = frame.header("subscription");
                    if (TOPIC_SUBSCRIPTION.equals(subscription)) {
                        onRoomEvent(this, frame.body());
                    }
                    else if (ERRORS_SUBSCRIPTION.equals(subscription)) {
                        onErrorReply(frame.body());
                    }
                }
                case "RECEIPT" -> {
                    CompletableFuture<Void> answered = this.receipts.remove(String.valueOf(frame.header("receipt-id")));
                    if (answered != null) {
                        answered.complete(null);
                    }
                }
                case "CONNECTED" -> this.connected.complete(null);
                case "ERROR" -> {
                    onStompError(frame);
                    String message = "ERROR frame: " + frame.header("message");
                    fail(new IllegalStateException(message));
                }
                default -> {
                    // nothing else is expected
                }
            }
        }

        @Override
        public void onPacket(SocketIoConnection connection, SocketIoCodec.Packet packet) {
            if (packet.engineType() == SocketIoCodec.OPEN) {
                connection.send(SocketIoCodec.connect());
                return;
            }
            if (packet.engineType() != SocketIoCodec.MESSAGE) {
                // pong, noop: nothing to do
                return;
            }
            switch (packet.type()) {
                case SocketIoCodec.EVENT -> onSocketIoEvent(this, packet);
                case SocketIoCodec.CONNECT -> this.connected.complete(null);
                case SocketIoCodec.ACK -> {
                    CompletableFuture<Void> answered = this.receipts.remove("ack" + packet.ackId());
                    if (answered != null) {
                        answered.complete(null);
                    }
                }
                case SocketIoCodec.CONNECT_ERROR -> fail(new IllegalStateException("connect error " + packet.data()));
                default -> {
                    // nothing else is expected
                }
            }
        }

        @Override
        public void onClosed(SocketIoConnection connection, String reason) {
            closed(reason);
        }

        @Override
        public void onClosed(StompConnection connection, String reason) {
            closed(reason);
        }

        private void closed(String reason) {
            if (this.ready && !this.closing) {
                if (this.slow) {
                    // expected: the server cuts off those who do not read
                    this.closeReason = reason;
                    this.closedAtNanos = System.nanoTime();
                }
                else {
                    onDropped(reason);
                }
            }
            fail(new IllegalStateException(reason));
        }

        private void fail(Throwable reason) {
            this.connected.completeExceptionally(reason);
            this.receipts.values().forEach(future -> future.completeExceptionally(reason));
        }
    }
}
