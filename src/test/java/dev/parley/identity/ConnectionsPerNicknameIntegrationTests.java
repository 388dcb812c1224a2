package dev.parley.identity;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import dev.parley.support.ParleyApi;
import dev.parley.support.ParleyIntegrationTest;
import dev.parley.support.ParleyIntegrationTestBase;
import dev.parley.support.StompTestClient.Refusal;
import dev.parley.support.StompTestClient.Transport;
import dev.parley.support.StompTestClient;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Contract section 6a: a nickname holds at most 20 connections at once
 * ({@code chat.limits.connections-per-nickname}); a further CONNECT gets the ERROR frame
 * {@code too many connections} and is closed. A connection that ends frees its place, once,
 * however it ends; over every transport.
 */
@ParleyIntegrationTest
class ConnectionsPerNicknameIntegrationTests extends ParleyIntegrationTestBase {

    private static final int CONNECTIONS_PER_NICKNAME = 20;

    /** Section 5: a DISCONNECT or a closed WebSocket ends a connection within 5 s. */
    private static final Duration CLOSED_BOUND = Duration.ofSeconds(5);

    /**
     * A closed xhr-polling connection: its held poll is answered within half the heart-beat
     * interval (5 s), and its session ends once it has had no request for the disconnect delay
     * (5 s); see PresenceIntegrationTests.
     */
    private static final Duration POLLER_BOUND = Duration.ofSeconds(16);

    @ParameterizedTest
    @EnumSource(Transport.class)
    void twentyFirstConnectionOfANicknameIsRefused(Transport transport) {
        ParleyApi.Claim alice = this.api.claim(ParleyApi.uniqueName("alice"));
        List<StompTestClient> tabs = connect(alice, CONNECTIONS_PER_NICKNAME - 1);
        tabs.add(StompTestClient.connect(this.port, transport, alice));

        Refusal refusal = StompTestClient.connectExpectingRefusal(this.port, transport, alice.nickname(),
                alice.token());

        assertThat(refusal.message()).isEqualTo(StompAuthentication.TOO_MANY_CONNECTIONS);
        assertThat(tabs).as("the twenty stay connected").allMatch(StompTestClient::isConnected);
        StompTestClient bob = StompTestClient.connect(this.port, transport,
                this.api.claim(ParleyApi.uniqueName("bob")));
        assertThat(bob.isConnected()).as("another nickname").isTrue();
    }

    @ParameterizedTest
    @EnumSource(Transport.class)
    void aDisconnectedConnectionFreesItsPlaceOnce(Transport transport) {
        ParleyApi.Claim alice = this.api.claim(ParleyApi.uniqueName("alice"));
        List<StompTestClient> tabs = connect(alice, CONNECTIONS_PER_NICKNAME - 1);
        StompTestClient leaving = StompTestClient.connect(this.port, transport, alice);

        // reported twice: by the DISCONNECT frame and by the closed connection
        leaving.disconnect();

        tabs.add(awaitAccepted(alice, CLOSED_BOUND));
        Refusal refusal = StompTestClient.connectExpectingRefusal(this.port, Transport.WEBSOCKET, alice.nickname(),
                alice.token());
        assertThat(refusal.message()).as("a second place freed by the same connection")
            .isEqualTo(StompAuthentication.TOO_MANY_CONNECTIONS);
    }

    @ParameterizedTest
    @EnumSource(Transport.class)
    void anAbruptlyDroppedConnectionFreesItsPlace(Transport transport) {
        ParleyApi.Claim alice = this.api.claim(ParleyApi.uniqueName("alice"));
        List<StompTestClient> tabs = connect(alice, CONNECTIONS_PER_NICKNAME - 1);
        StompTestClient dropped = StompTestClient.connect(this.port, transport, alice);

        dropped.dropAbruptly();

        tabs.add(awaitAccepted(alice, (transport == Transport.SOCKJS_XHR_POLLING) ? POLLER_BOUND : CLOSED_BOUND));
        Refusal refusal = StompTestClient.connectExpectingRefusal(this.port, Transport.WEBSOCKET, alice.nickname(),
                alice.token());
        assertThat(refusal.message()).isEqualTo(StompAuthentication.TOO_MANY_CONNECTIONS);
    }

    /** {@code count} plain WebSocket connections of {@code claim}. */
    private List<StompTestClient> connect(ParleyApi.Claim claim, int count) {
        List<StompTestClient> clients = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            clients.add(StompTestClient.connect(this.port, Transport.WEBSOCKET, claim));
        }
        return clients;
    }

    /** Tries to connect until a CONNECT of {@code claim} is accepted, within {@code bound}. */
    private StompTestClient awaitAccepted(ParleyApi.Claim claim, Duration bound) {
        AtomicReference<StompTestClient> accepted = new AtomicReference<>();
        await().atMost(bound).pollInterval(Duration.ofMillis(100))
            .untilAsserted(() -> accepted.set(StompTestClient.connect(this.port, Transport.WEBSOCKET, claim)));
        return accepted.get();
    }
}
