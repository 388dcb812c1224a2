package dev.parley.delivery;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import dev.parley.support.ParleyApi;
import dev.parley.support.ParleyIntegrationTest;
import dev.parley.support.ParleyIntegrationTestBase;
import dev.parley.support.RawFrame;
import dev.parley.support.RawSockJsClient;
import dev.parley.support.RawStompSocket;
import dev.parley.support.StompTestClient.Transport;
import dev.parley.support.StompTestClient;

import org.springframework.test.context.TestPropertySource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Contract section 6a: a WebSocket or SockJS session that has not completed CONNECT within
 * {@code chat.limits.connect-timeout} is closed, whatever it sent meanwhile (heart-beats, half a
 * frame), and one that did stays open. Also a connection its client keeps open after its
 * DISCONNECT was answered is closed a moment later. The timeout is 1 s here, which makes a
 * context of its own.
 */
@ParleyIntegrationTest
@TestPropertySource(properties = "chat.limits.connect-timeout=1s")
class ConnectionDeadlinesIntegrationTests extends ParleyIntegrationTestBase {

    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(1);

    /** The timeout, and slack for a busy machine. */
    private static final Duration CLOSED_BOUND = CONNECT_TIMEOUT.plusSeconds(3);

    /** How long a connection that completed CONNECT is watched for staying open. */
    private static final Duration STAYS_OPEN = CONNECT_TIMEOUT.multipliedBy(3);

    private static final int POLICY_VIOLATION = 1008;

    private final List<RawStompSocket> rawSockets = new ArrayList<>();

    private final List<RawSockJsClient> rawSockJsClients = new ArrayList<>();

    private final ScheduledExecutorService heartbeats = Executors.newSingleThreadScheduledExecutor();

    @AfterEach
    void closeRawClients() {
        this.heartbeats.shutdownNow();
        this.rawSockets.forEach(RawStompSocket::close);
        this.rawSockJsClients.forEach(RawSockJsClient::close);
    }

    @Test
    void aSilentWebSocketIsClosedAfterTheConnectTimeout() {
        long start = System.nanoTime();
        RawStompSocket silent = RawStompSocket.open(this.port, this.rawSockets);

        RawStompSocket.Drained drained = silent.drain(CLOSED_BOUND);

        Duration elapsed = Duration.ofNanos(System.nanoTime() - start);
        System.out.printf("[connect-timeout] silent WebSocket closed after %d ms%n", elapsed.toMillis());
        assertThat(drained.ending()).as(drained.toString()).isEqualTo(RawStompSocket.Ending.CLOSE_FRAME);
        assertThat(drained.closeCode()).isEqualTo(POLICY_VIOLATION);
        assertThat(elapsed).as("not before the timeout").isGreaterThanOrEqualTo(CONNECT_TIMEOUT.minusMillis(100));
    }

    @Test
    void aWebSocketSendingOnlyHeartBeatsAndHalfAFrameIsClosedAfterTheConnectTimeout() {
        long start = System.nanoTime();
        RawStompSocket talker = RawStompSocket.open(this.port, this.rawSockets);
        talker.send("CONNECT\naccept-version:1.2\nlogin:nobody");
        this.heartbeats.scheduleAtFixedRate(() -> {
            try {
                talker.send("\n");
            }
            catch (AssertionError ex) {
                // closed: nothing more to send
            }
        }, 0, 100, TimeUnit.MILLISECONDS);

        RawStompSocket.Drained drained = talker.drain(CLOSED_BOUND);

        Duration elapsed = Duration.ofNanos(System.nanoTime() - start);
        assertThat(drained.ending()).as(drained.toString()).isEqualTo(RawStompSocket.Ending.CLOSE_FRAME);
        assertThat(drained.closeCode()).isEqualTo(POLICY_VIOLATION);
        assertThat(elapsed).as("not before the timeout").isGreaterThanOrEqualTo(CONNECT_TIMEOUT.minusMillis(100));
    }

    @ParameterizedTest
    @EnumSource(RawSockJsClient.Transport.class)
    void aSilentSockJsSessionIsClosedAfterTheConnectTimeout(RawSockJsClient.Transport transport) {
        long start = System.nanoTime();
        RawSockJsClient silent = RawSockJsClient.open(this.port, transport);
        this.rawSockJsClients.add(silent);
        silent.holdPollOpen();

        await().atMost(CLOSED_BOUND).pollInterval(Duration.ofMillis(20)).until(() -> silent.received().contains("c["));

        Duration elapsed = Duration.ofNanos(System.nanoTime() - start);
        System.out.printf("[connect-timeout] silent SockJS %s session closed after %d ms: %s%n", transport,
                elapsed.toMillis(), silent.received().substring(silent.received().indexOf("c[")).strip());
        assertThat(silent.received()).contains("c[" + POLICY_VIOLATION);
        assertThat(elapsed).as("not before the timeout").isGreaterThanOrEqualTo(CONNECT_TIMEOUT.minusMillis(100));
    }

    @ParameterizedTest
    @EnumSource(Transport.class)
    void aConnectionThatCompletedConnectInTimeStaysOpen(Transport transport) {
        StompTestClient client = StompTestClient.connect(this.port, transport,
                this.api.claim(ParleyApi.uniqueName("alice")));

        await().during(STAYS_OPEN).atMost(STAYS_OPEN.plusSeconds(1)).until(client::isConnected);

        assertThat(client.errorFrames()).isEmpty();
    }

    @Test
    void aConnectionKeptOpenAfterItsDisconnectWasAnsweredIsClosed() {
        RawStompSocket client = RawStompSocket.connect(this.port, this.api.claim(ParleyApi.uniqueName("alice")),
                this.rawSockets);
        client.send("DISCONNECT\nreceipt:bye\n\n\0");
        RawFrame receipt = client.next();
        assertThat(receipt.command()).isEqualTo("RECEIPT");
        long start = System.nanoTime();

        RawStompSocket.Drained drained = client.drain(CLOSED_BOUND);

        System.out.printf("[disconnect] kept open after the RECEIPT, closed %d ms later%n",
                Duration.ofNanos(System.nanoTime() - start).toMillis());
        assertThat(drained.ending()).as(drained.toString()).isEqualTo(RawStompSocket.Ending.CLOSE_FRAME);
        assertThat(drained.closeCode()).isEqualTo(1000);
    }
}
