package dev.parley.bench;

import java.net.URI;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class OptionsTests {

    @Test
    void parsesTheIssuesCommandLine() {
        Options options = Options.parse("--url", "ws://127.0.0.1:8080/ws/websocket", "--connections", "500", "--rooms",
                "10", "--senders", "20", "--rate", "200", "--duration", "30s", "--warmup=10s");
        assertEquals(500, options.connections);
        assertEquals(10, options.rooms);
        assertEquals(20, options.senders);
        assertEquals(200, options.rate);
        assertEquals(Duration.ofSeconds(30), options.duration);
        assertEquals(Duration.ofSeconds(10), options.warmup);
        assertEquals(URI.create("http://127.0.0.1:8080"), options.http);
    }

    @Test
    void parsesDurations() {
        assertEquals(Duration.ofMillis(500), Options.duration("500ms"));
        assertEquals(Duration.ofMillis(2500), Options.duration("2.5s"));
        assertEquals(Duration.ofMinutes(2), Options.duration("2m"));
        assertEquals(Duration.ofSeconds(7), Options.duration("7"));
        assertThrows(IllegalArgumentException.class, () -> Options.duration("soon"));
    }

    @Test
    void derivesTheRestBaseFromTheWebSocketUrl() {
        assertEquals(URI.create("http://h:1/ctx"), Options.httpBase(URI.create("ws://h:1/ctx/ws/websocket")));
        assertEquals(URI.create("https://h"), Options.httpBase(URI.create("wss://h/ws/websocket/")));
        assertEquals(URI.create("http://h:2"), Options.httpBase(URI.create("ws://h:2/ws")));
        assertEquals(URI.create("http://other:9"),
                Options.parse("--url", "ws://h:2/ws/websocket", "--http", "http://other:9/").http);
    }

    @Test
    void sweepDefaultsFollowTheRate() {
        Options options = Options.parse("--sweep", "--rate", "250");
        assertTrue(options.sweep);
        assertEquals(250, options.sweepStart());
        assertEquals(250, options.sweepStep());
        Options explicit = Options.parse("--sweep", "--sweep-start", "100", "--sweep-step", "50");
        assertEquals(100, explicit.sweepStart());
        assertEquals(50, explicit.sweepStep());
    }

    @Test
    void theProtocolChoosesTheDefaultUrl() {
        Options stomp = Options.parse();
        assertEquals(Options.Protocol.STOMP, stomp.protocol);
        assertEquals(URI.create("ws://127.0.0.1:8080/ws/websocket"), stomp.url);
        Options socketIo = Options.parse("--protocol", "socketio");
        assertTrue(socketIo.socketIo());
        assertEquals(URI.create("ws://127.0.0.1:3000/socket.io/?EIO=4&transport=websocket"), socketIo.url);
        Options given = Options.parse("--protocol=socketio", "--url", "ws://h:3001/socket.io/?EIO=4&transport=websocket");
        assertEquals(3001, given.url.getPort());
        assertThrows(IllegalArgumentException.class, () -> Options.parse("--protocol", "mqtt"));
    }

    @Test
    void refusesNonsense() {
        assertThrows(IllegalArgumentException.class, () -> Options.parse("--connections", "5", "--senders", "6"));
        assertThrows(IllegalArgumentException.class, () -> Options.parse("--rate", "0"));
        assertThrows(IllegalArgumentException.class, () -> Options.parse("--bogus", "1"));
        assertThrows(IllegalArgumentException.class, () -> Options.parse("--rooms"));
        assertThrows(IllegalArgumentException.class, () -> Options.parse("--url", "http://h/ws"));
        assertThrows(IllegalArgumentException.class, () -> Options.parse("--idle", "--sweep"));
        // slow readers are the last users, never senders, and need a single step
        assertEquals(3, Options.parse("--connections", "10", "--senders", "7", "--slow-readers", "3").slowReaders);
        assertThrows(IllegalArgumentException.class,
                () -> Options.parse("--connections", "10", "--senders", "7", "--slow-readers", "4"));
        assertThrows(IllegalArgumentException.class, () -> Options.parse("--sweep", "--slow-readers", "1"));
        // idle needs no senders
        assertEquals(0, Options.parse("--idle", "--senders", "0").senders);
    }

    @Test
    void generatorsSideBySideTakeEveryStepFromOneStartTime() {
        Options options = Options.parse("--sweep", "--sweep-all", "--start-at", "1765000000000");
        assertTrue(options.sweepAll);
        assertEquals(1765000000000L, options.startAtMillis);
        assertEquals("true", options.given.get("sweep-all"));
        assertThrows(IllegalArgumentException.class, () -> Options.parse("--sweep-all"));
        assertThrows(IllegalArgumentException.class, () -> Options.parse("--idle", "--start-at", "1"));
        assertThrows(IllegalArgumentException.class, () -> Options.parse("--storm", "--start-at", "1"));
    }

    @Test
    void spreadHostsGiveEachUserOneOfTheAddressesOfTheSameServer() {
        Options options = Options.parse("--url", "ws://127.0.0.1:8450/ws/websocket", "--spread-hosts", "127.0.0.1,127.0.0.2,127.0.0.3");
        assertEquals(URI.create("ws://127.0.0.1:8450/ws/websocket"), options.spread(options.url, 0));
        assertEquals(URI.create("ws://127.0.0.2:8450/ws/websocket"), options.spread(options.url, 1));
        assertEquals(URI.create("ws://127.0.0.3:8450/ws/websocket"), options.spread(options.url, 5));
        assertEquals(URI.create("http://127.0.0.2:8450"), options.spread(options.http, 4));
        // without them, the URL as given
        Options plain = Options.parse("--url", "ws://127.0.0.1:8450/ws/websocket");
        assertEquals(plain.url, plain.spread(plain.url, 7));
        // one server only: with several --url they would be instances, not addresses
        assertThrows(IllegalArgumentException.class, () -> Options.parse("--url",
                "ws://127.0.0.1:8450/ws/websocket,ws://127.0.0.1:8451/ws/websocket", "--spread-hosts", "127.0.0.2"));
    }

    @Test
    void heartbeatsAreOffUnlessAsked() {
        assertTrue(Options.parse().heartbeat.isZero());
        assertEquals(Duration.ofSeconds(10), Options.parse("--heartbeat", "10s").heartbeat);
    }

    @Test
    void aStormOnlyConnectsAndItsBacklogFitsOnePage() {
        Options storm = Options.parse("--storm", "--senders", "0", "--storm-backlog", "200");
        assertTrue(storm.storm);
        assertTrue(storm.noSenders());
        assertEquals(200, storm.stormBacklog);
        assertEquals(20, Options.parse("--storm").stormBacklog);
        assertThrows(IllegalArgumentException.class, () -> Options.parse("--storm", "--storm-backlog", "201"));
        assertThrows(IllegalArgumentException.class, () -> Options.parse("--storm", "--storm-backlog", "-1"));
        assertThrows(IllegalArgumentException.class, () -> Options.parse("--storm", "--idle"));
        assertThrows(IllegalArgumentException.class, () -> Options.parse("--storm", "--sweep"));
        assertThrows(IllegalArgumentException.class, () -> Options.parse("--storm", "--slow-readers", "1"));
    }

    @Test
    void aClusterIsSeveralUrlsRepeatedOrCommaSeparated() {
        Options repeated = Options.parse("--url", "ws://127.0.0.1:8450/ws/websocket", "--url=ws://127.0.0.1:8451/ws/websocket",
                "--server-pid", "11", "--server-pid", "12");
        Options commas = Options.parse("--url", "ws://127.0.0.1:8450/ws/websocket, ws://127.0.0.1:8451/ws/websocket",
                "--server-pid", "11,12");
        for (Options options : List.of(repeated, commas)) {
            assertEquals(2, options.instances());
            assertEquals(List.of(URI.create("ws://127.0.0.1:8450/ws/websocket"), URI.create("ws://127.0.0.1:8451/ws/websocket")),
                    options.urls);
            // each instance's REST base, for the claims of its users
            assertEquals(List.of(URI.create("http://127.0.0.1:8450"), URI.create("http://127.0.0.1:8451")), options.https);
            assertEquals(List.of(11L, 12L), options.serverPids);
            // the first of each, for what speaks of one server
            assertEquals(8450, options.url.getPort());
            assertEquals(URI.create("http://127.0.0.1:8450"), options.http);
            assertEquals(11L, options.serverPid);
        }
        // the report's options: repeated ones as one comma-separated value
        assertEquals("ws://127.0.0.1:8450/ws/websocket,ws://127.0.0.1:8451/ws/websocket", repeated.given.get("url"));
        assertEquals("11,12", repeated.given.get("server-pid"));
    }

    @Test
    void oneServerIsTheDefault() {
        Options options = Options.parse("--url", "ws://h:1/ws/websocket");
        assertEquals(1, options.instances());
        assertEquals(List.of(), options.serverPids);
        assertEquals(null, options.serverPid);
        for (int user = 0; user < 50; user++) {
            assertEquals(0, options.instanceOf(user));
        }
    }

    @Test
    void explicitRestBasesGoOnePerUrl() {
        Options options = Options.parse("--url", "ws://a:1/ws/websocket,ws://b:2/ws/websocket", "--http", "http://x:1/,http://y:2");
        assertEquals(List.of(URI.create("http://x:1"), URI.create("http://y:2")), options.https);
        assertThrows(IllegalArgumentException.class,
                () -> Options.parse("--url", "ws://a:1/ws/websocket,ws://b:2/ws/websocket", "--http", "http://x:1"));
        assertThrows(IllegalArgumentException.class, () -> Options.parse("--url", "ws://a:1/ws,http://b:2/ws"));
        assertThrows(IllegalArgumentException.class, () -> Options.parse("--server-pid", ","));
        assertThrows(NumberFormatException.class, () -> Options.parse("--server-pid", "11,x"));
    }

    @Test
    void everyRoomHasMembersOnEveryInstance() {
        // 10 rooms over 2 instances: user i mod 2 would put rooms 0, 2, 4... on the first instance only
        Options options = Options.parse("--url", "ws://h:1/ws/websocket,ws://h:2/ws/websocket", "--connections", "500",
                "--rooms", "10", "--senders", "20");
        int[][] members = new int[10][2];
        int[] perInstance = new int[2];
        int[][] senders = new int[10][2];
        for (int user = 0; user < 500; user++) {
            int room = user % 10;
            int instance = options.instanceOf(user);
            members[room][instance]++;
            perInstance[instance]++;
            if (user < 20) {
                senders[room][instance]++;
            }
        }
        for (int room = 0; room < 10; room++) {
            assertEquals(25, members[room][0]);
            assertEquals(25, members[room][1]);
            // the 20 senders: each room's two, one on each instance
            assertEquals(1, senders[room][0]);
            assertEquals(1, senders[room][1]);
        }
        assertEquals(250, perInstance[0]);
        // the big room: one room, users alternate
        Options big = Options.parse("--url", "ws://h:1/ws/websocket,ws://h:2/ws/websocket", "--rooms", "1", "--senders", "5");
        assertEquals(List.of(0, 1, 0, 1, 0), List.of(big.instanceOf(0), big.instanceOf(1), big.instanceOf(2),
                big.instanceOf(3), big.instanceOf(4)));
        // three instances, two rooms: a room's members go 0, 1, 2, 0, ...
        Options three = Options.parse("--url", "ws://h:1/ws/websocket,ws://h:2/ws/websocket,ws://h:3/ws/websocket",
                "--rooms", "2");
        assertEquals(List.of(0, 0, 1, 1, 2, 2, 0), List.of(three.instanceOf(0), three.instanceOf(1), three.instanceOf(2),
                three.instanceOf(3), three.instanceOf(4), three.instanceOf(5), three.instanceOf(6)));
    }

    @Test
    void sendersCanAllGoToOneInstance() {
        Options options = Options.parse("--url", "ws://h:1/ws/websocket,ws://h:2/ws/websocket", "--connections", "500",
                "--rooms", "10", "--senders", "20", "--senders-on", "1");
        for (int user = 0; user < 20; user++) {
            assertEquals(1, options.instanceOf(user));
        }
        // the others as before: user 20 is room 0's third member
        assertEquals(0, options.instanceOf(20));
        assertEquals(1, options.instanceOf(30));
        assertEquals(Step.Route.CROSS_INSTANCE, Bench.route(options, 0, 20));
        assertEquals(Step.Route.SAME_INSTANCE, Bench.route(options, 0, 30));
        assertThrows(IllegalArgumentException.class, () -> Options.parse("--url", "ws://h:1/ws/websocket,ws://h:2/ws/websocket",
                "--senders-on", "2"));
        assertThrows(IllegalArgumentException.class, () -> Options.parse("--senders-on", "1"));
    }
}
