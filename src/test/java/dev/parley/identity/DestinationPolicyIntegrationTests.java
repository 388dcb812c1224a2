package dev.parley.identity;

import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import java.util.stream.Stream;

import dev.parley.support.ParleyApi.Claim;
import dev.parley.support.ParleyIntegrationTest;
import dev.parley.support.ParleyIntegrationTestBase;
import dev.parley.support.StompTestClient.Subscription;
import dev.parley.support.StompTestClient.Transport;
import dev.parley.support.StompTestClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;
import tools.jackson.databind.JsonNode;

import static dev.parley.support.Destinations.ERRORS;
import static dev.parley.support.Destinations.join;
import static dev.parley.support.Destinations.send;
import static dev.parley.support.Destinations.topic;
import static dev.parley.support.Destinations.users;
import static dev.parley.support.ParleyApi.uniqueName;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Contract section 3: clients SEND only to {@code /app/...} and SUBSCRIBE only to
 * {@code /topic/room.{room}}, {@code /app/room.{room}.users} and {@code /user/queue/errors};
 * anything else is answered with an ERROR frame and the connection closes. Over every transport.
 */
@ParleyIntegrationTest
class DestinationPolicyIntegrationTests extends ParleyIntegrationTestBase {

    /** SUBSCRIBE destinations the contract does not allow ({@code %s} is another user's nickname). */
    private static final List<String> FORBIDDEN_SUBSCRIPTIONS = List.of(
            "/topic/other",
            "/topic/room.BAD",
            "/topic/room.",
            "/topic/room.a.b",
            "/topic/room.-starts-with-dash",
            "/topic/room." + "a".repeat(33),
            "/topic/room.*",
            "/topic/**",
            "/queue/errors",
            "/queue/errors-user123",
            "/user/queue/other",
            "/user/%s/queue/errors",
            "/app/room.general.send",
            "/app/room.general.join",
            "/app/room.BAD.users");

    /** SEND destinations outside {@code /app/...} ({@code %s} is another user's nickname). */
    private static final List<String> FORBIDDEN_SENDS = List.of(
            "/topic/room.general",
            "/topic/other",
            "/queue/errors",
            "/user/queue/errors",
            "/user/%s/queue/errors",
            "/room.general.send");

    static Stream<Arguments> forbiddenSubscriptions() {
        return Stream.of(Transport.values())
            .flatMap(transport -> FORBIDDEN_SUBSCRIPTIONS.stream().map(destination -> Arguments.of(transport, destination)));
    }

    static Stream<Arguments> forbiddenSends() {
        return Stream.of(Transport.values())
            .flatMap(transport -> FORBIDDEN_SENDS.stream().map(destination -> Arguments.of(transport, destination)));
    }

    @ParameterizedTest(name = "{0}: SUBSCRIBE {1}")
    @MethodSource("forbiddenSubscriptions")
    void forbiddenSubscriptionIsAnsweredWithErrorThenClose(Transport transport, String destination) {
        Claim other = this.api.claim(uniqueName("other"));
        StompTestClient client = connect(transport, "alice");

        client.subscribeWithoutReceipt(destination.formatted(other.nickname()));

        client.awaitErrorThenClose();
        assertThat(client.isConnected()).isFalse();
    }

    @ParameterizedTest(name = "{0}: SEND {1}")
    @MethodSource("forbiddenSends")
    void sendOutsideAppIsAnsweredWithErrorThenClose(Transport transport, String destination) {
        Claim other = this.api.claim(uniqueName("other"));
        StompTestClient client = connect(transport, "alice");

        client.send(destination.formatted(other.nickname()), Map.of("text", "hi"));

        client.awaitErrorThenClose();
        assertThat(client.isConnected()).isFalse();
    }

    @ParameterizedTest
    @EnumSource(Transport.class)
    void forgedTopicSendReachesNobody(Transport transport) {
        String room = uniqueName("room");
        String forgedText = "forged " + uniqueName("text");
        StompTestClient listener = connect(transport, "listener");
        Subscription events = listener.subscribe(topic(room));
        StompTestClient forger = connect(transport, "forger");

        forger.send("/topic/room." + room, Map.of(
                "type", "MESSAGE", "id", 1, "room", room, "sender", listener.nickname(),
                "text", forgedText, "sentAt", "2026-01-01T00:00:00.000Z"));

        forger.awaitClosed();
        listener.send(join(room), Map.of());
        listener.send(send(room), Map.of("text", "marker"));
        List<JsonNode> seen = events.takeUntil(isMessage("marker"));
        assertThat(seen).noneSatisfy(event -> assertThat(event.toString()).contains(forgedText));
        assertThat(seen.get(seen.size() - 1).path("id").asLong()).as("the marker is the room's first message")
            .isEqualTo(1);
        JsonNode history = this.api.get("/api/rooms/" + room + "/messages").json();
        assertThat(history.toString()).doesNotContain(forgedText);
        assertThat(forger.errorFrames()).as("an ERROR frame before the close").isNotEmpty();
    }

    @ParameterizedTest
    @EnumSource(Transport.class)
    void allowedSubscriptionsAreConfirmedAndDeliver(Transport transport) {
        String room = uniqueName("room");
        StompTestClient client = connect(transport, "alice");

        Subscription events = client.subscribe(topic(room));
        Subscription errors = client.subscribe(ERRORS);
        Subscription users = client.subscribe(users(room));

        JsonNode snapshot = users.next();
        assertThat(snapshot.path("room").asString()).isEqualTo(room);
        assertThat(snapshot.path("users").isArray()).as(snapshot.toString()).isTrue();

        client.send(join(room), Map.of());
        JsonNode join = events.next();
        assertThat(join.path("type").asString()).isEqualTo("JOIN");
        assertThat(join.path("user").asString()).isEqualTo(client.nickname());

        client.send(send(room), Map.of("text", "over " + transport));
        assertThat(events.nextMatching(isMessage("over " + transport)).path("sender").asString())
            .isEqualTo(client.nickname());

        client.send(send(room), "not json");
        assertThat(errors.next().path("code").asString()).isEqualTo("BAD_REQUEST");

        assertThat(client.isConnected()).isTrue();
        assertThat(client.errorFrames()).isEmpty();
    }

    @Test
    void roomNamesAtTheEdgesOfTheRuleMayBeSubscribed() {
        StompTestClient client = connect(Transport.WEBSOCKET, "alice");

        for (String room : List.of("a", "0", "a".repeat(32), "0_-", "z9-_z")) {
            client.subscribe(topic(room));
            client.subscribe(users(room)).next();
        }

        assertThat(client.isConnected()).isTrue();
        assertThat(client.errorFrames()).isEmpty();
    }

    @Test
    void forbiddenSubscriptionClosesOnlyTheOffendingConnection() {
        Claim alice = this.api.claim(uniqueName("alice"));
        String room = uniqueName("room");
        StompTestClient offender = StompTestClient.connect(this.port, Transport.WEBSOCKET, alice);
        StompTestClient otherTab = StompTestClient.connect(this.port, Transport.WEBSOCKET, alice);
        Subscription events = otherTab.subscribe(topic(room));

        offender.subscribeWithoutReceipt("/topic/other");
        offender.awaitClosed();

        otherTab.send(join(room), Map.of());
        otherTab.send(send(room), Map.of("text", "still here"));
        assertThat(events.nextMatching(isMessage("still here"))).isNotNull();
        assertThat(otherTab.isConnected()).isTrue();
    }

    private StompTestClient connect(Transport transport, String namePrefix) {
        Claim claim = this.api.claim(uniqueName(namePrefix));
        return StompTestClient.connect(this.port, transport, claim);
    }

    private static Predicate<JsonNode> isMessage(String text) {
        return event -> "MESSAGE".equals(event.path("type").asString()) && text.equals(event.path("text").asString());
    }
}
