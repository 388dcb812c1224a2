package dev.parley.delivery;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import tools.jackson.databind.JsonNode;

import dev.parley.support.ParleyApi;
import dev.parley.support.ParleyIntegrationTest;
import dev.parley.support.ParleyIntegrationTestBase;
import dev.parley.support.RawSockJsClient;
import dev.parley.support.ServerSockets;
import dev.parley.support.StompTestClient.Subscription;
import dev.parley.support.StompTestClient;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.web.socket.WebSocketHandler;
import org.springframework.web.socket.messaging.SubProtocolWebSocketHandler;

import static dev.parley.support.Destinations.join;
import static dev.parley.support.Destinations.topic;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Clients of SockJS's HTTP transports that go away without a DISCONNECT (a closed tab, a killed
 * process, a dead network) leave presence within the contract's bounds (section 5), and the
 * server keeps nothing of them: no socket in CLOSE_WAIT, no SockJS session. The clients are
 * {@link RawSockJsClient}s, whose TCP connections the test closes itself; an observer on a
 * plain WebSocket sees the LEAVE events.
 */
@ParleyIntegrationTest
@ExtendWith(OutputCaptureExtension.class)
class HttpSessionLivenessIntegrationTests extends ParleyIntegrationTestBase {

    /** Section 5: a closed connection ends its presence within 5 s. */
    private static final Duration CLOSED_BOUND = Duration.ofSeconds(5);

    /**
     * A poller whose held poll was closed: the poll is answered at the latest after half the
     * heart-beat interval (5 s), and the session ends once it has had no request for the
     * disconnect delay (5 s), found by a check every quarter second.
     */
    private static final Duration POLLER_BOUND = Duration.ofSeconds(16);

    /** Section 5: a client that went silent is gone within 40 s. */
    private static final Duration SILENT_BOUND = Duration.ofSeconds(40);

    private static final int CLIENTS = 5;

    private static final int HEARTBEAT_MILLIS = 10_000;

    @Autowired
    @Qualifier("subProtocolWebSocketHandler")
    WebSocketHandler webSocketHandler;

    private final List<RawSockJsClient> rawClients = new ArrayList<>();

    @AfterEach
    void closeRawClients() {
        this.rawClients.forEach(RawSockJsClient::close);
    }

    @RepeatedTest(5)
    void closedXhrStreamingClientsLeaveWithinFiveSeconds(CapturedOutput output) {
        closedClientsLeave(RawSockJsClient.Transport.XHR_STREAMING, CLOSED_BOUND);
        assertThat(output).doesNotContain("Response already committed").doesNotContain("No converter");
    }

    @RepeatedTest(2)
    void closedXhrPollingClientsLeaveOnceTheirSessionTimesOut(CapturedOutput output) {
        closedClientsLeave(RawSockJsClient.Transport.XHR_POLLING, POLLER_BOUND);
        assertThat(output).doesNotContain("Response already committed").doesNotContain("No converter");
    }

    @Test
    void silentXhrStreamingClientIsEndedByItsMissingHeartbeats() {
        String room = ParleyApi.uniqueName("room");
        Subscription events = observe(room);
        ParleyApi.Claim claim = this.api.claim(ParleyApi.uniqueName("silent"));
        // connected and reading, but sending nothing: no heart-beat, no frame
        RawSockJsClient silent = joined(RawSockJsClient.Transport.XHR_STREAMING, claim, room);
        events.nextMatching(isJoinOf(claim.nickname()));

        long start = System.nanoTime();
        JsonNode leave = events.nextMatching(isType("LEAVE"), SILENT_BOUND);
        System.out.printf("[liveness] silent xhr-streaming client: LEAVE after %d ms%n", elapsedMillis(start));
        assertThat(leave.get("user").asString()).isEqualTo(claim.nickname());
        silent.awaitReceived("ERROR");
        assertThat(this.api.onlineUsers(room)).containsExactly(this.observerName);
    }

    private String observerName;

    private void closedClientsLeave(RawSockJsClient.Transport transport, Duration bound) {
        String room = ParleyApi.uniqueName("room");
        Subscription events = observe(room);
        int sessionsBefore = httpSessions();
        Set<String> nicknames = new HashSet<>();
        List<RawSockJsClient> clients = new ArrayList<>();
        for (int i = 0; i < CLIENTS; i++) {
            ParleyApi.Claim claim = this.api.claim(ParleyApi.uniqueName("tab"));
            clients.add(joined(transport, claim, room));
            events.nextMatching(isJoinOf(claim.nickname()));
            nicknames.add(claim.nickname());
        }
        assertThat(httpSessions()).isEqualTo(sessionsBefore + CLIENTS);
        clients.forEach(RawSockJsClient::holdPollOpen);

        long start = System.nanoTime();
        clients.forEach(RawSockJsClient::closeAbruptly);
        Set<String> left = new HashSet<>();
        long slowest = 0;
        while (left.size() < CLIENTS) {
            JsonNode leave = events.nextMatching(isType("LEAVE"), remaining(start, bound));
            left.add(leave.get("user").asString());
            slowest = elapsedMillis(start);
        }
        System.out.printf("[liveness] %d closed %s clients: the last LEAVE after %d ms%n", CLIENTS, transport, slowest);
        assertThat(left).isEqualTo(nicknames);
        assertThat(this.api.onlineUsers(room)).containsExactly(this.observerName);
        await().atMost(CLOSED_BOUND).untilAsserted(() -> {
            assertThat(httpSessions()).as("SockJS sessions over HTTP").isEqualTo(sessionsBefore);
            if (ServerSockets.available()) {
                assertThat(ServerSockets.closeWait(this.port)).as("server sockets in CLOSE_WAIT").isZero();
            }
        });
    }

    /** A plain WebSocket client joined to {@code room}, and its subscription to the room's events. */
    private Subscription observe(String room) {
        ParleyApi.Claim claim = this.api.claim(ParleyApi.uniqueName("watch"));
        this.observerName = claim.nickname();
        StompTestClient observer = StompTestClient.connect(this.port, StompTestClient.Transport.WEBSOCKET, claim);
        Subscription events = observer.subscribe(topic(room));
        observer.send(join(room), Map.of());
        events.nextMatching(isJoinOf(claim.nickname()));
        return events;
    }

    private RawSockJsClient joined(RawSockJsClient.Transport transport, ParleyApi.Claim claim, String room) {
        RawSockJsClient client = RawSockJsClient.connect(this.port, transport, claim, HEARTBEAT_MILLIS);
        this.rawClients.add(client);
        client.subscribeAndJoin(topic(room), join(room));
        return client;
    }

    private int httpSessions() {
        SubProtocolWebSocketHandler.Stats stats = ((SubProtocolWebSocketHandler) this.webSocketHandler).getStats();
        return stats.getHttpStreamingSessions() + stats.getHttpPollingSessions();
    }

    private static Predicate<JsonNode> isType(String type) {
        return event -> type.equals(event.path("type").asString());
    }

    private static Predicate<JsonNode> isJoinOf(String nickname) {
        return event -> "JOIN".equals(event.path("type").asString()) && nickname.equals(event.path("user").asString());
    }

    private static Duration remaining(long startNanos, Duration bound) {
        Duration left = bound.minusNanos(System.nanoTime() - startNanos);
        return left.isNegative() ? Duration.ZERO : left;
    }

    private static long elapsedMillis(long startNanos) {
        return Duration.ofNanos(System.nanoTime() - startNanos).toMillis();
    }
}
