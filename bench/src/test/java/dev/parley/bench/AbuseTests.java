package dev.parley.bench;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AbuseTests {

    @Test
    void abuseIsAModeWithItsOwnSizes() {
        Options options = Options.parse("--abuse", "--url", "ws://127.0.0.1:8450/ws/websocket", "--server-pid", "42",
                "--rounds", "3", "--abuse-claims", "100");
        assertTrue(options.abuse);
        assertEquals(3, options.rounds);
        assertEquals(100, options.abuseClaims);
        assertEquals(300, options.abuseClaimsAgain);
        // the experiment by default
        assertEquals(5000, options.abuseJoins);
        assertEquals(20_000, options.abuseSubscriptions);
        assertEquals(25, options.abuseConnections);
        assertEquals(100, options.abuseRooms);
        assertEquals("http://127.0.0.1:8450", options.http.toString());
        assertEquals(42L, options.serverPid);
        assertThrows(IllegalArgumentException.class, () -> Options.parse("--abuse", "--idle"));
        assertThrows(IllegalArgumentException.class, () -> Options.parse("--abuse", "--protocol", "socketio"));
        assertThrows(IllegalArgumentException.class, () -> Options.parse("--abuse", "--rounds", "0"));
        assertThrows(IllegalArgumentException.class, () -> Options.parse("--abuse", "--url", "wss://h/ws/websocket"));
        assertThrows(IllegalArgumentException.class,
                () -> Options.parse("--abuse", "--url", "ws://h:1/ws/websocket,ws://h:2/ws/websocket"));
    }

    @Test
    void readsRetryAfterInSeconds() {
        assertEquals(180, Abuse.retryAfterSeconds("180"));
        assertEquals(7, Abuse.retryAfterSeconds(" 7 "));
        assertEquals(-1, Abuse.retryAfterSeconds(null));
        assertEquals(-1, Abuse.retryAfterSeconds("Wed, 21 Oct 2015 07:28:00 GMT"));
    }

    @Test
    void followsOnlyTheNextLink() {
        assertEquals("/api/rooms?after=b-99", Abuse.nextLink("</api/rooms?after=b-99>; rel=\"next\""));
        assertEquals("/p2", Abuse.nextLink("</p0>; rel=\"prev\", </p2>; rel=next"));
        assertNull(Abuse.nextLink("</p0>; rel=\"prev\""));
        assertNull(Abuse.nextLink(null));
    }

    @Test
    void roomNamesOfARoundAreValidAndItsOwn() {
        Abuse abuse = new Abuse(Options.parse("--abuse"), System.out, System.err);
        String round1 = abuse.roomPrefix(1);
        String round10 = abuse.roomPrefix(10);
        // the longest names the workload makes: joins, subscriptions and the connections' rooms
        for (String room : List.of(round10 + "j4999", round10 + "s19999", round10 + "c24x99")) {
            assertTrue(room.matches("[a-z0-9][a-z0-9_-]{0,31}"), room);
        }
        // the released check lists by prefix: round 1's must not match round 10's rooms
        assertFalse((round10 + "j0").startsWith(round1));
    }

    @Test
    void aLeakIsTheSlopeOverTheRoundsNotTheFirstRoundsCost() {
        // a first round that takes 20 MB, then flat: nothing per round
        assertEquals(0, AbuseReport.slope(List.of(60_000_000L, 60_000_000L, 60_000_000L, 60_000_000L)), 1e-6);
        // 1 MB more every round
        assertEquals(1_000_000, AbuseReport.slope(List.of(60_000_000L, 61_000_000L, 62_000_000L, 63_000_000L)), 1e-6);
        // unknown figures are skipped; fewer than two known: no slope
        assertEquals(2_000_000, AbuseReport.slope(List.of(10_000_000L, -1L, 14_000_000L)), 1e-6);
        assertTrue(Double.isNaN(AbuseReport.slope(List.of(5L))));
        assertTrue(Double.isNaN(AbuseReport.slope(List.of(-1L, -1L))));
    }

    private static AbuseReport.Round round(int index, long heapAfter) {
        return new AbuseReport.Round(index,
                new AbuseReport.Claims(3000, index == 1 ? 3 : 0, index == 1 ? 2997 : 3000, 0, 170, 180, 2.5),
                new AbuseReport.Joins(5000, 100, 4900, 0, true, null),
                new AbuseReport.Subscriptions(20_000, 256, "too many subscriptions", true, 0.4),
                new AbuseReport.NicknameConnections(25, 20, 5, "too many connections", 5, 2000),
                new SilentSocket.Outcome(true, "HTTP/1.1 101 ", 10.01, 1008, 10.02, null),
                new AbuseReport.Listing(200, 100, 9000, true, 22, 2100, 400),
                new AbuseReport.Memory(heapAfter + 30_000_000L, 300_000_000L), 0.3,
                new AbuseReport.Memory(heapAfter, 290_000_000L));
    }

    @Test
    void theReportGivesRoundOneInFullAndTheHeapOverTheRounds() {
        List<AbuseReport.Round> rounds = new ArrayList<>();
        for (int i = 1; i <= 3; i++) {
            rounds.add(round(i, 40_000_000L + i * 500_000L));
        }
        Options options = Options.parse("--abuse", "--server-pid", "42", "--rounds", "3");
        AbuseReport report = new AbuseReport(options, new AbuseReport.Memory(38_000_000L, 250_000_000L), rounds,
                new SilentSocket.Outcome(false, null, -1, -1, 60.0, null), List.of());
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        report.print(new PrintStream(bytes, true, StandardCharsets.UTF_8));
        String text = bytes.toString(StandardCharsets.UTF_8);
        assertTrue(text.contains("3000 tried in 2.5 s: 3 accepted, 2997 refused 429 (Retry-After 170-180 s)"), text);
        assertTrue(text.contains("5000 by one connection: 100 accepted, 4900 LIMIT_EXCEEDED"), text);
        assertTrue(text.contains("20000 by one connection: 256 taken, then ERROR 'too many subscriptions'"), text);
        assertTrue(text.contains("25 for one nickname: 20 accepted, 5 refused ('too many connections')"), text);
        assertTrue(text.contains("close frame 1008 after 10.01 s"), text);
        assertTrue(text.contains("100 rooms in 9000 bytes, Link rel=\"next\"; 22 pages, 2100 rooms in all; ?limit=5000: 400"), text);
        assertTrue(text.contains("before 38.0 MB; after round 1 40.5 MB, after round 3 41.5 MB (+0.50 MB per round"), text);
        assertTrue(text.contains("TCP closed by the server after 60.00 s"), text);
        // one row per round
        assertTrue(text.lines().anyMatch(line -> line.matches("\\s+2\\s+0/3000\\s+100/4900 yes\\s+256 yes\\s+20/5\\s+2000 .*")), text);

        Map<String, Object> json = report.json();
        assertEquals("abuse", json.get("workload"));
        @SuppressWarnings("unchecked")
        Map<String, Object> summary = (Map<String, Object>) json.get("summary");
        assertEquals(500_000.0, (double) summary.get("heapAfterGrowthPerRoundBytes"), 1e-6);
        assertEquals(41_500_000L, summary.get("heapAfterLastRoundBytes"));
        assertEquals(3, ((List<?>) json.get("rounds")).size());
        String written = JsonOut.write(json);
        assertTrue(written.contains("\"limitExceeded\": 4900"), written);
        assertTrue(written.contains("\"closeStatus\": 1008"), written);
    }
}
