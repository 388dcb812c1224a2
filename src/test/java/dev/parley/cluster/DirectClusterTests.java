package dev.parley.cluster;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.LongStream;

import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import dev.parley.support.ParleyApi;
import dev.parley.support.ParleyApi.Claim;
import dev.parley.support.StompTestClient;
import dev.parley.support.StompTestClient.Subscription;
import dev.parley.support.StompTestClient.Transport;

import static dev.parley.support.ParleyApi.uniqueName;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Contract sections 9 and 10 across two instances of the {@code cluster} profile: the parties of
 * a conversation on different instances, each of their connections receiving the conversation's
 * messages in id order without a gap or a duplicate whichever instance stored them; typing to
 * the other party across instances; a {@code clientId} retried through the other instance
 * stored once.
 */
class DirectClusterTests extends TwoInstances {

    private static final int MESSAGES_PER_PARTY = 60;

    @Override
    protected String[] instanceArguments() {
        return new String[] { "--chat.rate-limit.burst=100000", "--chat.rate-limit.per-second=100000" };
    }

    @Test
    void partiesOnDifferentInstancesSeeTheConversationInIdOrderOnEveryConnection() throws Exception {
        Claim alice = new ParleyApi(this.a.port()).claim(uniqueName("alice"));
        Claim bob = new ParleyApi(this.b.port()).claim(uniqueName("bob"));
        StompTestClient aliceOnA = StompTestClient.connect(this.a.port(), Transport.WEBSOCKET, alice);
        StompTestClient bobOnB = StompTestClient.connect(this.b.port(), Transport.WEBSOCKET, bob);
        List<Subscription> connections = new ArrayList<>();
        connections.add(aliceOnA.subscribe("/user/queue/direct"));
        connections.add(bobOnB.subscribe("/user/queue/direct"));
        // each party's other tab on the other instance
        connections.add(StompTestClient.connect(this.b.port(), Transport.SOCKJS_XHR_STREAMING, alice)
            .subscribe("/user/queue/direct"));
        connections.add(StompTestClient.connect(this.a.port(), Transport.SOCKJS_WEBSOCKET, bob)
            .subscribe("/user/queue/direct"));

        List<Thread> senders = List.of(
                new Thread(() -> sendAll(aliceOnA, bob.nickname(), "from alice #")),
                new Thread(() -> sendAll(bobOnB, alice.nickname(), "from bob #")));
        senders.forEach(Thread::start);
        for (Thread sender : senders) {
            sender.join(TimeUnit.SECONDS.toMillis(60));
        }

        int total = 2 * MESSAGES_PER_PARTY;
        List<JsonNode> first = null;
        for (Subscription connection : connections) {
            List<JsonNode> seen = new ArrayList<>();
            while (seen.size() < total) {
                seen.add(connection.nextMatching(DirectClusterTests::isDirect, Duration.ofSeconds(30)));
            }
            assertThat(seen.stream().map(event -> event.path("id").asLong()).toList()).as("ids on %s", connection)
                .containsExactlyElementsOf(LongStream.rangeClosed(1, total).boxed().toList());
            if (first == null) {
                first = seen;
            }
            assertThat(seen).as("the same events on every connection").isEqualTo(first);
        }
        assertThat(page(this.a.port(), alice, bob.nickname())).isEqualTo(first);
        assertThat(page(this.b.port(), bob, alice.nickname())).isEqualTo(first);
    }

    @Test
    void typingReachesTheOtherPartyOnAnotherInstanceOnly() {
        Claim alice = new ParleyApi(this.a.port()).claim(uniqueName("alice"));
        Claim bob = new ParleyApi(this.b.port()).claim(uniqueName("bob"));
        StompTestClient aliceOnA = StompTestClient.connect(this.a.port(), Transport.WEBSOCKET, alice);
        Subscription aliceOtherTab = StompTestClient.connect(this.b.port(), Transport.WEBSOCKET, alice)
            .subscribe("/user/queue/direct");
        Subscription bobOnB = StompTestClient.connect(this.b.port(), Transport.WEBSOCKET, bob)
            .subscribe("/user/queue/direct");

        aliceOnA.send("/app/direct." + bob.nickname() + ".typing", Map.of("typing", true));
        JsonNode typing = bobOnB.next(Duration.ofSeconds(10));
        aliceOnA.send("/app/direct." + bob.nickname() + ".send", Map.of("text", "marker"));

        assertThat(typing.path("type").asString()).isEqualTo("DIRECT_TYPING");
        assertThat(typing.path("from").asString()).isEqualTo(alice.nickname());
        assertThat(aliceOtherTab.takeUntil(DirectClusterTests::isDirect)).hasSize(1);
    }

    @Test
    void aClientIdRetriedThroughTheOtherInstanceIsStoredOnce() throws Exception {
        Claim alice = new ParleyApi(this.a.port()).claim(uniqueName("alice"));
        Claim bob = new ParleyApi(this.b.port()).claim(uniqueName("bob"));
        StompTestClient onA = StompTestClient.connect(this.a.port(), Transport.WEBSOCKET, alice);
        StompTestClient onB = StompTestClient.connect(this.b.port(), Transport.WEBSOCKET, alice);
        Subscription bobs = StompTestClient.connect(this.b.port(), Transport.WEBSOCKET, bob)
            .subscribe("/user/queue/direct");

        onA.send("/app/direct." + bob.nickname() + ".send", Map.of("text", "once", "clientId", "retry-1"));
        assertThat(bobs.nextMatching(DirectClusterTests::isDirect).path("id").asLong()).isEqualTo(1);
        onB.send("/app/direct." + bob.nickname() + ".send", Map.of("text", "once", "clientId", "retry-1"));
        onB.send("/app/direct." + bob.nickname() + ".send", Map.of("text", "next", "clientId", "retry-2"));

        JsonNode next = bobs.nextMatching(DirectClusterTests::isDirect);
        assertThat(next.path("text").asString()).isEqualTo("next");
        assertThat(next.path("id").asLong()).isEqualTo(2);
        assertThat(page(this.a.port(), bob, alice.nickname())).hasSize(2);
    }

    private static void sendAll(StompTestClient client, String to, String prefix) {
        for (int n = 0; n < MESSAGES_PER_PARTY; n++) {
            client.send("/app/direct." + to + ".send", Map.of("text", prefix + n));
        }
    }

    /** The conversation's latest 200 messages, read on {@code port} with the token of {@code as}. */
    private static List<JsonNode> page(int port, Claim as, String with) throws IOException, InterruptedException {
        HttpResponse<String> response = HttpClient.newHttpClient()
            .send(HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/api/direct/" + with
                    + "/messages?limit=200"))
                .header("Authorization", "Bearer " + as.token())
                .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return List.copyOf(ParleyApi.JSON.readTree(response.body()).values());
    }

    private static boolean isDirect(JsonNode event) {
        return "DIRECT".equals(event.path("type").asString());
    }
}
