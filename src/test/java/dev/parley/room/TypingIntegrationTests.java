package dev.parley.room;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.Predicate;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import tools.jackson.databind.JsonNode;

import dev.parley.support.ParleyApi;
import dev.parley.support.ParleyIntegrationTest;
import dev.parley.support.ParleyIntegrationTestBase;
import dev.parley.support.StompTestClient.Subscription;
import dev.parley.support.StompTestClient.Transport;
import dev.parley.support.StompTestClient;

import static dev.parley.support.Destinations.ERRORS;
import static dev.parley.support.Destinations.join;
import static dev.parley.support.Destinations.send;
import static dev.parley.support.Destinations.topic;
import static dev.parley.support.Destinations.typing;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Typing indicators (contract sections 4 to 6): broadcast to the room after joining, never
 * stored, refused before joining or without a boolean, and silently thinned out beyond
 * {@code chat.rate-limit.typing-per-second} (2) per nickname.
 */
@ParleyIntegrationTest
class TypingIntegrationTests extends ParleyIntegrationTestBase {

    private static final String ISO_MILLIS = "\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}\\.\\d{3}Z";

    /** The typing token bucket: burst = refill = 2 per second. */
    private static final int TYPING_PER_SECOND = 2;

    @Test
    void typingAfterJoinIsBroadcastToTheRoom() {
        String room = ParleyApi.uniqueName("room");
        ParleyApi.Claim alice = this.api.claim(ParleyApi.uniqueName("alice"));
        ParleyApi.Claim bob = this.api.claim(ParleyApi.uniqueName("bob"));
        Subscription bobEvents = connect(bob).subscribe(topic(room));
        StompTestClient client = connect(alice);
        Subscription aliceEvents = client.subscribe(topic(room));
        client.send(join(room), Map.of());
        bobEvents.nextMatching(isType("JOIN"));
        aliceEvents.nextMatching(isType("JOIN"));

        Instant before = Instant.now();
        client.send(typing(room), Map.of("typing", true));
        JsonNode started = bobEvents.next();
        client.send(typing(room), Map.of("typing", false));
        JsonNode stopped = bobEvents.next();

        assertThat(Set.copyOf(started.propertyNames())).containsExactlyInAnyOrder("type", "room", "user", "typing", "at");
        assertThat(started.get("type").asString()).isEqualTo("TYPING");
        assertThat(started.get("room").asString()).isEqualTo(room);
        assertThat(started.get("user").asString()).isEqualTo(alice.nickname());
        assertThat(started.get("typing").isBoolean()).isTrue();
        assertThat(started.get("typing").booleanValue()).isTrue();
        assertThat(started.get("at").asString()).matches(ISO_MILLIS);
        assertThat(Instant.parse(started.get("at").asString())).isBetween(before.minusSeconds(5), Instant.now().plusSeconds(5));

        assertThat(Set.copyOf(stopped.propertyNames())).containsExactlyInAnyOrder("type", "room", "user", "typing", "at");
        assertThat(stopped.get("type").asString()).isEqualTo("TYPING");
        assertThat(stopped.get("user").asString()).isEqualTo(alice.nickname());
        assertThat(stopped.get("typing").isBoolean()).isTrue();
        assertThat(stopped.get("typing").booleanValue()).isFalse();

        // the typist's own subscription sees it too, like every subscriber of the room
        assertThat(aliceEvents.next().get("typing").booleanValue()).isTrue();
        assertThat(aliceEvents.next().get("typing").booleanValue()).isFalse();
    }

    @Test
    void typingIsNotStored() {
        String room = ParleyApi.uniqueName("room");
        ParleyApi.Claim alice = this.api.claim(ParleyApi.uniqueName("alice"));
        StompTestClient client = connect(alice);
        Subscription events = client.subscribe(topic(room));
        client.send(join(room), Map.of());
        events.nextMatching(isType("JOIN"));
        client.send(typing(room), Map.of("typing", true));
        events.nextMatching(isType("TYPING"));

        ParleyApi.Response history = this.api.get("/api/rooms/" + room + "/messages");

        assertThat(history.status()).isEqualTo(200);
        assertThat(history.json().isArray()).as("history %s", history.body()).isTrue();
        assertThat(history.json()).as("history of %s", room).isEmpty();
        JsonNode entry = roomEntry(room);
        assertThat(entry).isNotNull();
        assertThat(entry.get("messages").asLong()).isZero();
        assertThat(entry.get("lastMessageAt").isNull()).isTrue();
    }

    @Test
    void typingBeforeJoiningIsRefusedWithNotJoined() {
        String room = ParleyApi.uniqueName("room");
        ParleyApi.Claim alice = this.api.claim(ParleyApi.uniqueName("alice"));
        ParleyApi.Claim bob = this.api.claim(ParleyApi.uniqueName("bob"));
        Subscription bobEvents = connect(bob).subscribe(topic(room));
        StompTestClient client = connect(alice);
        Subscription errors = client.subscribe(ERRORS);

        client.send(typing(room), Map.of("typing", true));
        JsonNode error = errors.next();

        assertThat(Set.copyOf(error.propertyNames())).contains("type", "code", "message", "destination", "clientId");
        assertThat(error.get("type").asString()).isEqualTo("ERROR");
        assertThat(error.get("code").asString()).isEqualTo("NOT_JOINED");
        assertThat(error.get("message").asString()).isNotBlank();
        assertThat(error.get("destination").asString()).isEqualTo(typing(room));
        assertThat(error.get("clientId").isNull()).isTrue();

        // nothing reached the room, and the connection is still usable: join, then type
        client.send(join(room), Map.of());
        client.send(typing(room), Map.of("typing", true));
        List<JsonNode> seen = bobEvents.takeUntil(isType("TYPING"));
        assertThat(seen).extracting(event -> event.get("type").asString()).containsExactly("JOIN", "TYPING");
        assertThat(client.isConnected()).isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = { "{}", "{\"typing\":\"true\"}", "{\"typing\":1}", "{\"typing\":null}",
            "{\"typing\":[true]}", "[true]", "true", "not json" })
    void typingWithoutBooleanIsBadRequest(String body) {
        String room = ParleyApi.uniqueName("room");
        ParleyApi.Claim alice = this.api.claim(ParleyApi.uniqueName("alice"));
        StompTestClient client = connect(alice);
        Subscription events = client.subscribe(topic(room));
        Subscription errors = client.subscribe(ERRORS);

        // BAD_REQUEST for the body comes before NOT_JOINED (section 6)
        client.send(typing(room), body);
        JsonNode beforeJoining = errors.next();
        client.send(join(room), Map.of());
        client.send(typing(room), body);
        JsonNode afterJoining = errors.next();

        for (JsonNode error : List.of(beforeJoining, afterJoining)) {
            assertThat(error.get("type").asString()).isEqualTo("ERROR");
            assertThat(error.get("code").asString()).as("error for %s: %s", body, error).isEqualTo("BAD_REQUEST");
            assertThat(error.get("destination").asString()).isEqualTo(typing(room));
        }
        String marker = sendMarker(client, room);
        assertThat(events.takeUntil(isMessage(marker))).noneMatch(isType("TYPING"));
    }

    @Test
    void typingBeyondTwoPerSecondIsDroppedSilently() {
        String room = ParleyApi.uniqueName("room");
        ParleyApi.Claim alice = this.api.claim(ParleyApi.uniqueName("alice"));
        ParleyApi.Claim bob = this.api.claim(ParleyApi.uniqueName("bob"));
        Subscription bobEvents = connect(bob).subscribe(topic(room));
        StompTestClient client = connect(alice);
        Subscription errors = client.subscribe(ERRORS);
        client.send(join(room), Map.of());
        bobEvents.nextMatching(isType("JOIN"));

        long start = System.nanoTime();
        for (int i = 0; i < 6; i++) {
            client.send(typing(room), Map.of("typing", i % 2 == 0));
        }
        String marker = sendMarker(client, room);
        List<JsonNode> seen = bobEvents.takeUntil(isMessage(marker));
        long elapsedMillis = Duration.ofNanos(System.nanoTime() - start).toMillis();

        long typingEvents = seen.stream().filter(isType("TYPING")).count();
        // burst 2; the bucket refills one token every 500 ms, so allow for a slow machine
        long allowed = TYPING_PER_SECOND + (elapsedMillis * TYPING_PER_SECOND) / 1000;
        assertThat(typingEvents).as("TYPING events of 6 sent within %d ms: %s", elapsedMillis, seen)
                .isBetween(1L, Math.min(allowed, 5L));
        assertThat(seen.get(0).get("typing").booleanValue()).as("the first one passes").isTrue();
        // dropped silently: no error, and the connection stays open
        errors.awaitNone(Duration.ofMillis(300));
        assertThat(client.isConnected()).isTrue();
    }

    @Test
    void typingLimitIsPerNicknameAcrossConnections() {
        String room = ParleyApi.uniqueName("room");
        ParleyApi.Claim alice = this.api.claim(ParleyApi.uniqueName("alice"));
        ParleyApi.Claim bob = this.api.claim(ParleyApi.uniqueName("bob"));
        Subscription bobEvents = connect(bob).subscribe(topic(room));
        StompTestClient firstTab = connect(alice);
        StompTestClient secondTab = connect(alice);
        firstTab.send(join(room), Map.of());
        secondTab.send(join(room), Map.of());
        String joined = sendMarker(secondTab, room);
        bobEvents.takeUntil(isMessage(joined));

        long start = System.nanoTime();
        for (int i = 0; i < 3; i++) {
            firstTab.send(typing(room), Map.of("typing", true));
            secondTab.send(typing(room), Map.of("typing", true));
        }
        String firstMarker = sendMarker(firstTab, room);
        String secondMarker = sendMarker(secondTab, room);
        // the two connections' frames may interleave: read until both markers are in
        List<JsonNode> seen = new ArrayList<>();
        while (seen.stream().noneMatch(isMessage(firstMarker)) || seen.stream().noneMatch(isMessage(secondMarker))) {
            seen.add(bobEvents.next());
        }
        long elapsedMillis = Duration.ofNanos(System.nanoTime() - start).toMillis();

        long typingEvents = seen.stream().filter(isType("TYPING")).count();
        long allowed = TYPING_PER_SECOND + (elapsedMillis * TYPING_PER_SECOND) / 1000;
        assertThat(typingEvents).as("TYPING events of 6 sent through two tabs within %d ms: %s", elapsedMillis, seen)
                .isBetween(1L, Math.min(allowed, 5L));
    }

    // ------------------------------------------------------------------ helpers

    private StompTestClient connect(ParleyApi.Claim claim) {
        return StompTestClient.connect(this.port, Transport.WEBSOCKET, claim);
    }

    private static String sendMarker(StompTestClient client, String room) {
        String marker = "marker-" + UUID.randomUUID();
        client.send(send(room), Map.of("text", marker, "clientId", marker));
        return marker;
    }

    private JsonNode roomEntry(String room) {
        return this.api.room(room).orElse(null);
    }

    private static Predicate<JsonNode> isType(String type) {
        return event -> type.equals(event.path("type").asString());
    }

    private static Predicate<JsonNode> isMessage(String text) {
        return event -> "MESSAGE".equals(event.path("type").asString()) && text.equals(event.path("text").asString());
    }
}
