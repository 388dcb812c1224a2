package dev.parley.cluster;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.Test;

import dev.parley.support.ParleyApi;
import dev.parley.support.ParleyApi.Claim;
import dev.parley.support.ServerProcess;
import dev.parley.support.StompTestClient.Refusal;
import dev.parley.support.StompTestClient.Transport;
import dev.parley.support.StompTestClient;

import static dev.parley.support.ParleyApi.uniqueName;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Contract section 6a across the instances of the {@code cluster} profile: a nickname holds at
 * most {@code chat.limits.connections-per-nickname} connections at once, wherever they are; a
 * connection that ends frees its place on every instance, and the connections of an instance
 * that died stop counting once it no longer vouches for them. The limit is 3 here.
 */
class ConnectionsPerNicknameClusterTests extends TwoInstances {

    private static final String LIMIT = "--chat.limits.connections-per-nickname=3";

    private static final String TOO_MANY_CONNECTIONS = "too many connections";

    @Override
    protected String[] instanceArguments() {
        return new String[] { LIMIT };
    }

    @Test
    void aNicknameHoldsAtMostTheLimitAcrossInstances() {
        Claim alice = new ParleyApi(this.a.port()).claim(uniqueName("alice"));
        StompTestClient firstOnA = StompTestClient.connect(this.a.port(), Transport.WEBSOCKET, alice);
        StompTestClient.connect(this.a.port(), Transport.WEBSOCKET, alice);
        StompTestClient.connect(this.b.port(), Transport.SOCKJS_XHR_STREAMING, alice);

        Refusal onA = StompTestClient.connectExpectingRefusal(this.a.port(), Transport.WEBSOCKET, alice.nickname(),
                alice.token());
        Refusal onB = StompTestClient.connectExpectingRefusal(this.b.port(), Transport.WEBSOCKET, alice.nickname(),
                alice.token());

        assertThat(onA.message()).isEqualTo(TOO_MANY_CONNECTIONS);
        assertThat(onB.message()).as("B holds one of the three").isEqualTo(TOO_MANY_CONNECTIONS);
        StompTestClient.connect(this.b.port(), Transport.WEBSOCKET, new ParleyApi(this.b.port()).claim(uniqueName("bob")));

        firstOnA.disconnect();

        awaitAccepted(this.b, alice, Duration.ofSeconds(5));
        assertThat(StompTestClient.connectExpectingRefusal(this.a.port(), Transport.WEBSOCKET, alice.nickname(),
                alice.token()).message()).isEqualTo(TOO_MANY_CONNECTIONS);
    }

    @Test
    void theConnectionsOfAKilledInstanceStopCountingWhenItNoLongerVouchesForThem() {
        ServerProcess doomed = this.services.startInstance(LIMIT, "--chat.cluster.presence-ttl=3s");
        Claim alice = new ParleyApi(this.a.port()).claim(uniqueName("alice"));
        for (int i = 0; i < 3; i++) {
            StompTestClient.connect(doomed.port(), Transport.WEBSOCKET, alice);
        }
        assertThat(StompTestClient.connectExpectingRefusal(this.a.port(), Transport.WEBSOCKET, alice.nickname(),
                alice.token()).message()).isEqualTo(TOO_MANY_CONNECTIONS);
        long start = System.nanoTime();

        doomed.kill();

        // its connections were vouched for 3 s at most; a renewal every second
        awaitAccepted(this.a, alice, Duration.ofSeconds(10));
        System.out.printf("[connections] a killed instance's connections stopped counting after %d ms%n",
                Duration.ofNanos(System.nanoTime() - start).toMillis());
    }

    private static StompTestClient awaitAccepted(ServerProcess instance, Claim claim, Duration bound) {
        AtomicReference<StompTestClient> accepted = new AtomicReference<>();
        await().atMost(bound).pollInterval(Duration.ofMillis(200))
            .untilAsserted(() -> accepted.set(StompTestClient.connect(instance.port(), Transport.WEBSOCKET, claim)));
        return accepted.get();
    }
}
