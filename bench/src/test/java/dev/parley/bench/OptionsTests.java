package dev.parley.bench;

import java.net.URI;
import java.time.Duration;

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
}
