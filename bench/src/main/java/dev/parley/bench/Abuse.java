package dev.parley.bench;

import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAccumulator;

/**
 * The abuse workload ({@code --abuse}, issue 21): what one client, from one address and with
 * nothing but HTTP and WebSocket, can make a server on its default limits hold (contract section
 * 6a). Each round, with new connections and new room names:
 * <ol>
 * <li>claims nicknames as fast as it can, and counts the 201s, the 429s and their Retry-After (3,000
 * in the first round, 300 in each later one, when the address has no claim left anyway);</li>
 * <li>one connection joins many rooms: joins accepted, LIMIT_EXCEEDED replies, whether it stays open;</li>
 * <li>one connection subscribes to many destinations: how many the server took before its ERROR and close;</li>
 * <li>many connections for one nickname: how many were accepted; each accepted one then joins rooms
 * (by default 100, the most a connection may: the most one nickname can hold online);</li>
 * <li>a WebSocket that never sends CONNECT, on a plain socket: how long the server keeps it;</li>
 * <li>{@code GET /api/rooms}: rooms and bytes in the first answer, its Link header, and its pages.</li>
 * </ol>
 * The server's heap after a full GC (jcmd) and RSS are taken before the first round, while each
 * round's connections are held, and after each round once the server shows its rooms gone: what
 * leaks accumulates over the rounds. A TCP connection that never sends an HTTP request is kept
 * open alongside the rounds, once. The two nicknames the connections use are claimed before the
 * first flood, while the address is within its limit.
 */
final class Abuse {

    private static final String ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789";

    /** How long the plain sockets may wait for the server to close them. */
    private static final Duration SILENT_LIMIT = Duration.ofSeconds(30);

    private static final Duration BARE_TCP_LIMIT = Duration.ofSeconds(150);

    private final Options options;

    private final PrintStream out;

    private final PrintStream progress;

    private final String runId = randomId();

    private final ExecutorService executor;

    private final HttpClient client;

    private final WebSocketClient webSockets;

    private final List<String> warnings = new ArrayList<>();

    private String joinNickname;

    private String joinToken;

    private String crowdNickname;

    private String crowdToken;

    Abuse(Options options, PrintStream out, PrintStream progress) {
        this.options = options;
        this.out = out;
        this.progress = progress;
        AtomicInteger threads = new AtomicInteger();
        this.executor = Executors.newFixedThreadPool(options.ioThreads, runnable -> {
            Thread thread = new Thread(runnable, "abuse-io-" + threads.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        });
        this.client = HttpClient.newBuilder()
                .executor(this.executor)
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(options.timeout)
                .build();
        this.webSockets = WebSocketClient.of(options, this.client);
    }

    int run() throws InterruptedException {
        say("abuse: %s, %d rounds, server pid %s", this.options.url, this.options.rounds, this.options.serverPid);
        AbuseReport.Memory before = memory("before the first round");
        List<AbuseReport.Round> rounds = new ArrayList<>();
        CompletableFuture<SilentSocket.Outcome> bareTcp = null;
        long bareTcpOpened = 0;
        try {
            if (!claimOwnNicknames()) {
                new AbuseReport(this.options, before, rounds, null, this.warnings).print(this.out);
                return 1;
            }
            bareTcpOpened = System.nanoTime();
            bareTcp = CompletableFuture.supplyAsync(() -> SilentSocket.bareTcp(this.options.url, BARE_TCP_LIMIT),
                    daemonThread("abuse-bare-tcp"));
            for (int round = 1; round <= this.options.rounds; round++) {
                rounds.add(round(round));
            }
        }
        catch (ExecutionException | TimeoutException ex) {
            this.warnings.add("stopped: " + ex);
        }
        SilentSocket.Outcome bare = (bareTcp == null) ? null : bareTcp.getNow(null);
        if (bareTcp != null && bare == null) {
            bare = new SilentSocket.Outcome(false, null, -1, -1, -1, String.format(Locale.ROOT,
                    "still open at the end of the run, %.0f s after it was opened", (System.nanoTime() - bareTcpOpened) / 1e9));
        }
        AbuseReport report = new AbuseReport(this.options, before, rounds, bare, this.warnings);
        report.print(this.out);
        if (this.options.json != null) {
            report.writeJson(this.options.json);
        }
        // a run cut short measured less than it says
        return (rounds.size() == this.options.rounds) ? 0 : 1;
    }

    /** The nicknames of the joining and of the many connections, claimed while the address may. */
    private boolean claimOwnNicknames() throws InterruptedException, ExecutionException, TimeoutException {
        this.joinNickname = "a" + this.runId + "join";
        this.crowdNickname = "a" + this.runId + "crowd";
        HttpResponse<String> join = claim(this.joinNickname).get(30, TimeUnit.SECONDS);
        HttpResponse<String> crowd = claim(this.crowdNickname).get(30, TimeUnit.SECONDS);
        if (join.statusCode() != 201 || crowd.statusCode() != 201) {
            this.warnings.add(String.format("claiming the workload's own two nicknames answered %d and %d: this "
                    + "address has used up its claims (restart the server, or wait its Retry-After)",
                    join.statusCode(), crowd.statusCode()));
            return false;
        }
        this.joinToken = Json.fields(join.body()).get("token");
        this.crowdToken = Json.fields(crowd.body()).get("token");
        return true;
    }

    private AbuseReport.Round round(int round) throws InterruptedException, ExecutionException, TimeoutException {
        String rooms = roomPrefix(round);
        CompletableFuture<SilentSocket.Outcome> noConnect = CompletableFuture.supplyAsync(
                () -> SilentSocket.upgradedWithoutConnect(this.options.url, SILENT_LIMIT), daemonThread("abuse-silent-" + round));
        AbuseReport.Claims claims = claims(round);
        say("round %d: claims %d accepted, %d refused", round, claims.accepted(), claims.refused());
        List<StompConnection> held = new ArrayList<>();
        AbuseReport.Joins joins = joins(rooms, held);
        say("round %d: joins %d accepted, %d LIMIT_EXCEEDED", round, joins.accepted(), joins.limitExceeded());
        AbuseReport.Subscriptions subscriptions = subscriptions(rooms);
        say("round %d: subscriptions %d taken, %s", round, subscriptions.taken(), subscriptions.errorMessage());
        AbuseReport.NicknameConnections connections = nicknameConnections(rooms, held);
        say("round %d: connections %d accepted, %d refused, %d rooms joined", round, connections.accepted(),
                connections.refused(), connections.roomsJoined());
        AbuseReport.Listing listing = listing();
        AbuseReport.Memory heldMemory = memory("round " + round + ", held");
        for (StompConnection connection : held) {
            connection.close();
        }
        double released = released(rooms);
        SilentSocket.Outcome silent = noConnect.get(SILENT_LIMIT.toSeconds() + 30, TimeUnit.SECONDS);
        AbuseReport.Memory after = memory("round " + round + ", after");
        say("round %d: heap held %s, after %s", round, AbuseReport.mb(heldMemory.heapBytes()),
                AbuseReport.mb(after.heapBytes()));
        if (round == 1 && claims.refused() == 0 && claims.tried() > 25) {
            this.warnings.add("no claim was refused: the server does not run on its default claim limit");
        }
        return new AbuseReport.Round(round, claims, joins, subscriptions, connections, silent, listing, heldMemory,
                released, after);
    }

    // ------------------------------------------------------------------ (1) claims

    private AbuseReport.Claims claims(int round) throws InterruptedException {
        // the first flood shows the limit; the later ones, smaller, that refusing costs nothing that stays
        int tried = (round == 1) ? this.options.abuseClaims : this.options.abuseClaimsAgain;
        AtomicInteger accepted = new AtomicInteger();
        AtomicInteger refused = new AtomicInteger();
        AtomicInteger other = new AtomicInteger();
        LongAccumulator retryMin = new LongAccumulator(Math::min, Long.MAX_VALUE);
        LongAccumulator retryMax = new LongAccumulator(Math::max, -1);
        Semaphore inFlight = new Semaphore(this.options.connectConcurrency);
        long start = System.nanoTime();
        for (int i = 0; i < tried; i++) {
            inFlight.acquire();
            claim("f" + this.runId + "r" + round + "n" + i).whenComplete((response, ex) -> {
                try {
                    if (ex != null) {
                        other.incrementAndGet();
                    }
                    else if (response.statusCode() == 201) {
                        accepted.incrementAndGet();
                    }
                    else if (response.statusCode() == 429) {
                        refused.incrementAndGet();
                        long seconds = retryAfterSeconds(response.headers().firstValue("retry-after").orElse(null));
                        if (seconds >= 0) {
                            retryMin.accumulate(seconds);
                            retryMax.accumulate(seconds);
                        }
                    }
                    else {
                        other.incrementAndGet();
                    }
                }
                finally {
                    inFlight.release();
                }
            });
        }
        inFlight.acquire(this.options.connectConcurrency);
        inFlight.release(this.options.connectConcurrency);
        double seconds = (System.nanoTime() - start) / 1e9;
        long min = retryMin.get();
        return new AbuseReport.Claims(tried, accepted.get(), refused.get(), other.get(),
                (min == Long.MAX_VALUE) ? -1 : min, retryMax.get(), seconds);
    }

    private CompletableFuture<HttpResponse<String>> claim(String nickname) {
        HttpRequest request = HttpRequest.newBuilder(URI.create(this.options.http + "/api/nicknames"))
                .timeout(this.options.timeout)
                .header("content-type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"nickname\":" + Json.quote(nickname) + "}"))
                .build();
        return this.client.sendAsync(request, HttpResponse.BodyHandlers.ofString());
    }

    /** Retry-After in seconds (RFC 9110 also allows a date, which the service does not send), -1 if absent or not a number. */
    static long retryAfterSeconds(String header) {
        if (header == null) {
            return -1;
        }
        try {
            return Long.parseLong(header.trim());
        }
        catch (NumberFormatException ex) {
            return -1;
        }
    }

    // ------------------------------------------------------------------ (2) joins

    private AbuseReport.Joins joins(String rooms, List<StompConnection> held)
            throws InterruptedException, ExecutionException, TimeoutException {
        StompTally tally = new StompTally();
        StompConnection connection = connect(this.joinNickname, this.joinToken, tally);
        held.add(connection);
        if (!connected(tally)) {
            return new AbuseReport.Joins(this.options.abuseJoins, 0, 0, 0, false, "CONNECT refused: " + tally.errorMessage());
        }
        CompletableFuture<Void> subscribed = tally.receiptsOrClose(1);
        connection.send(StompFrame.builder("SUBSCRIBE")
                .header("id", StompTally.ERRORS_SUBSCRIPTION)
                .header("destination", "/user/queue/errors")
                .header("receipt", "errors")
                .build());
        await(subscribed);
        int tried = this.options.abuseJoins;
        CompletableFuture<Void> answered = tally.receiptsOrClose(1 + tried);
        for (int i = 0; i < tried; i++) {
            connection.send(join(rooms + "j" + i, "j" + i));
        }
        await(answered);
        // a frame after the joins, answered only if the connection is still open: a join of a room it is in
        CompletableFuture<Void> alive = tally.receiptsOrClose(2 + tried);
        connection.send(join(rooms + "j0", "alive"));
        await(alive);
        boolean open = !tally.isClosed() && tally.receipts() >= 2 + tried;
        int joinReceipts = Math.min(tally.receipts() - 1, tried);
        int limited = tally.errorReplies("LIMIT_EXCEEDED");
        int otherErrors = tally.errorReplies() - limited;
        return new AbuseReport.Joins(tried, joinReceipts - limited - otherErrors, limited, otherErrors, open,
                tally.closed().getNow(null));
    }

    private static String join(String room, String receipt) {
        return StompCodec.encode(StompFrame.builder("SEND")
                .header("destination", "/app/room." + room + ".join")
                .header("content-type", "application/json")
                .header("receipt", receipt)
                .body("{}")
                .build());
    }

    // ------------------------------------------------------------------ (3) subscriptions

    private AbuseReport.Subscriptions subscriptions(String rooms)
            throws InterruptedException, ExecutionException, TimeoutException {
        StompTally tally = new StompTally();
        StompConnection connection = connect(this.joinNickname, this.joinToken, tally);
        int tried = this.options.abuseSubscriptions;
        if (!connected(tally)) {
            connection.abort();
            return new AbuseReport.Subscriptions(tried, 0, "CONNECT refused: " + tally.errorMessage(), true, -1);
        }
        CompletableFuture<Void> answered = tally.receiptsOrClose(tried);
        long start = System.nanoTime();
        for (int i = 0; i < tried; i++) {
            boolean queued = connection.send(StompCodec.encode(StompFrame.builder("SUBSCRIBE")
                    .header("id", "s" + i)
                    .header("destination", "/topic/room." + rooms + "s" + i)
                    .header("receipt", "s" + i)
                    .build()));
            if (!queued) {
                break;
            }
        }
        await(answered);
        boolean closed = tally.isClosed();
        double closedAfter = closed ? (tally.closedAtNanos() - start) / 1e9 : -1;
        if (!closed) {
            connection.close();
        }
        return new AbuseReport.Subscriptions(tried, tally.receiptsBeforeError(), tally.errorMessage(), closed, closedAfter);
    }

    // ------------------------------------------------------------------ (4) connections for one nickname

    private AbuseReport.NicknameConnections nicknameConnections(String rooms, List<StompConnection> held)
            throws InterruptedException {
        int tried = this.options.abuseConnections;
        List<StompTally> tallies = new ArrayList<>();
        List<CompletableFuture<StompConnection>> opening = new ArrayList<>();
        // all at once, as a client opening tabs in a loop would
        for (int i = 0; i < tried; i++) {
            StompTally tally = new StompTally();
            tallies.add(tally);
            opening.add(StompConnection.open(this.webSockets, this.options.url, this.options.timeout, tally)
                    .thenApply(connection -> {
                        connection.send(connectFrame(this.crowdNickname, this.crowdToken));
                        return connection;
                    }));
        }
        List<StompConnection> accepted = new ArrayList<>();
        List<StompTally> acceptedTallies = new ArrayList<>();
        List<StompTally> refused = new ArrayList<>();
        List<StompConnection> refusedConnections = new ArrayList<>();
        String refusedMessage = null;
        for (int i = 0; i < tried; i++) {
            StompTally tally = tallies.get(i);
            StompConnection connection;
            try {
                connection = opening.get(i).get(this.options.timeout.toMillis(), TimeUnit.MILLISECONDS);
            }
            catch (ExecutionException | TimeoutException ex) {
                this.warnings.add("a connection for one nickname could not be opened: " + ex);
                continue;
            }
            if (connected(tally)) {
                accepted.add(connection);
                acceptedTallies.add(tally);
                held.add(connection);
            }
            else {
                refusedConnections.add(connection);
                refused.add(tally);
                refusedMessage = (refusedMessage != null) ? refusedMessage : tally.errorMessage();
            }
        }
        int refusedClosed = 0;
        for (int i = 0; i < refused.size(); i++) {
            // the server closes a refused connection after its ERROR frame
            try {
                refused.get(i).closed().get(this.options.timeout.toMillis(), TimeUnit.MILLISECONDS);
                refusedClosed++;
            }
            catch (ExecutionException | TimeoutException ex) {
                refusedConnections.get(i).abort();
            }
        }
        // each accepted connection joins as many rooms as it may: the most this nickname can hold online
        int perConnection = this.options.abuseRooms;
        List<CompletableFuture<Void>> answers = new ArrayList<>();
        for (int c = 0; c < accepted.size(); c++) {
            answers.add(acceptedTallies.get(c).receiptsOrClose(perConnection));
            for (int i = 0; i < perConnection; i++) {
                accepted.get(c).send(join(rooms + "c" + c + "x" + i, "c" + i));
            }
        }
        int joined = 0;
        for (int c = 0; c < accepted.size(); c++) {
            try {
                await(answers.get(c));
            }
            catch (ExecutionException | TimeoutException ex) {
                this.warnings.add("joins of a connection for one nickname unanswered: " + ex);
            }
            // receipts: no error subscription here, so a refused join would count too; the room list shows what is held
            joined += acceptedTallies.get(c).receipts();
        }
        return new AbuseReport.NicknameConnections(tried, accepted.size(), refused.size(), refusedMessage, refusedClosed,
                joined);
    }

    // ------------------------------------------------------------------ (6) the room list

    private AbuseReport.Listing listing() throws InterruptedException, ExecutionException, TimeoutException {
        URI first = URI.create(this.options.http + "/api/rooms");
        HttpResponse<byte[]> response = get(first);
        String body = new String(response.body(), java.nio.charset.StandardCharsets.UTF_8);
        int rooms = (response.statusCode() == 200) ? Json.elements(body).size() : 0;
        String link = response.headers().firstValue("link").orElse(null);
        int pages = 1;
        int total = rooms;
        String next = nextLink(link);
        while (next != null && pages < 10_000) {
            HttpResponse<byte[]> page = get(first.resolve(next));
            if (page.statusCode() != 200) {
                this.warnings.add("a page of the room list answered " + page.statusCode());
                break;
            }
            pages++;
            total += Json.elements(new String(page.body(), java.nio.charset.StandardCharsets.UTF_8)).size();
            next = nextLink(page.headers().firstValue("link").orElse(null));
        }
        int overMax = get(URI.create(first + "?limit=5000")).statusCode();
        return new AbuseReport.Listing(response.statusCode(), rooms, response.body().length, link != null, pages, total,
                overMax);
    }

    /** The target of a {@code Link} header's {@code rel="next"}, or null. */
    static String nextLink(String header) {
        if (header == null) {
            return null;
        }
        for (String part : header.split(",")) {
            int open = part.indexOf('<');
            int close = part.indexOf('>', open + 1);
            if (open < 0 || close < 0) {
                continue;
            }
            String params = part.substring(close + 1).replace(" ", "");
            if (params.contains("rel=\"next\"") || params.contains("rel=next")) {
                return part.substring(open + 1, close);
            }
        }
        return null;
    }

    private HttpResponse<byte[]> get(URI uri) throws InterruptedException, ExecutionException, TimeoutException {
        HttpRequest request = HttpRequest.newBuilder(uri).timeout(this.options.timeout).GET().build();
        return this.client.sendAsync(request, HttpResponse.BodyHandlers.ofByteArray())
                .get(this.options.timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    /**
     * Seconds until the room list shows none of this round's rooms once its connections are
     * closed: the server has let go of their presence (-1 if not within the time allowed).
     */
    private double released(String rooms) throws InterruptedException, ExecutionException, TimeoutException {
        long start = System.nanoTime();
        long deadline = start + this.options.timeout.toNanos();
        URI uri = URI.create(this.options.http + "/api/rooms?limit=1&prefix=" + rooms);
        while (System.nanoTime() < deadline) {
            HttpResponse<byte[]> response = get(uri);
            if (response.statusCode() == 200 && Json.elements(new String(response.body(),
                    java.nio.charset.StandardCharsets.UTF_8)).isEmpty()) {
                return (System.nanoTime() - start) / 1e9;
            }
            TimeUnit.MILLISECONDS.sleep(100);
        }
        this.warnings.add("the rooms of " + rooms + "* were still listed " + this.options.timeout.toSeconds()
                + " s after their connections closed");
        return -1;
    }

    // ------------------------------------------------------------------ helpers

    private StompConnection connect(String nickname, String token, StompTally tally)
            throws InterruptedException, ExecutionException, TimeoutException {
        StompConnection connection = StompConnection.open(this.webSockets, this.options.url, this.options.timeout, tally)
                .get(this.options.timeout.toMillis(), TimeUnit.MILLISECONDS);
        connection.send(connectFrame(nickname, token));
        return connection;
    }

    private StompFrame connectFrame(String nickname, String token) {
        return StompFrame.builder("CONNECT")
                .header("accept-version", "1.2")
                .header("host", this.options.url.getHost())
                .header("login", nickname)
                .header("passcode", token)
                .header("heart-beat", "0,0")
                .build();
    }

    private boolean connected(StompTally tally) throws InterruptedException {
        try {
            return tally.connected().get(this.options.timeout.toMillis(), TimeUnit.MILLISECONDS);
        }
        catch (ExecutionException | TimeoutException ex) {
            return false;
        }
    }

    private void await(CompletableFuture<Void> future) throws InterruptedException, ExecutionException, TimeoutException {
        future.get(this.options.timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    private AbuseReport.Memory memory(String when) {
        Long pid = this.options.serverPid;
        if (pid == null) {
            return AbuseReport.Memory.UNKNOWN;
        }
        if (!Probes.gc(pid)) {
            this.warnings.add("jcmd " + pid + " GC.run failed (" + when + ")");
        }
        return new AbuseReport.Memory(Probes.heapUsedBytes(pid), Probes.processRssBytes(pid));
    }

    /** This round's room names start with it: a valid room name, unique to the run and the round. */
    String roomPrefix(int round) {
        return "a" + this.runId + "-" + round + "-";
    }

    private static java.util.concurrent.Executor daemonThread(String name) {
        return runnable -> {
            Thread thread = new Thread(runnable, name);
            thread.setDaemon(true);
            thread.start();
        };
    }

    private void say(String format, Object... args) {
        if (!this.options.quiet) {
            this.progress.println(String.format(Locale.ROOT, format, args));
        }
    }

    private static String randomId() {
        StringBuilder id = new StringBuilder();
        java.util.Random random = new java.util.Random();
        for (int i = 0; i < 5; i++) {
            id.append(ALPHABET.charAt(random.nextInt(ALPHABET.length())));
        }
        return id.toString();
    }
}
