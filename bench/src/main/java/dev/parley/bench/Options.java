package dev.parley.bench;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** The command line. */
public final class Options {

    /** The wire protocol: Parley's STOMP, or Socket.IO for the reference the goals are set against. */
    enum Protocol {
        STOMP, SOCKETIO
    }

    static final URI STOMP_URL = URI.create("ws://127.0.0.1:8080/ws/websocket");

    static final URI SOCKETIO_URL = URI.create("ws://127.0.0.1:3000/socket.io/?EIO=4&transport=websocket");

    static final String USAGE = """
            usage: java -jar parley-bench.jar [options]

            The server must run with  --chat.rate-limit.burst=1000000 --chat.rate-limit.per-second=1000000
            --chat.limits.claim-burst=1000000 --chat.limits.claims-per-hour=1000000
            (the default limit of 5 msg/s per nickname would throttle the load, and that of 20 nickname
            claims per hour per address would stop it at the 21st virtual user); with --abuse, on its
            default limits instead.

            target
              --protocol P           stomp (Parley, default) or socketio (the reference: Socket.IO 4's chat
                                     tutorial server, bench/socketio; Engine.IO 4 over WebSocket, no nickname
                                     claim; out of order is by sender, as there is no server message id)
              --url URL              STOMP over plain WebSocket (default ws://127.0.0.1:8080/ws/websocket;
                                     socketio: ws://127.0.0.1:3000/socket.io/?EIO=4&transport=websocket).
                                     A cluster: repeat --url or separate URLs with commas, one per instance;
                                     each room's members go to the instances in turn (its 1st to the 1st URL,
                                     2nd to the 2nd, ...), each user connects to one and claims through its
                                     REST API, and latencies are split by whether sender and receiver share
                                     an instance
              --senders-on I         a cluster: every sender connects to instance I (0: the first --url), the
                                     other users are spread as usual; then only one instance stores, and a
                                     crossing delivery pays the bus without the instances' contention for
                                     the rooms' next ids (default: senders spread like everyone)
              --http URL             REST base for nickname claims (default: derived from --url); with
                                     several --url, one per URL in the same order
              --server-pid PID       the server's process: report its CPU and RSS (and heap, with --idle; a
                                     JVM's only, by jcmd: for node RSS only). A cluster: repeat it or
                                     separate PIDs with commas; CPU, RSS and heap are summed over them
              --browser-headers      send the handshake headers a desktop browser adds (User-Agent, Origin,
                                     Accept-Language, Accept-Encoding, Cache-Control, Pragma, a cookie):
                                     what a server keeps of them per connection shows in --idle
            load
              --connections N        virtual users, one connection each (default 500)
              --rooms N              rooms; users are spread round-robin (default 10)
              --senders N            users that also post, spread over the rooms (default 20)
              --rate R               messages/s over all senders, open loop (default 200)
              --warmup D             warm-up before measuring, not counted (default 10s)
              --duration D           measured time (default 30s)
              --drain D              wait after the last send before counting losses (default 2s)
              --payload N            pad message texts to N chars (default 0: ~40 chars)
              --connect-concurrency N   set-ups in flight at once (default 64)
              --spread-hosts H,H...  connect user i to host i mod n of these instead of --url's host (same
                                     port and path): loopback addresses 127.0.0.1, 127.0.0.2, ... each
                                     give another 28,000 ephemeral ports, which 100,000 connections
                                     to one server need (docs/performance.md: the capacity run)
              --heartbeat D          STOMP heart-beats both ways at this interval: CONNECT asks for them,
                                     and every connection sends one each D (default 0: off)
              --timeout D            time limit of each set-up step (default 30s)
              --max-failures N       stop setting up after N failed set-ups (default 100)
              --io-threads N         threads of the shared HttpClient executor, and Netty's event loops
                                     (default 2, for 2 cores)
              --client C             the WebSocket client: netty (default) or jdk (java.net.http, the
                                     bench's until session 21; about twice the CPU in a storm)
            modes
              --sweep                raise the rate step by step; report the highest sustained one
              --sweep-start R        first rate (default: --rate)
              --sweep-step R         increment (default: --sweep-start)
              --sweep-max R          last rate tried (default 100000)
              --p99-bound D          latency p99 allowed for a sustained step (default 200ms)
              --sweep-all            with --sweep: take every step up to --sweep-max, also after one failed
                                     (generator processes run side by side must take the same steps;
                                     their reports are judged together by --merge)
              --start-at T           begin the first step at T (milliseconds since the epoch), after
                                     set-up: generator processes started together step together
              --merge OUT IN...      no load: merge the --json reports of generator processes that ran
                                     one sweep side by side (--sweep-all, one --start-at) into OUT, judged
                                     as one sweep (bench/baseline.sh saturation)
              --idle                 connect, subscribe and join, then hold for --duration without sending
              --settle D             with --idle: wait before measuring memory (default 5s); with --storm:
                                     before the drop
              --storm                a reconnect storm: connect, subscribe and join as --idle, then drop
                                     every connection at once (the client side closes its TCP socket, as a
                                     network blip or a load balancer's restart does) and reconnect them
                                     all with their tokens: CONNECT, subscribe, join, then the catch-up
                                     fetch (contract section 8) of the room's history; reports when each
                                     client was back and caught up, and the server's CPU per reconnect.
                                     --connect-concurrency bounds the reconnects in flight too.
                                     Socket.IO: connect and join (its reference server has no history)
              --storm-backlog N      with --storm: messages stored in each room before the drop (sent by
                                     its first member), which every reconnecting client fetches as one
                                     that missed them all (?after=0; default 20, at most 200: one page)
              --storm-rounds N       with --storm: storms one after the other, each after --settle; the
                                     last is the result, the earlier warm the server up (default 2)
              --slow-readers N       overload: the last N users (never senders) set up like the others, then
                                     stop reading their socket; their deliveries are not counted. Reports
                                     whether and when the server cut them off (also after reading resumes,
                                     --resume-wait after the drain), and the server's RSS (max, each second)
                                     and heap after GC at the end (jcmd, before resuming)
              --resume-wait D        with --slow-readers: how long resumed slow readers may take to see
                                     the close (default 5s)
              --abuse                what one client can make the server hold (issue 21, contract section
                                     6a), against a server on its DEFAULT limits (not the flags above:
                                     BENCH_LIMITS=default run-server.sh): per round, a flood of nickname
                                     claims, one connection joining many rooms, one subscribing to many
                                     destinations, many connections for one nickname (each then joining
                                     --abuse-rooms rooms), a WebSocket that never sends CONNECT and the
                                     room list; the server's heap after GC and RSS before, while held and
                                     after each round (--server-pid). Ignores the load options above
              --rounds N             with --abuse: rounds, each with new connections and rooms (default 10)
              --abuse-claims N       claims in the first round (default 3000)
              --abuse-claims-again N claims in each later round (default 300: the address has none left by then)
              --abuse-joins N        joins by the one connection (default 5000)
              --abuse-subscriptions N   SUBSCRIBEs by the one connection (default 20000)
              --abuse-connections N  connections tried for one nickname (default 25)
              --abuse-rooms N        rooms each of those connections joins (default 100)
            output
              --json FILE            write the results as JSON
              --quiet                no progress line
              --check                exit 1 if a connection failed or dropped, or anything was lost or duplicated
            durations: 30s, 500ms, 2m, or plain seconds
            """;

    Protocol protocol = Protocol.STOMP;

    /** The first instance's URL. The default depends on the protocol: set by {@link #validate()} when not given. */
    URI url;

    /** The first instance's REST base. */
    URI http;

    /** The first server process, or null. */
    Long serverPid;

    /** One WebSocket URL per instance (one unless a cluster is measured). */
    List<URI> urls = new ArrayList<>();

    /** One REST base per instance, in the order of {@link #urls}. */
    List<URI> https = new ArrayList<>();

    /** With several instances: the one all senders connect to, or null to spread them as everyone. */
    Integer sendersOn;

    /** The server processes whose CPU and memory are summed (empty without --server-pid). */
    List<Long> serverPids = new ArrayList<>();

    int connections = 500;

    int rooms = 10;

    int senders = 20;

    double rate = 200;

    Duration warmup = Duration.ofSeconds(10);

    Duration duration = Duration.ofSeconds(30);

    Duration drain = Duration.ofSeconds(2);

    int payload = 0;

    int connectConcurrency = 64;

    Duration timeout = Duration.ofSeconds(30);

    int ioThreads = 2;

    /** The WebSocket client: "netty" or "jdk" ({@link WebSocketClient}). */
    String client = "netty";

    int maxFailures = 100;

    boolean sweep;

    Double sweepStart;

    Double sweepStep;

    double sweepMax = 100_000;

    Duration p99Bound = Duration.ofMillis(200);

    /** With --sweep: every step up to the maximum, not only until one fails. */
    boolean sweepAll;

    /** When the first step begins (ms since the epoch), or null: as soon as set-up is done. */
    Long startAtMillis;

    boolean idle;

    boolean storm;

    /** Hosts to spread the users' connections over (empty: --url's own). */
    List<String> spreadHosts = new ArrayList<>();

    /** STOMP heart-beat interval both ways; zero: none. */
    Duration heartbeat = Duration.ZERO;

    int stormBacklog = 20;

    int stormRounds = 2;

    boolean browserHeaders;

    /**
     * Headers of the kind a desktop browser adds to a WebSocket handshake besides those the JDK's
     * client sets itself (Host, Connection, Upgrade, Sec-WebSocket-*), modelled on Chromium's,
     * with a modest cookie: a page on the chat's own domain usually has some. Not captured from a
     * browser: a stand-in of realistic size. Origin is added per run (the server's).
     */
    static final Map<String, String> BROWSER_HEADERS = Map.of(
            "User-Agent", "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0.0.0 Safari/537.36",
            "Accept-Language", "en-US,en;q=0.9",
            "Accept-Encoding", "gzip, deflate, br, zstd",
            "Cache-Control", "no-cache",
            "Pragma", "no-cache",
            "Cookie", "_ga=GA1.1.1234567890.1764633600; theme=dark");

    /** The headers to add to every WebSocket handshake to {@code target}. */
    Map<String, String> handshakeHeaders(URI target) {
        if (!this.browserHeaders) {
            return Map.of();
        }
        Map<String, String> headers = new LinkedHashMap<>(BROWSER_HEADERS);
        headers.put("Origin", "http://" + target.getHost() + (target.getPort() < 0 ? "" : ":" + target.getPort()));
        return headers;
    }

    Duration settle = Duration.ofSeconds(5);

    int slowReaders = 0;

    boolean abuse;

    int rounds = 10;

    int abuseClaims = 3000;

    int abuseClaimsAgain = 300;

    int abuseJoins = 5000;

    int abuseSubscriptions = 20_000;

    int abuseConnections = 25;

    int abuseRooms = 100;

    Duration resumeWait = Duration.ofSeconds(5);

    String json;

    boolean quiet;

    boolean check;

    boolean help;

    /** The options as given, for the report. */
    final Map<String, String> given = new LinkedHashMap<>();

    public static Options parse(String... args) {
        Options options = new Options();
        List<String> rest = new ArrayList<>(List.of(args));
        while (!rest.isEmpty()) {
            String arg = rest.remove(0);
            String name = arg;
            String value = null;
            int eq = arg.indexOf('=');
            if (arg.startsWith("--") && eq > 0) {
                name = arg.substring(0, eq);
                value = arg.substring(eq + 1);
            }
            if (isFlag(name)) {
                if (value != null) {
                    throw new IllegalArgumentException(name + " takes no value");
                }
                options.flag(name);
                options.given.put(name.substring(2), "true");
                continue;
            }
            if (value == null) {
                if (rest.isEmpty()) {
                    throw new IllegalArgumentException(name + " needs a value");
                }
                value = rest.remove(0);
            }
            options.set(name, value);
            // repeated options (--url, --http, --server-pid) are kept as one comma-separated value
            options.given.merge(name.substring(2), value, (before, added) -> before + "," + added);
        }
        options.validate();
        return options;
    }

    private static boolean isFlag(String name) {
        return switch (name) {
            case "--sweep", "--sweep-all", "--idle", "--storm", "--abuse", "--browser-headers", "--quiet", "--check", "--help", "-h" -> true;
            default -> false;
        };
    }

    private void flag(String name) {
        switch (name) {
            case "--sweep" -> this.sweep = true;
            case "--sweep-all" -> this.sweepAll = true;
            case "--idle" -> this.idle = true;
            case "--storm" -> this.storm = true;
            case "--abuse" -> this.abuse = true;
            case "--browser-headers" -> this.browserHeaders = true;
            case "--quiet" -> this.quiet = true;
            case "--check" -> this.check = true;
            default -> this.help = true;
        }
    }

    private void set(String name, String value) {
        switch (name) {
            case "--protocol" -> this.protocol = protocol(value);
            case "--url" -> list(value).forEach(url -> this.urls.add(URI.create(url)));
            case "--http" -> list(value).forEach(http -> this.https.add(URI.create(http.endsWith("/") ? http.substring(0, http.length() - 1) : http)));
            case "--server-pid" -> list(value).forEach(pid -> this.serverPids.add(Long.parseLong(pid)));
            case "--connections" -> this.connections = Integer.parseInt(value);
            case "--rooms" -> this.rooms = Integer.parseInt(value);
            case "--senders" -> this.senders = Integer.parseInt(value);
            case "--rate" -> this.rate = Double.parseDouble(value);
            case "--warmup" -> this.warmup = duration(value);
            case "--duration" -> this.duration = duration(value);
            case "--drain" -> this.drain = duration(value);
            case "--payload" -> this.payload = Integer.parseInt(value);
            case "--connect-concurrency" -> this.connectConcurrency = Integer.parseInt(value);
            case "--timeout" -> this.timeout = duration(value);
            case "--io-threads" -> this.ioThreads = Integer.parseInt(value);
            case "--client" -> this.client = value;
            case "--max-failures" -> this.maxFailures = Integer.parseInt(value);
            case "--sweep-start" -> this.sweepStart = Double.parseDouble(value);
            case "--sweep-step" -> this.sweepStep = Double.parseDouble(value);
            case "--sweep-max" -> this.sweepMax = Double.parseDouble(value);
            case "--p99-bound" -> this.p99Bound = duration(value);
            case "--start-at" -> this.startAtMillis = Long.parseLong(value);
            case "--settle" -> this.settle = duration(value);
            case "--storm-backlog" -> this.stormBacklog = Integer.parseInt(value);
            case "--spread-hosts" -> this.spreadHosts.addAll(list(value));
            case "--heartbeat" -> this.heartbeat = duration(value);
            case "--storm-rounds" -> this.stormRounds = Integer.parseInt(value);
            case "--slow-readers" -> this.slowReaders = Integer.parseInt(value);
            case "--resume-wait" -> this.resumeWait = duration(value);
            case "--json" -> this.json = value;
            case "--senders-on" -> this.sendersOn = Integer.parseInt(value);
            case "--rounds" -> this.rounds = Integer.parseInt(value);
            case "--abuse-claims" -> this.abuseClaims = Integer.parseInt(value);
            case "--abuse-claims-again" -> this.abuseClaimsAgain = Integer.parseInt(value);
            case "--abuse-joins" -> this.abuseJoins = Integer.parseInt(value);
            case "--abuse-subscriptions" -> this.abuseSubscriptions = Integer.parseInt(value);
            case "--abuse-connections" -> this.abuseConnections = Integer.parseInt(value);
            case "--abuse-rooms" -> this.abuseRooms = Integer.parseInt(value);
            default -> throw new IllegalArgumentException("unknown option " + name);
        }
    }

    /** The comma-separated parts of a value, blanks dropped. */
    private static List<String> list(String value) {
        List<String> parts = new ArrayList<>();
        for (String part : value.split(",")) {
            if (!part.isBlank()) {
                parts.add(part.trim());
            }
        }
        if (parts.isEmpty()) {
            throw new IllegalArgumentException("empty value: " + value);
        }
        return parts;
    }

    private void validate() {
        if (this.urls.isEmpty()) {
            this.urls.add((this.protocol == Protocol.SOCKETIO) ? SOCKETIO_URL : STOMP_URL);
        }
        this.url = this.urls.get(0);
        this.serverPid = this.serverPids.isEmpty() ? null : this.serverPids.get(0);
        if (this.help) {
            return;
        }
        if (this.abuse) {
            validateAbuse();
            return;
        }
        require(this.connections > 0, "--connections must be positive");
        require(this.rooms > 0, "--rooms must be positive");
        require(this.senders >= 0 && this.senders <= this.connections, "--senders must be 0.." + this.connections);
        require(noSenders() || this.senders > 0, "--senders must be positive (or use --idle or --storm)");
        require(this.rate > 0, "--rate must be positive");
        require(this.ioThreads > 0, "--io-threads must be positive");
        require(this.client.equals("netty") || this.client.equals("jdk"), "--client must be netty or jdk");
        require(this.connectConcurrency > 0, "--connect-concurrency must be positive");
        require(this.payload >= 0 && this.payload <= 2000, "--payload must be 0..2000");
        require(!(this.sweep && this.idle), "--sweep and --idle exclude each other");
        require(!this.sweepAll || this.sweep, "--sweep-all needs --sweep");
        require(this.startAtMillis == null || !(this.idle || this.storm), "--start-at is for steps (not --idle or --storm)");
        require(!(this.storm && (this.sweep || this.idle || this.slowReaders > 0)),
                "--storm excludes --sweep, --idle and --slow-readers");
        // one page of the catch-up fetch holds the whole backlog: "caught up" is one answer
        require(this.stormBacklog >= 0 && this.stormBacklog <= 200, "--storm-backlog must be 0..200");
        require(this.stormRounds > 0, "--storm-rounds must be positive");
        require(!this.heartbeat.isNegative(), "--heartbeat must not be negative");
        require(this.spreadHosts.isEmpty() || instances() == 1, "--spread-hosts spreads one server's connections: one --url");
        // senders are the first users, slow readers the last: they must not overlap
        require(this.slowReaders >= 0 && this.slowReaders <= this.connections - this.senders,
                "--slow-readers must be 0.." + (this.connections - this.senders) + " (connections minus senders)");
        // one measured window: the cut-off times are relative to it
        require(this.slowReaders == 0 || !(this.sweep || this.idle), "--slow-readers needs one step (no --sweep or --idle)");
        require(!this.resumeWait.isNegative(), "--resume-wait must not be negative");
        require(!this.duration.isNegative() && !this.duration.isZero(), "--duration must be positive");
        require(sweepStart() > 0 && sweepStep() > 0, "sweep rates must be positive");
        for (URI each : this.urls) {
            String scheme = each.getScheme();
            require("ws".equals(scheme) || "wss".equals(scheme), "--url must be ws:// or wss://");
        }
        require(this.https.isEmpty() || this.https.size() == this.urls.size(),
                "--http: one per --url (" + this.urls.size() + "), in the same order");
        if (this.https.isEmpty()) {
            this.urls.forEach(each -> this.https.add(httpBase(each)));
        }
        this.http = this.https.get(0);
        require(this.sendersOn == null || (this.sendersOn >= 0 && this.sendersOn < instances()),
                "--senders-on must be 0.." + (instances() - 1) + " (an index into --url)");
    }

    /** The abuse workload has its own sizes; the load's options do not apply to it. */
    private void validateAbuse() {
        require(!(this.sweep || this.idle || this.slowReaders > 0), "--abuse excludes --sweep, --idle and --slow-readers");
        require(!socketIo(), "--abuse is for Parley (--protocol stomp)");
        require(instances() == 1, "--abuse measures one server: one --url");
        require(this.rounds > 0, "--rounds must be positive");
        require(this.abuseClaims >= 0 && this.abuseClaimsAgain >= 0 && this.abuseJoins >= 0 && this.abuseSubscriptions >= 0
                && this.abuseConnections >= 0 && this.abuseRooms >= 0, "--abuse-* sizes must not be negative");
        require(this.connectConcurrency > 0, "--connect-concurrency must be positive");
        require(this.ioThreads > 0, "--io-threads must be positive");
        require(this.client.equals("netty") || this.client.equals("jdk"), "--client must be netty or jdk");
        // the silent sockets speak plain TCP
        require("ws".equals(this.url.getScheme()), "--abuse needs a ws:// --url");
        require(this.https.size() <= 1, "--http: one per --url");
        if (this.https.isEmpty()) {
            this.https.add(httpBase(this.url));
        }
        this.http = this.https.get(0);
    }

    /** How many server instances the users are spread over. */
    int instances() {
        return this.urls.size();
    }

    /**
     * The instance user {@code user} connects to: users are spread round-robin over the rooms
     * (user i is in room i mod rooms), and each room's members round-robin over the instances (a
     * room's k-th member, user k * rooms + room, to instance k mod instances), so that every room
     * with at least as many members as instances has members on each. (Plain i mod instances
     * would put a whole room on one instance whenever the numbers of rooms and instances share a
     * factor.) Senders are a room's first members, so they too are spread; with
     * {@code --senders-on} they all go to that instance instead.
     */
    int instanceOf(int user) {
        if (this.sendersOn != null && user < this.senders && !noSenders()) {
            return this.sendersOn;
        }
        return (user / this.rooms) % instances();
    }

    /**
     * {@code base} with user {@code user}'s host of {@code --spread-hosts} (unchanged without
     * them): the same server through another address.
     */
    URI spread(URI base, int user) {
        if (this.spreadHosts.isEmpty()) {
            return base;
        }
        String host = this.spreadHosts.get(user % this.spreadHosts.size());
        try {
            return new URI(base.getScheme(), base.getUserInfo(), host, base.getPort(), base.getPath(), base.getQuery(), null);
        }
        catch (java.net.URISyntaxException ex) {
            throw new IllegalArgumentException("--spread-hosts: " + host, ex);
        }
    }

    /** Modes that only connect: nobody sends at a rate (--senders does not apply). */
    boolean noSenders() {
        return this.idle || this.storm;
    }

    boolean socketIo() {
        return this.protocol == Protocol.SOCKETIO;
    }

    private static Protocol protocol(String value) {
        return switch (value.toLowerCase(Locale.ROOT)) {
            case "stomp" -> Protocol.STOMP;
            case "socketio", "socket.io" -> Protocol.SOCKETIO;
            default -> throw new IllegalArgumentException("--protocol must be stomp or socketio");
        };
    }

    double sweepStart() {
        return (this.sweepStart != null) ? this.sweepStart : this.rate;
    }

    double sweepStep() {
        return (this.sweepStep != null) ? this.sweepStep : sweepStart();
    }

    /** {@code ws://h:p/ctx/ws/websocket} → {@code http://h:p/ctx}. */
    static URI httpBase(URI ws) {
        String scheme = "wss".equals(ws.getScheme()) ? "https" : "http";
        String path = (ws.getPath() != null) ? ws.getPath() : "";
        if (path.endsWith("/")) {
            path = path.substring(0, path.length() - 1);
        }
        if (path.endsWith("/websocket")) {
            path = path.substring(0, path.length() - "/websocket".length());
        }
        if (path.endsWith("/ws")) {
            path = path.substring(0, path.length() - "/ws".length());
        }
        String authority = ws.getRawAuthority();
        return URI.create(scheme + "://" + authority + path);
    }

    static Duration duration(String text) {
        String value = text.trim().toLowerCase();
        try {
            if (value.endsWith("ms")) {
                return Duration.ofMillis(Long.parseLong(value.substring(0, value.length() - 2)));
            }
            if (value.endsWith("s")) {
                return Duration.ofMillis(Math.round(Double.parseDouble(value.substring(0, value.length() - 1)) * 1000));
            }
            if (value.endsWith("m")) {
                return Duration.ofMillis(Math.round(Double.parseDouble(value.substring(0, value.length() - 1)) * 60_000));
            }
            if (value.endsWith("h")) {
                return Duration.ofMillis(Math.round(Double.parseDouble(value.substring(0, value.length() - 1)) * 3_600_000));
            }
            return Duration.ofMillis(Math.round(Double.parseDouble(value) * 1000));
        }
        catch (NumberFormatException ex) {
            throw new IllegalArgumentException("not a duration: " + text);
        }
    }

    private static void require(boolean condition, String message) {
        if (!condition) {
            throw new IllegalArgumentException(message);
        }
    }
}
