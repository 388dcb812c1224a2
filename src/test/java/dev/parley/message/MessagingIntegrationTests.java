package dev.parley.message;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import java.util.stream.LongStream;
import java.util.stream.Stream;

import dev.parley.support.Destinations;
import dev.parley.support.ParleyApi.Claim;
import dev.parley.support.ParleyApi;
import dev.parley.support.ParleyIntegrationTest;
import dev.parley.support.ParleyIntegrationTestBase;
import dev.parley.support.StompTestClient.Subscription;
import dev.parley.support.StompTestClient.Transport;
import dev.parley.support.StompTestClient;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import tools.jackson.databind.JsonNode;

import static dev.parley.support.Destinations.ERRORS;
import static dev.parley.support.Destinations.app;
import static dev.parley.support.Destinations.leave;
import static dev.parley.support.Destinations.send;
import static dev.parley.support.Destinations.topic;
import static dev.parley.support.Destinations.typing;
import static dev.parley.support.ParleyApi.uniqueName;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Posting messages (contract sections 4, 5, 6 and 8) with the default limits: the MESSAGE event,
 * the error replies and their precedence, the rate limit, de-duplication by {@code clientId},
 * and catch-up after a reconnect.
 */
@ParleyIntegrationTest
class MessagingIntegrationTests extends ParleyIntegrationTestBase {

    private static final String SENT_AT_PATTERN = "\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z";

    private static final List<String> MESSAGE_FIELDS = List.of("type", "id", "room", "sender", "text", "sentAt",
            "clientId");

    private static final List<String> ERROR_FIELDS = List.of("type", "code", "message", "destination", "clientId");

    /** An emoji: one code point, two UTF-16 chars (a surrogate pair), four UTF-8 bytes. */
    private static final String EMOJI = "\uD83D\uDE00";

    // ------------------------------------------------------------------ the MESSAGE event

    @Test
    void messageReachesEverySubscriberIncludingTheSender() {
        String room = uniqueName("room");
        Member alice = joined(this.api.claim(uniqueName("alice")), room, Transport.WEBSOCKET);
        Member bob = joined(this.api.claim(uniqueName("bob")), room, Transport.SOCKJS_WEBSOCKET);
        // a subscriber that never joined still receives the room's events
        Member carol = connected(this.api.claim(uniqueName("carol")), room, Transport.SOCKJS_XHR_STREAMING);
        Instant before = Instant.now().truncatedTo(ChronoUnit.MILLIS);

        alice.send(message("  \t hello, room \n ", "c-1"));

        for (Member subscriber : List.of(alice, bob, carol)) {
            JsonNode event = subscriber.nextMessage();
            assertThat(event.propertyNames()).as("%s", event).containsExactlyInAnyOrderElementsOf(MESSAGE_FIELDS);
            assertThat(event.path("type").asString()).isEqualTo("MESSAGE");
            assertThat(event.path("id").isIntegralNumber()).as("%s", event).isTrue();
            assertThat(event.path("id").asLong()).isEqualTo(1);
            assertThat(event.path("room").asString()).isEqualTo(room);
            assertThat(event.path("sender").asString()).isEqualTo(alice.nickname());
            assertThat(event.path("text").asString()).isEqualTo("hello, room");
            assertThat(event.path("clientId").asString()).isEqualTo("c-1");
            assertThat(event.path("sentAt").asString()).matches(SENT_AT_PATTERN);
            assertThat(Instant.parse(event.path("sentAt").asString())).isBetween(before, Instant.now());
        }
        assertThat(alice.errors.messages()).isEmpty();
    }

    @Test
    void messageWithoutClientIdHasClientIdNull() {
        String room = uniqueName("room");
        Member alice = joined(this.api.claim(uniqueName("alice")), room, Transport.WEBSOCKET);

        alice.send(Map.of("text", "no client id"));

        JsonNode event = alice.nextMessage();
        assertThat(event.has("clientId")).as("%s", event).isTrue();
        assertThat(event.get("clientId").isNull()).as("%s", event).isTrue();
        assertThat(history(room, "")).containsExactly(event);
    }

    @Test
    void idsStartAtOnePerRoomAndIncreaseByOne() {
        String red = uniqueName("red");
        String blue = uniqueName("blue");
        Claim claim = this.api.claim(uniqueName("alice"));
        Member inRed = joined(claim, red, Transport.WEBSOCKET);
        Member inBlue = joined(claim, blue, Transport.SOCKJS_XHR_POLLING);

        inRed.send(message("red 1", null));
        inBlue.send(message("blue 1", null));
        inRed.send(message("red 2", null));
        inRed.send(message("red 3", null));
        inBlue.send(message("blue 2", null));

        assertThat(ids(inRed.nextMessages(3))).containsExactly(1L, 2L, 3L);
        assertThat(ids(inBlue.nextMessages(2))).containsExactly(1L, 2L);
        assertThat(ids(history(red, ""))).containsExactly(1L, 2L, 3L);
        assertThat(ids(history(blue, ""))).containsExactly(1L, 2L);
    }

    @Test
    void broadcastMessageHasTheSameJsonAsHistory() {
        String room = uniqueName("room");
        Member alice = joined(this.api.claim(uniqueName("alice")), room, Transport.WEBSOCKET);

        alice.send(message("same everywhere", "same-1"));
        alice.send(message("second", null));

        List<JsonNode> broadcast = alice.nextMessages(2);
        assertThat(history(room, "")).containsExactlyElementsOf(broadcast);
    }

    @Test
    void markupIsStoredAndEchoedExactly() {
        String room = uniqueName("room");
        Member alice = joined(this.api.claim(uniqueName("alice")), room, Transport.WEBSOCKET);
        String markup = "<img src=x onerror=alert(1)>";

        alice.send(message(markup, null));

        assertThat(alice.nextMessage().path("text").asString()).isEqualTo(markup);
        assertThat(history(room, "").get(0).path("text").asString()).isEqualTo(markup);
    }

    @Test
    void exactly2000CodePointsWithSurrogatePairsAreAccepted() {
        String room = uniqueName("room");
        Member alice = joined(this.api.claim(uniqueName("alice")), room, Transport.WEBSOCKET);
        String text = "a".repeat(1000) + EMOJI.repeat(1000);
        assertThat(text.codePointCount(0, text.length())).isEqualTo(2000);
        assertThat(text.length()).isEqualTo(3000);

        // surrounding whitespace is stripped before counting
        alice.send(message(" \n" + text + "\u2003 ", "long-1"));

        JsonNode event = alice.nextMessage();
        assertThat(event.path("text").asString()).isEqualTo(text);
        assertThat(history(room, "").get(0).path("text").asString()).isEqualTo(text);
        assertThat(alice.errors.messages()).isEmpty();
    }

    @Test
    void exactly2000EmojiAreAccepted() {
        String room = uniqueName("room");
        Member alice = joined(this.api.claim(uniqueName("alice")), room, Transport.SOCKJS_XHR_STREAMING);
        String text = EMOJI.repeat(2000);

        alice.send(message(text, null));

        assertThat(alice.nextMessage().path("text").asString()).isEqualTo(text);
    }

    // ------------------------------------------------------------------ NOT_JOINED

    @Test
    void sendAndTypingBeforeJoinAreRefusedWithNotJoined() {
        String room = uniqueName("room");
        Member alice = connected(this.api.claim(uniqueName("alice")), room, Transport.WEBSOCKET);

        alice.send(message("too early", "early-1"));
        assertError(alice.errors.next(), "NOT_JOINED", send(room), "early-1");
        alice.send(typing(room), Map.of("typing", true));
        assertError(alice.errors.next(), "NOT_JOINED", typing(room), null);

        alice.join();
        alice.send(message("now joined", null));

        assertOnlyMessageIsTheFirst(alice, "now joined");
    }

    @Test
    void joiningIsPerConnection() {
        String room = uniqueName("room");
        Claim claim = this.api.claim(uniqueName("alice"));
        Member first = joined(claim, room, Transport.WEBSOCKET);
        // same nickname, online in the room, but this connection has not joined
        Member second = connected(claim, room, Transport.SOCKJS_WEBSOCKET);

        second.send(message("from the second tab", "tab-2"));

        assertError(second.errors.next(), "NOT_JOINED", send(room), "tab-2");
        first.send(message("from the first tab", null));
        assertOnlyMessageIsTheFirst(first, "from the first tab");
    }

    @Test
    void joiningOneRoomDoesNotAllowPostingToAnother() {
        String joinedRoom = uniqueName("joined");
        String otherRoom = uniqueName("other");
        Member alice = joined(this.api.claim(uniqueName("alice")), joinedRoom, Transport.WEBSOCKET);

        alice.send(send(otherRoom), message("wrong room", null));

        assertError(alice.errors.next(), "NOT_JOINED", send(otherRoom), null);
        assertThat(history(otherRoom, "")).isEmpty();
        alice.send(message("right room", null));
        assertOnlyMessageIsTheFirst(alice, "right room");
    }

    @Test
    void afterLeavingARoomSendingIsRefusedWithNotJoined() {
        String room = uniqueName("room");
        Member alice = joined(this.api.claim(uniqueName("alice")), room, Transport.WEBSOCKET);
        alice.send(message("before leaving", null));
        alice.nextMessage();

        alice.send(leave(room), Map.of());
        alice.send(message("after leaving", "left-1"));

        assertError(alice.errors.next(), "NOT_JOINED", send(room), "left-1");
        assertThat(texts(history(room, ""))).containsExactly("before leaving");
    }

    // ------------------------------------------------------------------ INVALID_MESSAGE

    static Stream<Arguments> invalidMessages() {
        return Stream.of(
                Arguments.of("text is a number", "{\"text\":42,\"clientId\":\"num-1\"}", "num-1"),
                Arguments.of("text is a boolean", "{\"text\":true}", null),
                Arguments.of("text is an array", "{\"text\":[\"hi\"],\"clientId\":\"arr-1\"}", "arr-1"),
                Arguments.of("text is an object", "{\"text\":{\"value\":\"hi\"}}", null),
                Arguments.of("text is null", "{\"text\":null,\"clientId\":\"null-1\"}", "null-1"),
                Arguments.of("text is missing", "{\"clientId\":\"missing-1\"}", "missing-1"),
                Arguments.of("empty object", "{}", null),
                Arguments.of("text is empty", "{\"text\":\"\"}", null),
                Arguments.of("text is blank after strip",
                        "{\"text\":\" \\t\\n\\u2003\\u3000 \",\"clientId\":\"blank-1\"}", "blank-1"),
                Arguments.of("2001 code points", json(Map.of("text", "a".repeat(2001), "clientId", "long-1")),
                        "long-1"),
                Arguments.of("2001 emoji", json(Map.of("text", EMOJI.repeat(2001))), null),
                Arguments.of("2000 emoji and one letter", json(Map.of("text", EMOJI.repeat(2000) + "a")), null),
                Arguments.of("clientId with a space", "{\"text\":\"hi\",\"clientId\":\"has space\"}", "has space"),
                Arguments.of("clientId of 65 characters",
                        json(Map.of("text", "hi", "clientId", "x".repeat(65))), "x".repeat(65)),
                Arguments.of("clientId empty", "{\"text\":\"hi\",\"clientId\":\"\"}", ""),
                Arguments.of("clientId with a non-ASCII letter", "{\"text\":\"hi\",\"clientId\":\"caf\u00e9\"}",
                        "caf\u00e9"),
                Arguments.of("clientId with a dot", "{\"text\":\"hi\",\"clientId\":\"a.b\"}", "a.b"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("invalidMessages")
    void invalidMessageIsRefusedWithInvalidMessageAndNothingIsStored(String what, String body,
            @Nullable String clientId) {
        String room = uniqueName("room");
        Member alice = joined(this.api.claim(uniqueName("alice")), room, Transport.WEBSOCKET);

        alice.send(send(room), body);

        assertError(alice.errors.next(), "INVALID_MESSAGE", send(room), clientId);
        assertStillUsableWithNothingStored(alice);
    }

    @Test
    void clientIdThatIsNotAStringIsRefusedWithInvalidMessage() {
        String room = uniqueName("room");
        Member alice = joined(this.api.claim(uniqueName("alice")), room, Transport.WEBSOCKET);

        alice.send(send(room), "{\"text\":\"hi\",\"clientId\":7}");

        JsonNode error = alice.errors.next();
        assertThat(error.path("code").asString()).as("%s", error).isEqualTo("INVALID_MESSAGE");
        assertThat(error.has("clientId")).as("%s", error).isTrue();
        assertStillUsableWithNothingStored(alice);
    }

    // ------------------------------------------------------------------ BAD_REQUEST

    static Stream<Arguments> malformedBodies() {
        return Stream.of(
                Arguments.of("send", "not json"),
                Arguments.of("send", "[]"),
                Arguments.of("send", "[{\"text\":\"hi\"}]"),
                Arguments.of("send", "\"just a string\""),
                Arguments.of("send", "42"),
                Arguments.of("send", "null"),
                Arguments.of("send", "{\"text\":\"cut off\""),
                Arguments.of("typing", "{}"),
                Arguments.of("typing", "{\"typing\":\"yes\"}"),
                Arguments.of("typing", "{\"typing\":1}"),
                Arguments.of("typing", "{\"typing\":null}"),
                Arguments.of("typing", "not json"),
                Arguments.of("join", "not json"),
                Arguments.of("join", "[]"),
                Arguments.of("leave", "not json"));
    }

    @ParameterizedTest(name = "{0} with {1}")
    @MethodSource("malformedBodies")
    void malformedBodyIsRefusedWithBadRequest(String operation, String body) {
        String room = uniqueName("room");
        Member alice = joined(this.api.claim(uniqueName("alice")), room, Transport.WEBSOCKET);

        alice.send(app(room, operation), body);

        assertError(alice.errors.next(), "BAD_REQUEST", app(room, operation), null);
        // still joined (a refused leave does not leave) and still usable
        assertStillUsableWithNothingStored(alice);
    }

    static Stream<String> unknownOperations() {
        return Stream.of("/app/room.%s.foo", "/app/room.x.foo", "/app/room.%s.users", "/app/room.%s.JOIN", "/app/whatever",
                "/app/ROOM.%s.send", "/app/rooms.%s.send");
    }

    @ParameterizedTest
    @MethodSource("unknownOperations")
    void unknownOperationIsRefusedWithBadRequest(String destinationPattern) {
        String room = uniqueName("room");
        Member alice = joined(this.api.claim(uniqueName("alice")), room, Transport.WEBSOCKET);
        String destination = destinationPattern.formatted(room);

        alice.send(destination, message("hi", "unknown-1"));

        assertError(alice.errors.next(), "BAD_REQUEST", destination, "unknown-1");
        assertStillUsableWithNothingStored(alice);
    }

    // ------------------------------------------------------------------ INVALID_ROOM

    static Stream<String> invalidRoomDestinations() {
        return Stream.of("/app/room.Bad.send", "/app/room.a.b.join", "/app/room.a.b.send", "/app/room.Bad.join",
                "/app/room.Bad.typing", "/app/room.Bad.leave", "/app/room.-x.send", "/app/room._x.join",
                "/app/room..send", "/app/room." + "a".repeat(33) + ".send", "/app/room.sp ace.send",
                "/app/room.caf\u00e9.join");
    }

    @ParameterizedTest
    @MethodSource("invalidRoomDestinations")
    void invalidRoomIsRefusedWithInvalidRoom(String destination) {
        String room = uniqueName("room");
        Member alice = joined(this.api.claim(uniqueName("alice")), room, Transport.WEBSOCKET);

        alice.send(destination, message("hi", "room-1"));

        assertError(alice.errors.next(), "INVALID_ROOM", destination, "room-1");
        assertStillUsableWithNothingStored(alice);
    }

    // ------------------------------------------------------------------ precedence

    @Test
    void invalidRoomComesBeforeABadBody() {
        String room = uniqueName("room");
        Member alice = joined(this.api.claim(uniqueName("alice")), room, Transport.WEBSOCKET);

        alice.send("/app/room.Bad.send", "not json");
        assertError(alice.errors.next(), "INVALID_ROOM", "/app/room.Bad.send", null);
        alice.send("/app/room.a.b.join", "[]");
        assertError(alice.errors.next(), "INVALID_ROOM", "/app/room.a.b.join", null);
        alice.send("/app/room.Bad.typing", "{}");
        assertError(alice.errors.next(), "INVALID_ROOM", "/app/room.Bad.typing", null);

        assertStillUsableWithNothingStored(alice);
    }

    @Test
    void unknownOperationComesBeforeABadBody() {
        String room = uniqueName("room");
        Member alice = joined(this.api.claim(uniqueName("alice")), room, Transport.WEBSOCKET);

        alice.send("/app/room." + room + ".foo", "not json");

        assertError(alice.errors.next(), "BAD_REQUEST", "/app/room." + room + ".foo", null);
    }

    @Test
    void badBodyComesBeforeNotJoined() {
        String room = uniqueName("room");
        Member alice = connected(this.api.claim(uniqueName("alice")), room, Transport.WEBSOCKET);

        alice.send(send(room), "not json");
        assertError(alice.errors.next(), "BAD_REQUEST", send(room), null);
        alice.send(send(room), "[]");
        assertError(alice.errors.next(), "BAD_REQUEST", send(room), null);
        alice.send(typing(room), "{\"typing\":\"yes\"}");
        assertError(alice.errors.next(), "BAD_REQUEST", typing(room), null);
    }

    @Test
    void notJoinedComesBeforeInvalidText() {
        String room = uniqueName("room");
        Member alice = connected(this.api.claim(uniqueName("alice")), room, Transport.WEBSOCKET);

        alice.send(send(room), "{\"text\":\"   \",\"clientId\":\"p-1\"}");
        assertError(alice.errors.next(), "NOT_JOINED", send(room), "p-1");
        alice.send(send(room), "{\"text\":42}");
        assertError(alice.errors.next(), "NOT_JOINED", send(room), null);
        alice.send(send(room), json(Map.of("text", "a".repeat(2001))));
        assertError(alice.errors.next(), "NOT_JOINED", send(room), null);
        alice.send(send(room), "{\"text\":\"hi\",\"clientId\":\"bad id\"}");
        assertError(alice.errors.next(), "NOT_JOINED", send(room), "bad id");

        alice.join();
        alice.send(message("valid", "p-1"));
        assertOnlyMessageIsTheFirst(alice, "valid");
    }

    // ------------------------------------------------------------------ rate limit

    /*
     * The bucket refills one token per 200 ms (5 per second). The 15 sends below take a few
     * milliseconds, but on a loaded machine the server might take longer to handle them, and
     * a token refilled meanwhile would rightly let one more through. So the number stored may
     * exceed the burst by one per 200 ms that the whole exchange took (measured from before the
     * first send to the last answer, which bounds the server's handling); on any normal run it is
     * exactly 10.
     */

    @Test
    void burstOfTenIsStoredAndTheRestIsRateLimitedUntilTokensRefill() {
        String room = uniqueName("room");
        Member alice = joined(this.api.claim(uniqueName("alice")), room, Transport.WEBSOCKET);
        List<String> clientIds = new ArrayList<>();

        long started = System.nanoTime();
        for (int i = 0; i < 15; i++) {
            clientIds.add("rl-" + i);
            alice.send(message("burst " + i, "rl-" + i));
        }
        Map<String, JsonNode> outcomes = awaitOutcomes(List.of(alice), clientIds);
        long refills = Duration.ofNanos(System.nanoTime() - started).toMillis() / 200;

        List<String> stored = clientIds.stream().filter((id) -> isMessage(outcomes.get(id))).toList();
        List<String> refused = clientIds.stream().filter((id) -> !isMessage(outcomes.get(id))).toList();
        assertThat(stored).as("the burst").startsWith("rl-0", "rl-1", "rl-2", "rl-3", "rl-4", "rl-5", "rl-6",
                "rl-7", "rl-8", "rl-9");
        assertThat((long) stored.size()).as("stored, with %d refills", refills).isBetween(10L, 10 + refills);
        assertThat(refused).as("refused").isNotEmpty();
        for (String clientId : refused) {
            assertError(outcomes.get(clientId), "RATE_LIMITED", send(room), clientId);
        }
        // stored in the order sent, with contiguous ids
        List<JsonNode> history = history(room, "");
        assertThat(ids(history)).isEqualTo(LongStream.rangeClosed(1, stored.size()).boxed().toList());
        assertThat(clientIds(history)).isEqualTo(stored);

        // validation is answered before the rate limit
        alice.send(message(" ", "rl-invalid"));
        assertError(alice.errors.next(), "INVALID_MESSAGE", send(room), "rl-invalid");

        // a refused send does not use up its clientId: once a token is back, it is stored
        String retry = refused.get(0);
        JsonNode retried = await("a send to be accepted again").atMost(Duration.ofSeconds(5))
            .pollDelay(Duration.ZERO)
            .pollInterval(Duration.ofMillis(100))
            .until(() -> alice.attempt(message("retried", retry)), MessagingIntegrationTests::isMessage);
        assertThat(retried.path("id").asLong()).isEqualTo(stored.size() + 1);
        assertThat(retried.path("clientId").asString()).isEqualTo(retry);
        assertThat(ids(history(room, ""))).hasSize(stored.size() + 1);
    }

    @Test
    void rateLimitIsPerNicknameAcrossConnectionsAndRooms() {
        String red = uniqueName("red");
        String blue = uniqueName("blue");
        Claim alice = this.api.claim(uniqueName("alice"));
        Member inRed = joined(alice, red, Transport.WEBSOCKET);
        Member inBlue = joined(alice, blue, Transport.SOCKJS_WEBSOCKET);
        Member bob = joined(this.api.claim(uniqueName("bob")), red, Transport.WEBSOCKET);
        List<String> clientIds = new ArrayList<>();

        // neither connection alone goes beyond the burst of 10
        long started = System.nanoTime();
        for (int i = 0; i < 8; i++) {
            clientIds.add("red-" + i);
            inRed.send(message("red " + i, "red-" + i));
            if (i < 7) {
                clientIds.add("blue-" + i);
                inBlue.send(message("blue " + i, "blue-" + i));
            }
        }
        Map<String, JsonNode> outcomes = awaitOutcomes(List.of(inRed, inBlue), clientIds);
        long refills = Duration.ofNanos(System.nanoTime() - started).toMillis() / 200;

        long stored = outcomes.values().stream().filter(MessagingIntegrationTests::isMessage).count();
        assertThat(stored).as("stored, with %d refills", refills).isBetween(10L, Math.min(14, 10 + refills));
        outcomes.forEach((clientId, outcome) -> {
            if (!isMessage(outcome)) {
                String room = clientId.startsWith("red") ? red : blue;
                assertError(outcome, "RATE_LIMITED", send(room), clientId);
            }
        });
        assertThat(history(red, "").size() + history(blue, "").size()).isEqualTo(stored);

        // another nickname is not slowed down by alice
        bob.send(message("bob is not limited", "bob-1"));
        List<JsonNode> seenByBob = bob.messagesUntilText("bob is not limited");
        assertThat(seenByBob.get(seenByBob.size() - 1).path("sender").asString()).isEqualTo(bob.nickname());
        assertThat(bob.errors.messages()).isEmpty();
    }

    @Test
    void onlySendFramesCountTowardsTheRateLimit() {
        String room = uniqueName("room");
        Member alice = joined(this.api.claim(uniqueName("alice")), room, Transport.WEBSOCKET);
        List<String> clientIds = new ArrayList<>();

        for (int i = 0; i < 12; i++) {
            alice.send(typing(room), Map.of("typing", i % 2 == 0));
            alice.join();
            alice.send(message("   ", "refused-" + i));
        }
        for (int i = 0; i < 10; i++) {
            clientIds.add("counted-" + i);
            alice.send(message("counted " + i, "counted-" + i));
        }

        Map<String, JsonNode> outcomes = awaitOutcomes(List.of(alice), clientIds);
        assertThat(outcomes.values()).as("the whole burst is still there").allMatch(MessagingIntegrationTests::isMessage);
        assertThat(ids(history(room, ""))).hasSize(10);
    }

    /**
     * Waits until every one of {@code clientIds} is answered on one of the members' room or
     * error subscriptions, by its MESSAGE event or its error reply.
     */
    private static Map<String, JsonNode> awaitOutcomes(List<Member> members, List<String> clientIds) {
        Map<String, JsonNode> outcomes = new HashMap<>();
        await("an answer to each of " + clientIds).atMost(StompTestClient.TIMEOUT)
            .pollInterval(Duration.ofMillis(10))
            .untilAsserted(() -> {
                for (Member member : members) {
                    for (Subscription subscription : List.of(member.room, member.errors)) {
                        JsonNode event;
                        while ((event = subscription.messages().poll()) != null) {
                            String clientId = event.path("clientId").asString("");
                            if (clientIds.contains(clientId)) {
                                assertThat(outcomes.put(clientId, event)).as("second answer to %s", clientId)
                                    .isNull();
                            }
                        }
                    }
                }
                assertThat(outcomes.keySet()).containsExactlyInAnyOrderElementsOf(clientIds);
            });
        return outcomes;
    }

    // ------------------------------------------------------------------ clientId de-duplication

    @Test
    void retriedClientIdIsStoredAndBroadcastOnce() {
        String room = uniqueName("room");
        Member alice = joined(this.api.claim(uniqueName("alice")), room, Transport.WEBSOCKET);
        Member bob = joined(this.api.claim(uniqueName("bob")), room, Transport.SOCKJS_XHR_POLLING);

        alice.send(message("original", "retry-1"));
        alice.send(message("original", "retry-1"));
        alice.send(message("edited in between", "retry-1"));
        alice.send(message("marker", null));

        for (Member subscriber : List.of(alice, bob)) {
            List<JsonNode> messages = subscriber.messagesUntilText("marker");
            assertThat(texts(messages)).containsExactly("original", "marker");
            assertThat(ids(messages)).containsExactly(1L, 2L);
        }
        assertThat(alice.errors.messages()).as("no error for a retry").isEmpty();
        List<JsonNode> history = history(room, "");
        assertThat(texts(history)).containsExactly("original", "marker");
        assertThat(history.get(0).path("clientId").asString()).isEqualTo("retry-1");
    }

    @Test
    void retryFromAnotherConnectionOfTheSameNicknameIsStoredOnce() {
        String room = uniqueName("room");
        Claim claim = this.api.claim(uniqueName("alice"));
        Member firstTab = joined(claim, room, Transport.WEBSOCKET);
        firstTab.send(message("original", "tabs-1"));
        assertThat(firstTab.nextMessage().path("id").asLong()).isEqualTo(1);

        Member secondTab = joined(claim, room, Transport.SOCKJS_XHR_POLLING);
        secondTab.send(message("original", "tabs-1"));
        secondTab.send(message("marker", null));

        assertThat(texts(secondTab.messagesUntilText("marker"))).containsExactly("marker");
        assertThat(texts(firstTab.messagesUntilText("marker"))).containsExactly("marker");
        assertThat(secondTab.errors.messages()).isEmpty();
        assertThat(ids(history(room, ""))).containsExactly(1L, 2L);
    }

    @Test
    void retryUnderAnotherSpellingOfTheNicknameIsStoredOnce() {
        String room = uniqueName("room");
        Claim claim = this.api.claim(uniqueName("alice"));
        Member lower = joined(claim, room, Transport.WEBSOCKET);
        lower.send(message("original", "case-1"));
        lower.nextMessage();

        Claim upperCase = new Claim(claim.nickname().toUpperCase(), claim.token());
        Member upper = joined(upperCase, room, Transport.WEBSOCKET);
        upper.send(message("original", "case-1"));
        upper.send(message("marker", null));

        List<JsonNode> seen = upper.messagesUntilText("marker");
        assertThat(texts(seen)).containsExactly("marker");
        assertThat(seen.get(0).path("sender").asString()).isEqualTo(claim.nickname());
        assertThat(ids(history(room, ""))).containsExactly(1L, 2L);
    }

    @Test
    void retryAfterAReconnectIsStoredOnce() {
        String room = uniqueName("room");
        Claim claim = this.api.claim(uniqueName("alice"));
        Member before = joined(claim, room, Transport.SOCKJS_XHR_POLLING);
        before.send(message("original", "reconnect-1"));
        before.nextMessage();
        before.client.disconnect();

        Member after = joined(claim, room, Transport.WEBSOCKET);
        after.send(message("original", "reconnect-1"));
        after.send(message("marker", null));

        assertThat(texts(after.messagesUntilText("marker"))).containsExactly("marker");
        assertThat(after.errors.messages()).isEmpty();
        List<JsonNode> history = history(room, "");
        assertThat(clientIds(history)).containsExactly("reconnect-1", null);
        assertThat(ids(history)).containsExactly(1L, 2L);
    }

    @Test
    void anotherNicknameMayUseTheSameClientId() {
        String room = uniqueName("room");
        Member alice = joined(this.api.claim(uniqueName("alice")), room, Transport.WEBSOCKET);
        Member bob = joined(this.api.claim(uniqueName("bob")), room, Transport.WEBSOCKET);

        alice.send(message("from alice", "shared-1"));
        assertThat(alice.nextMessage().path("id").asLong()).isEqualTo(1);
        bob.send(message("from bob", "shared-1"));

        List<JsonNode> seen = alice.messagesUntilText("from bob");
        assertThat(seen).hasSize(1);
        assertThat(seen.get(0).path("id").asLong()).isEqualTo(2);
        assertThat(seen.get(0).path("sender").asString()).isEqualTo(bob.nickname());
        assertThat(seen.get(0).path("clientId").asString()).isEqualTo("shared-1");
        assertThat(bob.errors.messages()).isEmpty();
    }

    @Test
    void sameClientIdInAnotherRoomIsStored() {
        String red = uniqueName("red");
        String blue = uniqueName("blue");
        Claim claim = this.api.claim(uniqueName("alice"));
        Member inRed = joined(claim, red, Transport.WEBSOCKET);
        Member inBlue = joined(claim, blue, Transport.WEBSOCKET);

        inRed.send(message("in red", "rooms-1"));
        inRed.nextMessage();
        inBlue.send(message("in blue", "rooms-1"));

        JsonNode blueMessage = inBlue.nextMessage();
        assertThat(blueMessage.path("text").asString()).isEqualTo("in blue");
        assertThat(blueMessage.path("id").asLong()).isEqualTo(1);
    }

    @Test
    void refusedSendDoesNotUseUpItsClientId() {
        String room = uniqueName("room");
        Member alice = connected(this.api.claim(uniqueName("alice")), room, Transport.WEBSOCKET);

        alice.send(message("not joined yet", "refused-1"));
        assertError(alice.errors.next(), "NOT_JOINED", send(room), "refused-1");
        alice.join();
        alice.send(message("   ", "refused-1"));
        assertError(alice.errors.next(), "INVALID_MESSAGE", send(room), "refused-1");
        alice.send(message("finally", "refused-1"));

        JsonNode stored = alice.nextMessage();
        assertThat(stored.path("text").asString()).isEqualTo("finally");
        assertThat(stored.path("clientId").asString()).isEqualTo("refused-1");
        assertThat(stored.path("id").asLong()).isEqualTo(1);
        assertThat(alice.errors.messages()).isEmpty();
    }

    // ------------------------------------------------------------------ catch-up (section 8)

    @Test
    void catchUpAfterReconnectDeliversExactlyTheMissedMessagesInOrder() {
        String room = uniqueName("room");
        Claim aliceClaim = this.api.claim(uniqueName("alice"));
        Member alice = joined(aliceClaim, room, Transport.WEBSOCKET);
        Member bob = joined(this.api.claim(uniqueName("bob")), room, Transport.SOCKJS_WEBSOCKET);
        for (int i = 1; i <= 3; i++) {
            bob.send(message("seen " + i, "seen-" + i));
        }
        long highestSeen = ids(alice.nextMessages(3)).get(2);
        alice.client.disconnect();

        for (int i = 1; i <= 7; i++) {
            bob.send(message("missed " + i, "missed-" + i));
        }
        List<JsonNode> missed = bob.nextMessages(10).subList(3, 10);

        Member back = joined(aliceClaim, room, Transport.SOCKJS_XHR_POLLING);
        Map<Long, JsonNode> merged = new LinkedHashMap<>();
        List<Long> fetched = new ArrayList<>();
        int limit = 3;
        long after = highestSeen;
        while (true) {
            List<JsonNode> page = history(room, "?after=" + after + "&limit=" + limit);
            for (JsonNode message : page) {
                fetched.add(message.path("id").asLong());
                merged.putIfAbsent(message.path("id").asLong(), message);
            }
            if (page.size() < limit) {
                break;
            }
            after = page.get(page.size() - 1).path("id").asLong();
        }

        assertThat(fetched).as("each missed message fetched once, in order")
            .containsExactly(4L, 5L, 6L, 7L, 8L, 9L, 10L);
        assertThat(List.copyOf(merged.values())).containsExactlyElementsOf(missed);
        assertThat(texts(List.copyOf(merged.values()))).containsExactly("missed 1", "missed 2", "missed 3",
                "missed 4", "missed 5", "missed 6", "missed 7");
        assertThat(back.room.messages().stream().filter(MessagingIntegrationTests::isMessage))
            .as("nothing from before the reconnect arrives live").isEmpty();
    }

    // ------------------------------------------------------------------ helpers

    /**
     * Connects, subscribes to the room and to the error queue, and joins. The join needs no
     * wait: a connection's frames are handled in the order it sent them.
     */
    private Member joined(Claim claim, String room, Transport transport) {
        Member member = connected(claim, room, transport);
        member.join();
        return member;
    }

    /** Connects and subscribes to the room and to the error queue, without joining. */
    private Member connected(Claim claim, String room, Transport transport) {
        StompTestClient client = StompTestClient.connect(this.port, transport, claim);
        Subscription errors = client.subscribe(ERRORS);
        Subscription topic = client.subscribe(topic(room));
        return new Member(claim, client, room, topic, errors);
    }

    private List<JsonNode> history(String room, String query) {
        ParleyApi.Response response = this.api.get("/api/rooms/" + room + "/messages" + query);
        assertThat(response.status()).as("GET %s: %s", query, response.body()).isEqualTo(200);
        return List.copyOf(response.json().values());
    }

    /**
     * After refused frames in a room: the connection is still joined and usable, and nothing
     * refused was stored. Sends a valid message, which must come back as the room's first.
     */
    private void assertStillUsableWithNothingStored(Member member) {
        member.send(message("valid", null));
        assertOnlyMessageIsTheFirst(member, "valid");
    }

    /**
     * After refused frames in a room: the valid message sent last is the room's first (so nothing
     * was stored), no other MESSAGE was broadcast before it, and history holds it alone.
     */
    private void assertOnlyMessageIsTheFirst(Member member, String text) {
        List<JsonNode> events = member.room.takeUntil((event) -> isMessage(event));
        JsonNode message = events.get(events.size() - 1);
        assertThat(message.path("text").asString()).isEqualTo(text);
        assertThat(message.path("id").asLong()).as("%s", message).isEqualTo(1);
        assertThat(events).as("events before the message").allMatch((event) -> !isMessage(event) || event == message)
            .noneMatch((event) -> event.path("type").asString().equals("TYPING"));
        assertThat(history(member.roomName, "")).containsExactly(message);
        assertThat(member.errors.messages()).as("no further error").isEmpty();
    }

    private static void assertError(JsonNode error, String code, String destination, @Nullable String clientId) {
        assertThat(error.propertyNames()).as("%s", error).containsExactlyInAnyOrderElementsOf(ERROR_FIELDS);
        assertThat(error.path("type").asString()).as("%s", error).isEqualTo("ERROR");
        assertThat(error.path("code").asString()).as("%s", error).isEqualTo(code);
        assertThat(error.path("message").isString()).as("%s", error).isTrue();
        assertThat(error.path("message").asString()).as("%s", error).isNotBlank();
        assertThat(error.path("destination").asString()).as("%s", error).isEqualTo(destination);
        if (clientId == null) {
            assertThat(error.get("clientId").isNull()).as("clientId null in %s", error).isTrue();
        }
        else {
            assertThat(error.get("clientId").isString()).as("clientId in %s", error).isTrue();
            assertThat(error.get("clientId").asString()).as("clientId in %s", error).isEqualTo(clientId);
        }
    }

    static boolean isMessage(JsonNode event) {
        return event.path("type").asString().equals("MESSAGE");
    }

    private static Map<String, Object> message(String text, @Nullable String clientId) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("text", text);
        if (clientId != null) {
            body.put("clientId", clientId);
        }
        return body;
    }

    private static String json(Object value) {
        return ParleyApi.JSON.writeValueAsString(value);
    }

    private static List<Long> ids(List<JsonNode> messages) {
        return messages.stream().map((message) -> message.path("id").asLong()).toList();
    }

    private static List<String> texts(List<JsonNode> messages) {
        return messages.stream().map((message) -> message.path("text").asString()).toList();
    }

    private static List<@Nullable String> clientIds(List<JsonNode> messages) {
        return messages.stream()
            .map((message) -> message.path("clientId").isNull() ? null : message.path("clientId").asString())
            .toList();
    }

    /** One connection of a nickname, subscribed to one room's topic and to its own errors. */
    private static final class Member {

        final Claim claim;

        final StompTestClient client;

        final String roomName;

        final Subscription room;

        final Subscription errors;

        Member(Claim claim, StompTestClient client, String roomName, Subscription room, Subscription errors) {
            this.claim = claim;
            this.client = client;
            this.roomName = roomName;
            this.room = room;
            this.errors = errors;
        }

        String nickname() {
            return this.claim.nickname();
        }

        void join() {
            this.client.send(Destinations.join(this.roomName), Map.of());
        }

        void send(Object body) {
            send(Destinations.send(this.roomName), body);
        }

        void send(String destination, Object body) {
            this.client.send(destination, body);
        }

        JsonNode nextMessage() {
            return this.room.nextMatching(MessagingIntegrationTests::isMessage);
        }

        List<JsonNode> nextMessages(int count) {
            List<JsonNode> messages = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                messages.add(nextMessage());
            }
            return messages;
        }

        /** The MESSAGE events up to and including the first with {@code text}. */
        List<JsonNode> messagesUntilText(String text) {
            Predicate<JsonNode> marker = (event) -> isMessage(event) && event.path("text").asString().equals(text);
            return this.room.takeUntil(marker).stream().filter(MessagingIntegrationTests::isMessage).toList();
        }

        /**
         * Sends a message (with a clientId) and returns what answers it: its MESSAGE event or
         * the error reply with its clientId.
         */
        JsonNode attempt(Map<String, Object> body) {
            String clientId = (String) body.get("clientId");
            send(body);
            return awaitOutcomes(List.of(this), List.of(clientId)).get(clientId);
        }
    }
}
