package dev.parley.direct;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;
import tools.jackson.databind.JsonNode;

import dev.parley.support.ParleyApi.Claim;
import dev.parley.support.ParleyIntegrationTest;
import dev.parley.support.ParleyIntegrationTestBase;
import dev.parley.support.StompTestClient;
import dev.parley.support.StompTestClient.Subscription;
import dev.parley.support.StompTestClient.Transport;

import org.springframework.messaging.simp.stomp.StompHeaders;

import static dev.parley.direct.DirectApi.QUEUE;
import static dev.parley.direct.DirectApi.send;
import static dev.parley.direct.DirectMessagingIntegrationTests.isDirect;
import static dev.parley.support.Destinations.join;
import static dev.parley.support.Destinations.topic;
import static dev.parley.support.ParleyApi.uniqueName;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Contract section 10's promise: nobody but its two parties reads or injects into a private
 * conversation, by any means. Every way a third party, eve, might try: another user's queue by any
 * spelling, a SEND to a queue, a SEND in someone else's name, the REST history with her token,
 * with none or a wrong one, and rooms named like a conversation. None delivers or reveals a
 * private message.
 */
@ParleyIntegrationTest
class DirectSecurityIntegrationTests extends ParleyIntegrationTestBase {

    /** SUBSCRIBE spellings that might reach bob's queue ({@code %s}: bob's nickname, {@code %S}: in capitals). */
    private static final List<String> OTHER_QUEUES = List.of(
            "/user/%s/queue/direct",
            "/user/%S/queue/direct",
            "/user//queue/direct",
            "/user/*/queue/direct",
            "/user/**/queue/direct",
            "/user/queue/direct/../../%s/queue/direct",
            "/user/queue/../%s/queue/direct",
            "/user/./queue/direct",
            "/user/queue/direct-user%s",
            "/user/queue/direct-user*",
            "/user/queue/direct*",
            "/user/queue/direct.%s",
            "/user/queue/**",
            "/user/queue/%64irect",
            "/user%2F%s%2Fqueue%2Fdirect",
            "/queue/direct",
            "/queue/direct-user*",
            "/queue/direct-user**",
            "/queue/direct-user0",
            "/queue/**",
            "/queue/*",
            "/topic/direct",
            "/topic/**",
            "/app/direct.%s.send",
            "/app/direct.%s.messages",
            "/user/queue/DIRECT");

    /** SEND destinations that might put a message into bob's queue. */
    private static final List<String> QUEUE_SENDS = List.of(
            "/user/%s/queue/direct",
            "/user/queue/direct",
            "/queue/direct",
            "/queue/direct-user0",
            "/topic/direct");

    private DirectApi direct;

    @BeforeEach
    void directApi() {
        this.direct = new DirectApi(this.port);
    }

    static Stream<Arguments> otherQueues() {
        return Stream.of(Transport.WEBSOCKET, Transport.SOCKJS_XHR_POLLING)
            .flatMap(transport -> OTHER_QUEUES.stream().map(destination -> Arguments.of(transport, destination)));
    }

    static Stream<Arguments> queueSends() {
        return Stream.of(Transport.WEBSOCKET, Transport.SOCKJS_XHR_STREAMING)
            .flatMap(transport -> QUEUE_SENDS.stream().map(destination -> Arguments.of(transport, destination)));
    }

    // ------------------------------------------------------------------ STOMP

    @ParameterizedTest(name = "{0}: SUBSCRIBE {1}")
    @MethodSource("otherQueues")
    void anotherUsersQueueCannotBeSubscribedBySpelling(Transport transport, String spelling) {
        Claim bob = this.api.claim(uniqueName("bob"));
        StompTestClient eve = StompTestClient.connect(this.port, transport, this.api.claim(uniqueName("eve")));

        Subscription stolen = eve.subscribeWithoutReceipt(
                spelling.replace("%s", bob.nickname()).replace("%S", bob.nickname().toUpperCase(Locale.ROOT)));

        eve.awaitErrorThenClose();
        assertThat(stolen.messages()).isEmpty();
    }

    @ParameterizedTest
    @EnumSource(Transport.class)
    void aThirdPartyReceivesNothingOfOthersConversations(Transport transport) {
        Claim alice = this.api.claim(uniqueName("alice"));
        Claim bob = this.api.claim(uniqueName("bob"));
        Claim eve = this.api.claim(uniqueName("eve"));
        StompTestClient eavesdropper = StompTestClient.connect(this.port, transport, eve);
        Subscription evesQueue = eavesdropper.subscribe(QUEUE);
        StompTestClient sender = StompTestClient.connect(this.port, Transport.WEBSOCKET, alice);
        Subscription alicesQueue = sender.subscribe(QUEUE);

        sender.send(send(bob.nickname()), Map.of("text", "secret"));
        alicesQueue.nextMatching(isDirect("secret"));
        sender.send(send(eve.nickname()), Map.of("text", "marker"));

        List<JsonNode> seen = evesQueue.takeUntil(isDirect("marker"));
        assertThat(seen).hasSize(1);
        assertThat(seen.get(0).path("id").asLong()).isEqualTo(1);
    }

    @ParameterizedTest(name = "{0}: SEND {1}")
    @MethodSource("queueSends")
    void nobodySendsStraightToAQueue(Transport transport, String destination) {
        Claim bob = this.api.claim(uniqueName("bob"));
        StompTestClient bobs = StompTestClient.connect(this.port, Transport.WEBSOCKET, bob);
        Subscription bobsQueue = bobs.subscribe(QUEUE);
        Claim eve = this.api.claim(uniqueName("eve"));
        StompTestClient forger = StompTestClient.connect(this.port, transport, eve);

        forger.send(destination.replace("%s", bob.nickname()), Map.of("type", "DIRECT", "id", 1, "from", "alice",
                "to", bob.nickname(), "text", "forged", "sentAt", "2026-01-01T00:00:00.000Z"));

        forger.awaitErrorThenClose();
        StompTestClient.connect(this.port, Transport.WEBSOCKET, eve).send(send(bob.nickname()),
                Map.of("text", "marker"));
        List<JsonNode> seen = bobsQueue.takeUntil(isDirect("marker"));
        assertThat(seen).hasSize(1);
    }

    @Test
    void theSenderIsThePrincipalWhateverTheFrameSays() {
        Claim alice = this.api.claim(uniqueName("alice"));
        Claim bob = this.api.claim(uniqueName("bob"));
        Claim eve = this.api.claim(uniqueName("eve"));
        Subscription bobsQueue = StompTestClient.connect(this.port, Transport.WEBSOCKET, bob).subscribe(QUEUE);
        StompTestClient forger = StompTestClient.connect(this.port, Transport.WEBSOCKET, eve);
        StompHeaders headers = new StompHeaders();
        headers.setDestination(send(bob.nickname()));
        for (String name : List.of("login", "user-name", "simpUser", "user", "from", "passcode")) {
            headers.set(name, alice.nickname());
        }

        forger.send(headers, Map.of("text", "I am alice", "from", alice.nickname(), "sender", alice.nickname()));

        JsonNode event = bobsQueue.nextMatching(isDirect("I am alice"));
        assertThat(event.path("from").asString()).isEqualTo(eve.nickname());
        assertThat(this.direct.history(bob, alice.nickname(), 0)).isEmpty();
        assertThat(this.direct.history(bob, eve.nickname(), 0)).hasSize(1);
    }

    // ------------------------------------------------------------------ REST

    @Test
    void historyIsReadOnlyWithAPartysToken() {
        Claim alice = this.api.claim(uniqueName("alice"));
        Claim bob = this.api.claim(uniqueName("bob"));
        Claim eve = this.api.claim(uniqueName("eve"));
        StompTestClient sender = StompTestClient.connect(this.port, Transport.WEBSOCKET, alice);
        Subscription queue = sender.subscribe(QUEUE);
        sender.send(send(bob.nickname()), Map.of("text", "secret"));
        queue.nextMatching(isDirect("secret"));

        // eve's token names eve's own conversations, whatever the path says
        assertThat(this.direct.get("/api/direct/" + alice.nickname() + "/messages", eve)).isEmpty();
        assertThat(this.direct.get("/api/direct/" + bob.nickname() + "/messages", eve)).isEmpty();
        assertThat(this.direct.conversations(eve)).isEmpty();
        assertThat(this.direct.conversations(alice).toString()).doesNotContain(eve.nickname());
        // and a party's token reads it
        assertThat(this.direct.get("/api/direct/" + bob.nickname() + "/messages", alice)).hasSize(1);
    }

    @ParameterizedTest
    @ValueSource(strings = { "", "Bearer", "Bearer ", "Basic YWxpY2U6c2VjcmV0", "Bearer short",
            "Bearer AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", "bearer AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
            "Bearer %s!", "Bearer %s %s", "%s" })
    void withoutAValidTokenEveryRequestIsUnauthorized(String authorization) {
        Claim alice = this.api.claim(uniqueName("alice"));
        Claim bob = this.api.claim(uniqueName("bob"));
        String header = authorization.isEmpty() ? null : authorization.replace("%s", alice.token());

        for (String path : List.of("/api/direct", "/api/direct/" + bob.nickname() + "/messages",
                "/api/direct/" + uniqueName("nobody") + "/messages", "/api/direct/" + bob.nickname() + "/messages?limit=x",
                "/api/direct/" + alice.nickname() + "/messages", "/api/direct/in%20valid/messages")) {
            DirectApi.Answer answer = this.direct.get(path, header);
            assertThat(answer.status()).as("%s with %s: %s", path, header, answer.body()).isEqualTo(401);
            assertThat(answer.isProblem()).as(path).isTrue();
            assertThat(answer.wwwAuthenticate()).as(path).startsWith("Bearer");
            assertThat(answer.json().path("detail").asString()).doesNotContain(bob.nickname())
                .doesNotContain(alice.nickname());
        }
    }

    @Test
    void aRejectedRequestSaysNothingOfWhetherTheNicknameExists() {
        Claim bob = this.api.claim(uniqueName("bob"));
        String wrong = "Bearer " + "B".repeat(43);

        DirectApi.Answer claimed = this.direct.get("/api/direct/" + bob.nickname() + "/messages", wrong);
        DirectApi.Answer unclaimed = this.direct.get("/api/direct/" + uniqueName("nobody") + "/messages", wrong);

        assertThat(claimed.status()).isEqualTo(401);
        assertThat(unclaimed.status()).isEqualTo(401);
        assertThat(strip(claimed.json())).isEqualTo(strip(unclaimed.json()));
        assertThat(claimed.wwwAuthenticate()).isEqualTo(unclaimed.wwwAuthenticate());
    }

    // ------------------------------------------------------------------ rooms

    @Test
    void roomsRevealNoConversation() {
        Claim alice = this.api.claim(uniqueName("alice"));
        Claim bob = this.api.claim(uniqueName("bob"));
        Claim eve = this.api.claim(uniqueName("eve"));
        StompTestClient eavesdropper = StompTestClient.connect(this.port, Transport.WEBSOCKET, eve);
        List<String> lookalikes = List.of(alice.nickname(), bob.nickname(), alice.nickname() + "-" + bob.nickname(),
                bob.nickname() + "_" + alice.nickname(), "direct");
        List<Subscription> rooms = lookalikes.stream()
            .filter(name -> name.length() <= 32)
            .map(name -> {
                Subscription events = eavesdropper.subscribe(topic(name));
                eavesdropper.send(join(name), Map.of());
                return events;
            })
            .toList();
        Subscription evesQueue = eavesdropper.subscribe(QUEUE);
        StompTestClient sender = StompTestClient.connect(this.port, Transport.WEBSOCKET, alice);
        Subscription queue = sender.subscribe(QUEUE);

        sender.send(send(bob.nickname()), Map.of("text", "secret"));
        queue.nextMatching(isDirect("secret"));
        // stored and delivered after the secret, by the same thread
        sender.send(send(eve.nickname()), Map.of("text", "marker"));
        assertThat(evesQueue.takeUntil(isDirect("marker"))).hasSize(1);

        for (Subscription room : rooms) {
            assertThat(room.messages()).as(room.destination())
                .allSatisfy(event -> assertThat(event.toString()).doesNotContain("secret"));
        }
        assertThat(this.api.get("/api/rooms").body()).doesNotContain("secret").doesNotContain("DIRECT");
        for (String name : lookalikes) {
            if (name.length() <= 32) {
                assertThat(this.api.get("/api/rooms/" + name + "/messages").json()).as(name).isEmpty();
            }
        }
    }

    private static JsonNode strip(JsonNode problem) {
        return ((tools.jackson.databind.node.ObjectNode) problem.deepCopy()).remove(List.of("instance", "timestamp"));
    }
}
