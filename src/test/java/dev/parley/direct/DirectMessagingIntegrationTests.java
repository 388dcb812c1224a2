package dev.parley.direct;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import java.util.stream.LongStream;

import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;
import tools.jackson.databind.JsonNode;

import dev.parley.support.ParleyApi.Claim;
import dev.parley.support.ParleyIntegrationTest;
import dev.parley.support.ParleyIntegrationTestBase;
import dev.parley.support.StompTestClient;
import dev.parley.support.StompTestClient.Subscription;
import dev.parley.support.StompTestClient.Transport;

import org.springframework.beans.factory.annotation.Autowired;

import static dev.parley.direct.DirectApi.QUEUE;
import static dev.parley.direct.DirectApi.send;
import static dev.parley.direct.DirectApi.typing;
import static dev.parley.support.Destinations.ERRORS;
import static dev.parley.support.Destinations.join;
import static dev.parley.support.ParleyApi.uniqueName;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Private conversations (contract section 10) with the default limits, over every transport:
 * the DIRECT event on every connection of both parties, ids 1, 2, 3… in order, the history over
 * REST equal to what was delivered, de-duplication by {@code clientId}, the error replies and
 * their order, the rate limit shared with rooms, typing to the other party only.
 */
@ParleyIntegrationTest
class DirectMessagingIntegrationTests extends ParleyIntegrationTestBase {

    private static final List<String> DIRECT_FIELDS = List.of("type", "id", "from", "to", "text", "sentAt",
            "clientId");

    private DirectApi direct;

    @Autowired
    private MeterRegistry meters;

    @BeforeEach
    void directApi() {
        this.direct = new DirectApi(this.port);
    }

    // ------------------------------------------------------------------ delivery

    @ParameterizedTest
    @EnumSource(Transport.class)
    void messagesBothWaysReachEveryConnectionOfBothPartiesInIdOrder(Transport transport) {
        Claim alice = this.api.claim(uniqueName("alice"));
        Claim bob = this.api.claim(uniqueName("bob"));
        List<Party> connections = List.of(party(alice, transport), party(alice, Transport.WEBSOCKET),
                party(bob, transport), party(bob, Transport.SOCKJS_XHR_STREAMING));
        Party aliceSends = connections.get(0);
        Party bobSends = connections.get(2);
        int total = 8;

        for (int i = 1; i <= total; i++) {
            Party sender = (i % 3 == 0) ? bobSends : aliceSends;
            String to = (sender == aliceSends) ? bob.nickname() : alice.nickname();
            sender.client.send(send(to), Map.of("text", "message " + i, "clientId", "c-" + i));
        }

        List<JsonNode> delivered = null;
        for (Party connection : connections) {
            List<JsonNode> seen = connection.next(total);
            assertThat(ids(seen)).as("ids on %s", connection).containsExactlyElementsOf(
                    LongStream.rangeClosed(1, total).boxed().toList());
            // two senders: each one's messages in the order it sent them, the two interleaved as stored
            assertThat(seen).extracting(event -> event.path("text").asString())
                .containsExactlyInAnyOrderElementsOf(
                        LongStream.rangeClosed(1, total).mapToObj(i -> "message " + i).toList());
            for (String from : List.of(alice.nickname(), bob.nickname())) {
                assertThat(seen.stream()
                    .filter(event -> event.path("from").asString().equals(from))
                    .map(event -> Integer.parseInt(event.path("text").asString().substring("message ".length())))
                    .toList()).as("%s's messages on %s", from, connection).isSorted();
            }
            if (delivered == null) {
                delivered = seen;
            }
            assertThat(seen).as("the same events on every connection").isEqualTo(delivered);
        }
        assertThat(this.direct.history(alice, bob.nickname(), 0)).isEqualTo(delivered);
        assertThat(this.direct.history(bob, alice.nickname(), 0)).isEqualTo(delivered);
        for (Party connection : connections) {
            assertThat(connection.errors.messages()).as("errors on %s", connection).isEmpty();
        }
    }

    @Test
    void directEventHasTheContractsFieldsWithNicknamesAsFirstClaimed() {
        Claim alice = this.api.claim("Al-" + uniqueName("ice"));
        Claim bob = this.api.claim("Bo-" + uniqueName("b"));
        Party fromAlice = party(alice, Transport.WEBSOCKET);
        Party toBob = party(bob, Transport.WEBSOCKET);
        Instant before = Instant.now().truncatedTo(ChronoUnit.MILLIS);

        fromAlice.client.send(send(bob.nickname().toUpperCase()), Map.of("text", "  \t hi bob \n", "clientId", "x-1"));

        for (Party party : List.of(fromAlice, toBob)) {
            JsonNode event = party.direct.next();
            assertThat(event.propertyNames()).containsExactlyInAnyOrderElementsOf(DIRECT_FIELDS);
            assertThat(event.path("type").asString()).isEqualTo("DIRECT");
            assertThat(event.path("id").asLong()).isEqualTo(1);
            assertThat(event.path("from").asString()).isEqualTo(alice.nickname());
            assertThat(event.path("to").asString()).isEqualTo(bob.nickname());
            assertThat(event.path("text").asString()).isEqualTo("hi bob");
            assertThat(event.path("clientId").asString()).isEqualTo("x-1");
            assertThat(Instant.parse(event.path("sentAt").asString())).isBetween(before, Instant.now());
            assertThat(event.path("sentAt").asString()).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z");
        }
    }

    @Test
    void conversationsHaveIdsOfTheirOwn() {
        Claim alice = this.api.claim(uniqueName("alice"));
        Claim bob = this.api.claim(uniqueName("bob"));
        Claim carol = this.api.claim(uniqueName("carol"));
        Party a = party(alice, Transport.WEBSOCKET);

        a.client.send(send(bob.nickname()), Map.of("text", "to bob 1"));
        a.client.send(send(carol.nickname()), Map.of("text", "to carol 1"));
        a.client.send(send(bob.nickname()), Map.of("text", "to bob 2"));

        List<JsonNode> seen = a.next(3);
        assertThat(seen).extracting(event -> event.path("to").asString() + "#" + event.path("id").asLong())
            .containsExactly(bob.nickname() + "#1", carol.nickname() + "#1", bob.nickname() + "#2");
    }

    @Test
    void repeatedClientIdIsStoredAndDeliveredOnce() {
        Claim alice = this.api.claim(uniqueName("alice"));
        Claim bob = this.api.claim(uniqueName("bob"));
        Party a = party(alice, Transport.WEBSOCKET);
        Party b = party(bob, Transport.SOCKJS_WEBSOCKET);

        a.client.send(send(bob.nickname()), Map.of("text", "once", "clientId", "dup-1"));
        a.client.send(send(bob.nickname()), Map.of("text", "once", "clientId", "dup-1"));
        a.client.send(send(bob.nickname()), Map.of("text", "first marker"));
        b.direct.takeUntil(isDirect("first marker"));
        b.direct.clear();
        // the same clientId from the other party is another sender's: stored
        b.client.send(send(alice.nickname()), Map.of("text", "mine", "clientId", "dup-1"));
        b.direct.nextMatching(isDirect("mine"));
        a.client.send(send(bob.nickname()), Map.of("text", "once", "clientId", "dup-1"));
        a.client.send(send(bob.nickname()), Map.of("text", "marker"));

        assertThat(b.direct.takeUntil(isDirect("marker"))).hasSize(1);
        List<JsonNode> stored = this.direct.history(bob, alice.nickname(), 0);
        assertThat(stored).extracting(event -> event.path("text").asString())
            .containsExactly("once", "first marker", "mine", "marker");
        assertThat(ids(stored)).containsExactly(1L, 2L, 3L, 4L);
        assertThat(a.errors.messages()).isEmpty();
    }

    @Test
    void typingReachesTheOtherPartyOnly() {
        Claim alice = this.api.claim(uniqueName("alice"));
        Claim bob = this.api.claim(uniqueName("bob"));
        Party a = party(alice, Transport.WEBSOCKET);
        Party aliceOtherTab = party(alice, Transport.SOCKJS_XHR_POLLING);
        Party b = party(bob, Transport.SOCKJS_XHR_STREAMING);
        Instant before = Instant.now().truncatedTo(ChronoUnit.MILLIS);

        a.client.send(typing(bob.nickname()), Map.of("typing", true));
        JsonNode event = b.direct.next();
        a.client.send(send(bob.nickname()), Map.of("text", "marker"));

        assertThat(event.propertyNames()).containsExactlyInAnyOrder("type", "from", "to", "typing", "at");
        assertThat(event.path("type").asString()).isEqualTo("DIRECT_TYPING");
        assertThat(event.path("from").asString()).isEqualTo(alice.nickname());
        assertThat(event.path("to").asString()).isEqualTo(bob.nickname());
        assertThat(event.path("typing").asBoolean()).isTrue();
        assertThat(Instant.parse(event.path("at").asString())).isBetween(before, Instant.now());
        for (Party sender : List.of(a, aliceOtherTab)) {
            assertThat(sender.direct.takeUntil(isDirect("marker"))).as("on %s", sender).hasSize(1);
        }
    }

    @Test
    void typingOverTwoPerSecondIsDroppedSilently() {
        Claim alice = this.api.claim(uniqueName("alice"));
        Claim bob = this.api.claim(uniqueName("bob"));
        Party a = party(alice, Transport.WEBSOCKET);
        Party b = party(bob, Transport.WEBSOCKET);
        double dropped = refusals("typing");

        for (int i = 0; i < 10; i++) {
            a.client.send(typing(bob.nickname()), Map.of("typing", i % 2 == 0));
        }
        a.client.send(send(bob.nickname()), Map.of("text", "marker"));

        List<JsonNode> typing = b.direct.takeUntil(isDirect("marker")).stream()
            .filter(event -> "DIRECT_TYPING".equals(event.path("type").asString()))
            .toList();
        assertThat(typing).hasSizeBetween(1, 3);
        assertThat(a.errors.messages()).isEmpty();
        assertThat(refusals("typing") - dropped).as("each dropped one counted").isEqualTo(10 - typing.size());
    }

    // ------------------------------------------------------------------ errors

    @Test
    void aNicknameNobodyClaimedIsAnUnknownUser() {
        Party a = party(this.api.claim(uniqueName("alice")), Transport.WEBSOCKET);
        String nobody = uniqueName("nobody");

        a.client.send(send(nobody), Map.of("text", "hello?", "clientId", "u-1"));
        a.client.send(typing(nobody), Map.of("typing", true));

        for (String destination : List.of(send(nobody), typing(nobody))) {
            JsonNode error = a.errors.next();
            assertThat(error.path("code").asString()).isEqualTo("UNKNOWN_USER");
            assertThat(error.path("destination").asString()).isEqualTo(destination);
        }
        assertThat(a.direct.messages()).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = { "bad%20name", "a b", "%s.x", "!", "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx" })
    void anInvalidNicknameIsABadRequest(String nickname) {
        Claim bob = this.api.claim(uniqueName("bob"));
        Party a = party(this.api.claim(uniqueName("alice")), Transport.WEBSOCKET);

        a.client.send(send(nickname.replace("%s", bob.nickname())), Map.of("text", "hi"));

        assertThat(a.errors.next().path("code").asString()).isEqualTo("BAD_REQUEST");
        assertThat(a.client.isConnected()).isTrue();
    }

    @Test
    void aConversationWithOneselfIsABadRequestInAnyCase() {
        Claim alice = this.api.claim(uniqueName("alice"));
        Party a = party(alice, Transport.WEBSOCKET);

        a.client.send(send(alice.nickname()), Map.of("text", "me"));
        a.client.send(send(alice.nickname().toUpperCase()), Map.of("text", "me"));
        a.client.send(typing(alice.nickname()), Map.of("typing", true));

        for (int i = 0; i < 3; i++) {
            assertThat(a.errors.next().path("code").asString()).isEqualTo("BAD_REQUEST");
        }
        assertThat(a.direct.messages()).isEmpty();
    }

    @Test
    void errorsFollowTheRoomsOrder() {
        Claim bob = this.api.claim(uniqueName("bob"));
        Party a = party(this.api.claim(uniqueName("alice")), Transport.WEBSOCKET);
        String nobody = uniqueName("nobody");

        a.client.send(send("x.y"), "not json");
        a.client.send(send(nobody), "not json");
        a.client.send(send(nobody), Map.of("text", 5));
        a.client.send(send(bob.nickname()), Map.of("text", "   "));
        a.client.send(send(bob.nickname()), Map.of("text", "ok", "clientId", "not valid!"));
        a.client.send(typing(nobody), Map.of("typing", "yes"));

        assertThat(List.of(a.errors.next(), a.errors.next(), a.errors.next(), a.errors.next(), a.errors.next(),
                a.errors.next())).extracting(error -> error.path("code").asString())
            .containsExactly("BAD_REQUEST", "BAD_REQUEST", "UNKNOWN_USER", "INVALID_MESSAGE", "INVALID_MESSAGE",
                    "BAD_REQUEST");
    }

    @Test
    void theRateLimitIsSharedWithRooms() {
        Claim alice = this.api.claim(uniqueName("alice"));
        Claim bob = this.api.claim(uniqueName("bob"));
        Party a = party(alice, Transport.WEBSOCKET);
        String room = uniqueName("room");
        a.client.send(join(room), Map.of());
        double refused = refusals("send");

        // the burst (10) spent in a room, at once
        for (int i = 0; i < 10; i++) {
            a.client.send("/app/room." + room + ".send", Map.of("text", "room " + i));
        }
        a.client.send(send(bob.nickname()), Map.of("text", "one too many", "clientId", "late-1"));

        JsonNode error = a.errors.next();
        assertThat(error.path("code").asString()).isEqualTo("RATE_LIMITED");
        assertThat(error.path("clientId").asString()).isEqualTo("late-1");
        assertThat(this.direct.history(alice, bob.nickname(), 0)).isEmpty();
        assertThat(refusals("send")).as("counted with the rooms' refusals").isEqualTo(refused + 1);
    }

    /** parley.rate.limit.refusals of one limit, on this test's instance. */
    private double refusals(String limit) {
        return this.meters.get("parley.rate.limit.refusals").tag("limit", limit).counter().count();
    }

    // ------------------------------------------------------------------ REST

    @Test
    void conversationsAreListedLatestFirst() {
        Claim alice = this.api.claim(uniqueName("alice"));
        Claim bob = this.api.claim(uniqueName("bob"));
        Claim carol = this.api.claim(uniqueName("carol"));
        Party a = party(alice, Transport.WEBSOCKET);
        assertThat(this.direct.conversations(alice)).isEmpty();

        a.client.send(send(bob.nickname()), Map.of("text", "1"));
        a.client.send(send(bob.nickname()), Map.of("text", "2"));
        JsonNode toBob = a.next(2).get(1);
        a.client.send(send(carol.nickname()), Map.of("text", "3"));
        JsonNode toCarol = a.direct.next();

        JsonNode list = this.direct.conversations(alice);
        assertThat(list).hasSize(2);
        assertThat(list.get(0).propertyNames()).containsExactly("with", "lastId", "lastMessageAt");
        assertThat(list.get(0).path("with").asString()).isEqualTo(carol.nickname());
        assertThat(list.get(0).path("lastId").asLong()).isEqualTo(1);
        assertThat(list.get(0).path("lastMessageAt").asString()).isEqualTo(toCarol.path("sentAt").asString());
        assertThat(list.get(1).path("with").asString()).isEqualTo(bob.nickname());
        assertThat(list.get(1).path("lastId").asLong()).isEqualTo(2);
        assertThat(list.get(1).path("lastMessageAt").asString()).isEqualTo(toBob.path("sentAt").asString());
        JsonNode bobs = this.direct.conversations(bob);
        assertThat(bobs).hasSize(1);
        assertThat(bobs.get(0).path("with").asString()).isEqualTo(alice.nickname());
    }

    @Test
    void historyPagesLikeARoomsHistory() {
        Claim alice = this.api.claim(uniqueName("alice"));
        Claim bob = this.api.claim(uniqueName("bob"));
        Party a = party(alice, Transport.WEBSOCKET);
        for (int i = 1; i <= 5; i++) {
            a.client.send(send(bob.nickname()), Map.of("text", "m" + i));
        }
        a.next(5);
        String path = "/api/direct/" + bob.nickname().toUpperCase() + "/messages";

        assertThat(ids(this.direct.get(path, alice))).containsExactly(1L, 2L, 3L, 4L, 5L);
        assertThat(ids(this.direct.get(path + "?limit=2", alice))).containsExactly(4L, 5L);
        assertThat(ids(this.direct.get(path + "?before=4&limit=2", alice))).containsExactly(2L, 3L);
        assertThat(ids(this.direct.get(path + "?after=1&limit=3", alice))).containsExactly(2L, 3L, 4L);
        assertThat(this.direct.get("/api/direct/" + alice.nickname() + "/messages?after=4", bob)).hasSize(1);
        for (String bad : List.of("?before=2&after=1", "?limit=0", "?limit=201", "?after=-1", "?before=-1",
                "?limit=x")) {
            DirectApi.Answer answer = this.direct.get(path + bad, "Bearer " + alice.token());
            assertThat(answer.status()).as(bad).isEqualTo(400);
            assertThat(answer.isProblem()).as(bad).isTrue();
        }
        DirectApi.Answer self = this.direct.get("/api/direct/" + alice.nickname() + "/messages",
                "Bearer " + alice.token());
        assertThat(self.status()).isEqualTo(400);
        DirectApi.Answer nobody = this.direct.get("/api/direct/" + uniqueName("nobody") + "/messages",
                "Bearer " + alice.token());
        assertThat(nobody.status()).isEqualTo(404);
        assertThat(nobody.isProblem()).isTrue();
        Claim carol = this.api.claim(uniqueName("carol"));
        assertThat(this.direct.get("/api/direct/" + carol.nickname() + "/messages", alice)).isEmpty();
    }

    // ------------------------------------------------------------------ helpers

    private Party party(Claim claim, Transport transport) {
        StompTestClient client = StompTestClient.connect(this.port, transport, claim);
        return new Party(client, client.subscribe(QUEUE), client.subscribe(ERRORS));
    }

    /** One connection of a party, subscribed to its conversations and errors. */
    record Party(StompTestClient client, Subscription direct, Subscription errors) {

        /** The next {@code count} DIRECT events, skipping typing. */
        List<JsonNode> next(int count) {
            List<JsonNode> seen = new ArrayList<>();
            while (seen.size() < count) {
                seen.add(this.direct.nextMatching(event -> "DIRECT".equals(event.path("type").asString()),
                        Duration.ofSeconds(20)));
            }
            return seen;
        }

        @Override
        public String toString() {
            return this.client.toString();
        }
    }

    static Predicate<JsonNode> isDirect(String text) {
        return event -> "DIRECT".equals(event.path("type").asString()) && text.equals(event.path("text").asString());
    }

    static List<Long> ids(Iterable<JsonNode> messages) {
        List<Long> ids = new ArrayList<>();
        messages.forEach(message -> ids.add(message.path("id").asLong()));
        return ids;
    }
}
