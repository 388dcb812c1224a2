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

/** The abuse workload's results: each round's counts and the server's memory, as a table and as JSON. */
final class AbuseReport {

    /**
     * @param retryAfterMinSeconds the smallest {@code Retry-After} of the refusals, -1 if none had one
     */
    record Claims(int tried, int accepted, int refused, int other, long retryAfterMinSeconds, long retryAfterMaxSeconds,
            double seconds) {
    }

    /**
     * @param stillOpen the connection answered a frame sent after all the joins
     */
    record Joins(int tried, int accepted, int limitExceeded, int otherErrors, boolean stillOpen, String closeReason) {
    }

    /**
     * @param taken RECEIPTs before the ERROR frame: subscriptions the server took
     * @param closedAfterSeconds from the first SUBSCRIBE to the close, -1 if it stayed open
     */
    record Subscriptions(int tried, int taken, String errorMessage, boolean closed, double closedAfterSeconds) {
    }

    /**
     * @param refusedClosed of the refused connections, how many the server closed
     * @param roomsJoined joins answered without an error reply, over the accepted connections
     */
    record NicknameConnections(int tried, int accepted, int refused, String refusedMessage, int refusedClosed,
            int roomsJoined) {
    }

    /**
     * {@code GET /api/rooms} without parameters, then its pages through {@code Link: rel="next"}.
     *
     * @param overMaxStatus the status of a page size far over the maximum ({@code ?limit=5000})
     */
    record Listing(int status, int rooms, int bytes, boolean link, int pages, int totalRooms, int overMaxStatus) {
    }

    /** Heap used after a full GC and RSS of the server, bytes; -1 where unknown. */
    record Memory(long heapBytes, long rssBytes) {

        static final Memory UNKNOWN = new Memory(-1, -1);
    }

    /**
     * @param held the server's memory while the round's connections were open (after the listing)
     * @param releasedSeconds from closing the round's connections until the room list no longer
     *        showed its rooms (-1 if it still did after the time allowed)
     * @param after the server's memory once they were gone
     */
    record Round(int round, Claims claims, Joins joins, Subscriptions subscriptions, NicknameConnections connections,
            SilentSocket.Outcome noConnect, Listing listing, Memory held, double releasedSeconds, Memory after) {
    }

    private final Options options;

    private final Memory before;

    private final List<Round> rounds;

    private final SilentSocket.Outcome bareTcp;

    private final List<String> warnings;

    AbuseReport(Options options, Memory before, List<Round> rounds, SilentSocket.Outcome bareTcp, List<String> warnings) {
        this.options = options;
        this.before = before;
        this.rounds = List.copyOf(rounds);
        this.bareTcp = bareTcp;
        this.warnings = List.copyOf(warnings);
    }

    /**
     * Least-squares slope of the values (one per round, in order), skipping unknown (negative)
     * ones; NaN with fewer than two known values. A heap that leaks grows by about the same amount
     * each round: the slope; a bounded one stays flat whatever the first round took.
     */
    static double slope(List<Long> values) {
        double n = 0;
        double sx = 0;
        double sy = 0;
        double sxx = 0;
        double sxy = 0;
        for (int i = 0; i < values.size(); i++) {
            long y = values.get(i);
            if (y < 0) {
                continue;
            }
            n++;
            sx += i;
            sy += y;
            sxx += (double) i * i;
            sxy += (double) i * y;
        }
        double denominator = n * sxx - sx * sx;
        return (n < 2 || denominator == 0) ? Double.NaN : (n * sxy - sx * sy) / denominator;
    }

    static String mb(long bytes) {
        return (bytes < 0) ? "?" : String.format(Locale.ROOT, "%.1f MB", bytes / 1e6);
    }

    private List<Long> afterHeaps() {
        return this.rounds.stream().map(round -> round.after().heapBytes()).toList();
    }

    private List<Long> heldHeaps() {
        return this.rounds.stream().map(round -> round.held().heapBytes()).toList();
    }

    void print(PrintStream out) {
        Locale.setDefault(Locale.ROOT);
        out.println();
        out.printf("machine        %d cpus, java %s%n", Runtime.getRuntime().availableProcessors(),
                System.getProperty("java.version"));
        out.printf("server         %s, pid %s%n", this.options.url,
                this.options.serverPid == null ? "not given (no memory figures)" : this.options.serverPid);
        out.printf("rounds         %d, each with new connections and rooms, one client address%n", this.rounds.size());
        if (this.rounds.isEmpty()) {
            printWarnings(out);
            return;
        }
        Round first = this.rounds.get(0);
        out.println();
        out.println("round 1");
        Claims c = first.claims();
        out.printf("  claims       %d tried in %.1f s: %d accepted, %d refused 429 (Retry-After %s), %d other%n",
                c.tried(), c.seconds(), c.accepted(), c.refused(), retryAfter(c), c.other());
        Joins j = first.joins();
        out.printf("  joins        %d by one connection: %d accepted, %d LIMIT_EXCEEDED, %d other error replies; "
                + "connection %s%n", j.tried(), j.accepted(), j.limitExceeded(), j.otherErrors(),
                j.stillOpen() ? "still open" : "closed (" + j.closeReason() + ")");
        Subscriptions s = first.subscriptions();
        out.printf("  subscribes   %d by one connection: %d taken, then %s; %s%n", s.tried(), s.taken(),
                s.errorMessage() == null ? "no ERROR frame" : "ERROR '" + s.errorMessage() + "'",
                s.closed() ? String.format("closed %.2f s after the first SUBSCRIBE", s.closedAfterSeconds())
                        : "NOT closed");
        NicknameConnections n = first.connections();
        out.printf("  connections  %d for one nickname: %d accepted, %d refused (%s), %d of them closed; "
                + "the accepted joined %d rooms%n", n.tried(), n.accepted(), n.refused(),
                n.refusedMessage() == null ? "-" : "'" + n.refusedMessage() + "'", n.refusedClosed(), n.roomsJoined());
        out.printf("  no CONNECT   %s%n", describe(first.noConnect()));
        Listing l = first.listing();
        out.printf("  room list    GET /api/rooms: %d, %d rooms in %d bytes, Link %s; %d pages, %d rooms in all; "
                + "?limit=5000: %d%n", l.status(), l.rooms(), l.bytes(), l.link() ? "rel=\"next\"" : "absent", l.pages(),
                l.totalRooms(), l.overMaxStatus());
        out.println();
        out.println("round  claims ok/429  joins ok/LIMIT open  subs taken closed  conns ok/refused  rooms  "
                + "no-CONNECT closed  list rooms/bytes/link  released  heap held  heap after  RSS after");
        for (Round round : this.rounds) {
            out.printf("%5d  %13s  %10s %-4s  %10d %-6s  %16s  %5d  %17s  %21s  %8s  %9s  %10s  %9s%n",
                    round.round(), round.claims().accepted() + "/" + round.claims().refused(),
                    round.joins().accepted() + "/" + round.joins().limitExceeded(), round.joins().stillOpen() ? "yes" : "no",
                    round.subscriptions().taken(), round.subscriptions().closed() ? "yes" : "no",
                    round.connections().accepted() + "/" + round.connections().refused(), round.connections().roomsJoined(),
                    closedAfter(round.noConnect()), round.listing().rooms() + "/" + round.listing().bytes() + "/"
                            + (round.listing().link() ? "yes" : "no"),
                    round.releasedSeconds() < 0 ? "no" : String.format("%.1f s", round.releasedSeconds()),
                    mb(round.held().heapBytes()), mb(round.after().heapBytes()), mb(round.after().rssBytes()));
        }
        out.println();
        Round last = this.rounds.get(this.rounds.size() - 1);
        out.printf("heap after GC  before %s; after round 1 %s, after round %d %s (%s per round, least squares "
                + "over the rounds)%n", mb(this.before.heapBytes()), mb(first.after().heapBytes()), last.round(),
                mb(last.after().heapBytes()), signedMb(slope(afterHeaps())));
        out.printf("  while held   round 1 %s, round %d %s (%s per round)%n", mb(first.held().heapBytes()), last.round(),
                mb(last.held().heapBytes()), signedMb(slope(heldHeaps())));
        out.printf("RSS            before %s, after round 1 %s, after round %d %s%n", mb(this.before.rssBytes()),
                mb(first.after().rssBytes()), last.round(), mb(last.after().rssBytes()));
        if (this.bareTcp != null) {
            out.printf("bare TCP       a connection that never sent a request: %s%n", describe(this.bareTcp));
        }
        printWarnings(out);
    }

    private void printWarnings(PrintStream out) {
        for (String warning : this.warnings) {
            out.println("WARNING        " + warning);
        }
    }

    private static String signedMb(double bytes) {
        return Double.isNaN(bytes) ? "?" : String.format(Locale.ROOT, "%+.2f MB", bytes / 1e6);
    }

    private static String retryAfter(Claims claims) {
        if (claims.retryAfterMinSeconds() < 0) {
            return "none";
        }
        return (claims.retryAfterMinSeconds() == claims.retryAfterMaxSeconds()) ? claims.retryAfterMinSeconds() + " s"
                : claims.retryAfterMinSeconds() + "-" + claims.retryAfterMaxSeconds() + " s";
    }

    private static String closedAfter(SilentSocket.Outcome outcome) {
        if (outcome == null) {
            return "-";
        }
        double at = (outcome.closeFrameSeconds() >= 0) ? outcome.closeFrameSeconds() : outcome.endSeconds();
        return (at < 0) ? "no" : String.format(Locale.ROOT, "%.1f s", at);
    }

    static String describe(SilentSocket.Outcome outcome) {
        if (outcome == null) {
            return "not measured";
        }
        StringBuilder text = new StringBuilder();
        if (outcome.upgraded()) {
            text.append("upgraded (").append(outcome.status()).append("), ");
            if (outcome.closeFrameSeconds() >= 0) {
                text.append(String.format(Locale.ROOT, "close frame %d after %.2f s, ", outcome.closeStatus(),
                        outcome.closeFrameSeconds()));
            }
            else {
                text.append("no close frame, ");
            }
        }
        else if (outcome.status() != null) {
            text.append("not upgraded (").append(outcome.status()).append("), ");
        }
        text.append((outcome.endSeconds() >= 0)
                ? String.format(Locale.ROOT, "TCP closed by the server after %.2f s", outcome.endSeconds())
                : "TCP not closed");
        if (outcome.note() != null) {
            text.append(" (").append(outcome.note()).append(')');
        }
        return text.toString();
    }

    Map<String, Object> json() {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("tool", "parley-bench");
        json.put("workload", "abuse");
        json.put("finishedAt", Instant.now().toString());
        json.put("serverMustRunWith", "its default limits (chat.limits.*, chat.rooms.*)");
        json.put("options", this.options.given);
        json.put("url", this.options.url.toString());
        json.put("serverPid", this.options.serverPid);
        Map<String, Object> machine = new LinkedHashMap<>();
        machine.put("cpus", Runtime.getRuntime().availableProcessors());
        machine.put("java", System.getProperty("java.version"));
        json.put("machine", machine);
        json.put("before", memory(this.before));
        List<Object> rounds = new ArrayList<>();
        for (Round round : this.rounds) {
            rounds.add(round(round));
        }
        json.put("rounds", rounds);
        Map<String, Object> summary = new LinkedHashMap<>();
        summary.put("heapBeforeBytes", this.before.heapBytes());
        if (!this.rounds.isEmpty()) {
            summary.put("heapAfterFirstRoundBytes", this.rounds.get(0).after().heapBytes());
            summary.put("heapAfterLastRoundBytes", this.rounds.get(this.rounds.size() - 1).after().heapBytes());
            summary.put("heapHeldFirstRoundBytes", this.rounds.get(0).held().heapBytes());
            summary.put("heapHeldLastRoundBytes", this.rounds.get(this.rounds.size() - 1).held().heapBytes());
            summary.put("rssAfterLastRoundBytes", this.rounds.get(this.rounds.size() - 1).after().rssBytes());
        }
        summary.put("heapAfterGrowthPerRoundBytes", slope(afterHeaps()));
        summary.put("heapHeldGrowthPerRoundBytes", slope(heldHeaps()));
        summary.put("rssBeforeBytes", this.before.rssBytes());
        json.put("summary", summary);
        json.put("bareTcp", outcome(this.bareTcp));
        json.put("warnings", this.warnings);
        return json;
    }

    private static Map<String, Object> round(Round round) {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("round", round.round());
        Claims c = round.claims();
        json.put("claims", ordered("tried", c.tried(), "accepted", c.accepted(), "refused429", c.refused(), "other",
                c.other(), "retryAfterMinSeconds", c.retryAfterMinSeconds(), "retryAfterMaxSeconds",
                c.retryAfterMaxSeconds(), "seconds", c.seconds()));
        Joins j = round.joins();
        json.put("joins", ordered("tried", j.tried(), "accepted", j.accepted(), "limitExceeded", j.limitExceeded(),
                "otherErrorReplies", j.otherErrors(), "connectionStillOpen", j.stillOpen(), "closeReason",
                j.closeReason()));
        Subscriptions s = round.subscriptions();
        json.put("subscriptions", ordered("tried", s.tried(), "taken", s.taken(), "errorMessage", s.errorMessage(),
                "closed", s.closed(), "closedAfterSeconds", s.closedAfterSeconds()));
        NicknameConnections n = round.connections();
        json.put("nicknameConnections", ordered("tried", n.tried(), "accepted", n.accepted(), "refused", n.refused(),
                "refusedMessage", n.refusedMessage(), "refusedClosed", n.refusedClosed(), "roomsJoined",
                n.roomsJoined()));
        json.put("noConnect", outcome(round.noConnect()));
        Listing l = round.listing();
        json.put("rooms", ordered("status", l.status(), "rooms", l.rooms(), "bytes", l.bytes(), "link", l.link(),
                "pages", l.pages(), "totalRooms", l.totalRooms(), "limit5000Status", l.overMaxStatus()));
        json.put("held", memory(round.held()));
        json.put("releasedSeconds", round.releasedSeconds());
        json.put("after", memory(round.after()));
        return json;
    }

    private static Map<String, Object> memory(Memory memory) {
        return ordered("heapAfterGcBytes", memory.heapBytes(), "rssBytes", memory.rssBytes());
    }

    private static Map<String, Object> outcome(SilentSocket.Outcome outcome) {
        if (outcome == null) {
            return null;
        }
        return ordered("upgraded", outcome.upgraded(), "status", outcome.status(), "closeFrameSeconds",
                outcome.closeFrameSeconds(), "closeStatus", outcome.closeStatus(), "tcpClosedSeconds",
                outcome.endSeconds(), "note", outcome.note());
    }

    private static Map<String, Object> ordered(Object... keysAndValues) {
        Map<String, Object> map = new LinkedHashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            map.put((String) keysAndValues[i], keysAndValues[i + 1]);
        }
        return map;
    }

    void writeJson(String file) {
        try {
            Path path = Path.of(file);
            if (path.getParent() != null) {
                Files.createDirectories(path.getParent());
            }
            Files.writeString(path, JsonOut.write(json()));
        }
        catch (IOException ex) {
            System.err.println("parley-bench: cannot write " + file + ": " + ex);
        }
    }
}
