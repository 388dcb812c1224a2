package dev.parley.presence;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.function.Predicate;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import tools.jackson.databind.JsonNode;

import dev.parley.support.Destinations;
import dev.parley.support.ParleyApi;
import dev.parley.support.ParleyIntegrationTest;
import dev.parley.support.ParleyIntegrationTestBase;
import dev.parley.support.StompTestClient.Subscription;
import dev.parley.support.StompTestClient.Transport;
import dev.parley.support.StompTestClient;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.messaging.Message;
import org.springframework.messaging.simp.stomp.StompCommand;
import org.springframework.messaging.simp.stomp.StompHeaderAccessor;
import org.springframework.messaging.simp.user.SimpSession;
import org.springframework.messaging.simp.user.SimpUser;
import org.springframework.messaging.simp.user.SimpUserRegistry;
import org.springframework.messaging.support.MessageBuilder;
import org.springframework.web.socket.CloseStatus;
import org.springframework.web.socket.messaging.SessionDisconnectEvent;

import static dev.parley.support.Destinations.join;
import static dev.parley.support.Destinations.leave;
import static dev.parley.support.Destinations.send;
import static dev.parley.support.Destinations.topic;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Presence over the wire (contract sections 4 and 5): JOIN / LEAVE events with the room's
 * online count, per nickname rather than per connection, ended by leave, by a clean DISCONNECT
 * and by a dropped connection on every transport; the online list over STOMP and REST.
 */
@ParleyIntegrationTest
class PresenceIntegrationTests extends ParleyIntegrationTestBase {

    /** How long a DISCONNECT or a closed WebSocket may take to end presence (section 5). */
    private static final Duration DISCONNECT_BOUND = Duration.ofSeconds(5);

    /**
     * How long an xhr-polling client may stay online after its connection closed: its held poll
     * is answered within half the heart-beat interval (5 s), and its SockJS session ends once it
     * has had no request for the disconnect delay (5 s); measured 9-11 s.
     */
    private static final Duration POLLER_BOUND = Duration.ofSeconds(16);

    private static final String ISO_MILLIS = "\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}\\.\\d{3}Z";

    @Autowired
    ApplicationEventPublisher events;

    @Autowired
    SimpUserRegistry userRegistry;

    // ------------------------------------------------------------------ JOIN and LEAVE

    @Test
    void firstJoinAnnouncesJoinWithOnlineCount() {
        String room = ParleyApi.uniqueName("room");
        ParleyApi.Claim alice = this.api.claim(ParleyApi.uniqueName("alice"));
        StompTestClient client = connect(alice);
        Subscription events = client.subscribe(topic(room));

        Instant before = Instant.now();
        client.send(join(room), Map.of());
        JsonNode join = events.next();

        assertThat(fieldNames(join)).containsExactlyInAnyOrder("type", "room", "user", "at", "online");
        assertThat(join.get("type").asString()).isEqualTo("JOIN");
        assertThat(join.get("room").asString()).isEqualTo(room);
        assertThat(join.get("user").asString()).isEqualTo(alice.nickname());
        assertThat(join.get("online").isInt()).as("online is a number: %s", join).isTrue();
        assertThat(join.get("online").asInt()).isEqualTo(1);
        assertTimestampNear(join.get("at"), before);
    }

    @Test
    void secondNicknameJoiningCountsTwo() {
        String room = ParleyApi.uniqueName("room");
        ParleyApi.Claim alice = this.api.claim(ParleyApi.uniqueName("alice"));
        ParleyApi.Claim bob = this.api.claim(ParleyApi.uniqueName("bob"));
        StompTestClient aliceClient = connect(alice);
        Subscription aliceEvents = aliceClient.subscribe(topic(room));
        aliceClient.send(join(room), Map.of());
        assertEvent(aliceEvents.next(), "JOIN", alice, 1);

        StompTestClient bobClient = connect(bob);
        Subscription bobEvents = bobClient.subscribe(topic(room));
        bobClient.send(join(room), Map.of());

        assertEvent(aliceEvents.next(), "JOIN", bob, 2);
        assertEvent(bobEvents.next(), "JOIN", bob, 2);
        assertThat(users(room)).containsExactly(alice.nickname(), bob.nickname());
    }

    @Test
    void leaveAnnouncesLeaveWithCountAfter() {
        String room = ParleyApi.uniqueName("room");
        ParleyApi.Claim alice = this.api.claim(ParleyApi.uniqueName("alice"));
        ParleyApi.Claim bob = this.api.claim(ParleyApi.uniqueName("bob"));
        StompTestClient aliceClient = joined(alice, room);
        Subscription events = aliceClient.subscribe(topic(room));
        StompTestClient bobClient = connect(bob);
        bobClient.send(join(room), Map.of());
        assertEvent(events.next(), "JOIN", bob, 2);

        Instant before = Instant.now();
        bobClient.send(leave(room), Map.of());
        JsonNode leave = events.next();

        assertThat(fieldNames(leave)).containsExactlyInAnyOrder("type", "room", "user", "at", "online");
        assertEvent(leave, "LEAVE", bob, 1);
        assertThat(leave.get("room").asString()).isEqualTo(room);
        assertTimestampNear(leave.get("at"), before);
        assertThat(users(room)).containsExactly(alice.nickname());

        // the subscription outlives the membership: alice still sees her own LEAVE, with 0 online
        aliceClient.send(leave(room), Map.of());
        assertEvent(events.next(), "LEAVE", alice, 0);
        assertThat(users(room)).isEmpty();
    }

    @Test
    void joiningTwiceIsHarmless() {
        String room = ParleyApi.uniqueName("room");
        ParleyApi.Claim alice = this.api.claim(ParleyApi.uniqueName("alice"));
        StompTestClient client = connect(alice);
        Subscription events = client.subscribe(topic(room));
        client.send(join(room), Map.of());
        assertEvent(events.next(), "JOIN", alice, 1);

        client.send(join(room), Map.of());
        String marker = sendMarker(client, room);

        List<JsonNode> beforeMarker = events.takeUntil(isMessage(marker));
        assertThat(beforeMarker).as("events between the second join and the marker").hasSize(1);
        assertThat(users(room)).containsExactly(alice.nickname());

        // one leave is enough to go offline: the second join was not counted
        client.send(leave(room), Map.of());
        assertEvent(events.next(), "LEAVE", alice, 0);
        assertThat(users(room)).isEmpty();
    }

    // ------------------------------------------------------------------ several tabs

    @Test
    void secondTabOfSameNicknameJoiningSendsNoJoin() {
        String room = ParleyApi.uniqueName("room");
        ParleyApi.Claim alice = this.api.claim(ParleyApi.uniqueName("alice"));
        StompTestClient firstTab = connect(alice);
        Subscription events = firstTab.subscribe(topic(room));
        firstTab.send(join(room), Map.of());
        assertEvent(events.next(), "JOIN", alice, 1);

        StompTestClient secondTab = connect(alice);
        secondTab.send(join(room), Map.of());
        String marker = sendMarker(secondTab, room);

        List<JsonNode> beforeMarker = events.takeUntil(isMessage(marker));
        assertThat(beforeMarker).as("events between the second tab's join and its marker").hasSize(1);
        assertThat(users(room)).containsExactly(alice.nickname());
        assertThat(onlineCount(room)).isEqualTo(1);
    }

    @Test
    void secondTabLoggedInWithOtherCaseIsTheSameNickname() {
        String room = ParleyApi.uniqueName("room");
        ParleyApi.Claim alice = this.api.claim(ParleyApi.uniqueName("alice"));
        StompTestClient firstTab = connect(alice);
        Subscription events = firstTab.subscribe(topic(room));
        firstTab.send(join(room), Map.of());
        assertEvent(events.next(), "JOIN", alice, 1);

        StompTestClient shouting = StompTestClient.connect(this.port, Transport.WEBSOCKET,
                alice.nickname().toUpperCase(Locale.ROOT), alice.token());
        shouting.send(join(room), Map.of());
        String marker = sendMarker(shouting, room);

        List<JsonNode> beforeMarker = events.takeUntil(isMessage(marker));
        assertThat(beforeMarker).as("events before the upper-case tab's marker").hasSize(1);
        assertThat(beforeMarker.get(0).get("sender").asString()).as("displayed as first claimed")
                .isEqualTo(alice.nickname());
        assertThat(users(room)).containsExactly(alice.nickname());
    }

    @Test
    void closingOneTabSendsNoLeave() {
        String room = ParleyApi.uniqueName("room");
        ParleyApi.Claim alice = this.api.claim(ParleyApi.uniqueName("alice"));
        ParleyApi.Claim bob = this.api.claim(ParleyApi.uniqueName("bob"));
        StompTestClient observer = joined(bob, room);
        Subscription events = observer.subscribe(topic(room));
        StompTestClient firstTab = joined(alice, room);
        assertEvent(events.next(), "JOIN", alice, 2);
        StompTestClient secondTab = joined(alice, room);

        firstTab.disconnect();
        String marker = sendMarker(secondTab, room);

        List<JsonNode> beforeMarker = events.takeUntil(isMessage(marker));
        assertThat(beforeMarker).as("events between closing one tab and the other tab's marker")
                .noneMatch(isType("LEAVE")).noneMatch(isType("JOIN"));
        assertThat(users(room)).containsExactly(alice.nickname(), bob.nickname());
    }

    @Test
    void lastTabClosingSendsLeave() {
        String room = ParleyApi.uniqueName("room");
        ParleyApi.Claim alice = this.api.claim(ParleyApi.uniqueName("alice"));
        ParleyApi.Claim bob = this.api.claim(ParleyApi.uniqueName("bob"));
        StompTestClient observer = joined(bob, room);
        Subscription events = observer.subscribe(topic(room));
        StompTestClient firstTab = joined(alice, room);
        assertEvent(events.next(), "JOIN", alice, 2);
        StompTestClient secondTab = joined(alice, room);
        firstTab.disconnect();

        secondTab.disconnect();

        JsonNode leave = events.nextMatching(isType("LEAVE"), DISCONNECT_BOUND);
        assertEvent(leave, "LEAVE", alice, 1);
        assertThat(users(room)).containsExactly(bob.nickname());
        assertThat(onlineCount(room)).isEqualTo(1);
    }

    // ------------------------------------------------------------------ disconnects

    @ParameterizedTest
    @EnumSource(Transport.class)
    void cleanDisconnectEndsPresenceInEveryJoinedRoom(Transport transport) {
        String firstRoom = ParleyApi.uniqueName("room");
        String secondRoom = ParleyApi.uniqueName("room");
        ParleyApi.Claim alice = this.api.claim(ParleyApi.uniqueName("alice"));
        ParleyApi.Claim bob = this.api.claim(ParleyApi.uniqueName("bob"));
        StompTestClient observer = connect(bob);
        Subscription firstEvents = observer.subscribe(topic(firstRoom));
        Subscription secondEvents = observer.subscribe(topic(secondRoom));
        StompTestClient subject = StompTestClient.connect(this.port, transport, alice);
        subject.send(join(firstRoom), Map.of());
        subject.send(join(secondRoom), Map.of());
        assertEvent(firstEvents.next(), "JOIN", alice, 1);
        assertEvent(secondEvents.next(), "JOIN", alice, 1);

        long start = System.nanoTime();
        // the client may take its time to see the transport closed: watch the room meanwhile
        CompletableFuture<Void> disconnecting = CompletableFuture.runAsync(subject::disconnect);

        JsonNode firstLeave = firstEvents.next(remaining(start, DISCONNECT_BOUND));
        JsonNode secondLeave = secondEvents.next(remaining(start, DISCONNECT_BOUND));
        System.out.printf("[presence] clean DISCONNECT over %s: LEAVE after %d ms%n", transport, elapsedMillis(start));
        disconnecting.join();
        assertEvent(firstLeave, "LEAVE", alice, 0);
        assertEvent(secondLeave, "LEAVE", alice, 0);
        assertThat(users(firstRoom)).isEmpty();
        assertThat(users(secondRoom)).isEmpty();
    }

    @ParameterizedTest
    @EnumSource(Transport.class)
    void abruptDropEndsPresence(Transport transport) {
        String room = ParleyApi.uniqueName("room");
        ParleyApi.Claim alice = this.api.claim(ParleyApi.uniqueName("alice"));
        ParleyApi.Claim bob = this.api.claim(ParleyApi.uniqueName("bob"));
        StompTestClient observer = joined(bob, room);
        Subscription events = observer.subscribe(topic(room));
        StompTestClient subject = StompTestClient.connect(this.port, transport, alice);
        subject.send(join(room), Map.of());
        assertEvent(events.next(), "JOIN", alice, 2);

        // a closed connection must end presence within 5 s; a poller's session ends once it has
        // had no request for the disconnect delay, after its held poll is answered
        Duration bound = (transport == Transport.SOCKJS_XHR_POLLING) ? POLLER_BOUND : DISCONNECT_BOUND;
        long start = System.nanoTime();
        CompletableFuture<Void> dropping = CompletableFuture.runAsync(subject::dropAbruptly);

        JsonNode leave = events.nextMatching(isType("LEAVE"), remaining(start, bound));
        System.out.printf("[presence] abrupt drop over %s: LEAVE after %d ms%n", transport, elapsedMillis(start));
        dropping.join();
        assertEvent(leave, "LEAVE", alice, 1);
        assertThat(users(room)).containsExactly(bob.nickname());
    }

    @Test
    void duplicateDisconnectReportIsIgnored() {
        String room = ParleyApi.uniqueName("room");
        ParleyApi.Claim alice = this.api.claim(ParleyApi.uniqueName("alice"));
        ParleyApi.Claim bob = this.api.claim(ParleyApi.uniqueName("bob"));
        StompTestClient observer = joined(bob, room);
        Subscription events = observer.subscribe(topic(room));
        StompTestClient firstTab = joined(alice, room);
        assertEvent(events.next(), "JOIN", alice, 2);
        String firstSession = onlySessionOf(alice);

        firstTab.disconnect();
        assertEvent(events.nextMatching(isType("LEAVE"), DISCONNECT_BOUND), "LEAVE", alice, 1);
        // alice comes back in a new tab before the late, repeated report of the old one arrives
        StompTestClient secondTab = joined(alice, room);
        assertEvent(events.next(), "JOIN", alice, 2);

        publishDisconnect(firstSession, alice);
        publishDisconnect(firstSession, alice);
        String marker = sendMarker(observer, room);

        List<JsonNode> beforeMarker = events.takeUntil(isMessage(marker));
        assertThat(beforeMarker).as("events after repeating the old tab's disconnect").hasSize(1);
        assertThat(users(room)).containsExactly(alice.nickname(), bob.nickname());
        assertThat(onlineCount(room)).isEqualTo(2);

        // and the counts stay right afterwards
        secondTab.disconnect();
        assertEvent(events.nextMatching(isType("LEAVE"), DISCONNECT_BOUND), "LEAVE", alice, 1);
    }

    @Test
    void disconnectReportForOneOfTwoTabsSendsNoLeave() {
        String room = ParleyApi.uniqueName("room");
        ParleyApi.Claim alice = this.api.claim(ParleyApi.uniqueName("alice"));
        ParleyApi.Claim bob = this.api.claim(ParleyApi.uniqueName("bob"));
        StompTestClient observer = joined(bob, room);
        Subscription events = observer.subscribe(topic(room));
        joined(alice, room);
        assertEvent(events.next(), "JOIN", alice, 2);
        String firstSession = onlySessionOf(alice);
        StompTestClient secondTab = joined(alice, room);

        publishDisconnect(firstSession, alice);
        String marker = sendMarker(secondTab, room);

        List<JsonNode> beforeMarker = events.takeUntil(isMessage(marker));
        assertThat(beforeMarker).as("events after the first tab's disconnect report").hasSize(1);
        assertThat(users(room)).containsExactly(alice.nickname(), bob.nickname());

        // the reported tab no longer counts: closing the other one takes alice offline
        secondTab.disconnect();
        assertEvent(events.nextMatching(isType("LEAVE"), DISCONNECT_BOUND), "LEAVE", alice, 1);
        assertThat(users(room)).containsExactly(bob.nickname());
    }

    // ------------------------------------------------------------------ the online list

    @Test
    void onlineListIsOneSortedReplyOnSubscription() {
        String room = ParleyApi.uniqueName("room");
        // case-sensitive order would put Carol before bob
        ParleyApi.Claim bob = this.api.claim(ParleyApi.uniqueName("bob"));
        ParleyApi.Claim alice = this.api.claim(capitalized(ParleyApi.uniqueName("alice")));
        ParleyApi.Claim carol = this.api.claim(capitalized(ParleyApi.uniqueName("carol")));
        ParleyApi.Claim dave = this.api.claim(ParleyApi.uniqueName("dave"));
        StompTestClient watcher = connect(dave);
        Subscription events = watcher.subscribe(topic(room));
        for (ParleyApi.Claim claim : List.of(bob, alice, carol)) {
            connect(claim).send(join(room), Map.of());
            events.nextMatching(isJoinOf(claim));
        }

        Subscription users = watcher.subscribe(Destinations.users(room));
        JsonNode reply = users.next();

        JsonNode expected = ParleyApi.JSON.createObjectNode()
                .put("room", room)
                .set("users", ParleyApi.JSON.valueToTree(List.of(alice.nickname(), bob.nickname(), carol.nickname())));
        assertThat(reply).isEqualTo(expected);
        assertThat(this.api.get("/api/rooms/" + room + "/users").json()).isEqualTo(expected);

        // one reply, then nothing: later changes come as JOIN events on the topic only
        watcher.send(join(room), Map.of());
        events.nextMatching(isJoinOf(dave));
        users.awaitNone(Duration.ofMillis(500));
    }

    @Test
    void onlineListOfEmptyRoomIsEmpty() {
        String room = ParleyApi.uniqueName("room");
        ParleyApi.Claim alice = this.api.claim(ParleyApi.uniqueName("alice"));
        StompTestClient client = connect(alice);

        JsonNode reply = client.subscribe(Destinations.users(room)).next();

        assertThat(reply.get("room").asString()).isEqualTo(room);
        assertThat(reply.get("users").isArray()).isTrue();
        assertThat(reply.get("users")).isEmpty();
        ParleyApi.Response rest = this.api.get("/api/rooms/" + room + "/users");
        assertThat(rest.status()).isEqualTo(200);
        assertThat(rest.json()).isEqualTo(reply);
    }

    @Test
    void onlineListOfInvalidRoomIsBadRequestProblem() {
        ParleyApi.Response response = this.api.get("/api/rooms/Bad/users");

        assertThat(response.status()).isEqualTo(400);
        assertThat(response.isProblem()).as("Content-Type %s", response.contentType()).isTrue();
        assertThat(response.json().path("detail").isString()).as("detail in %s", response.body()).isTrue();
    }

    @Test
    void roomListShowsRoomWithOnlineUsersButNoMessages() {
        String room = ParleyApi.uniqueName("room");
        ParleyApi.Claim alice = this.api.claim(ParleyApi.uniqueName("alice"));
        StompTestClient client = connect(alice);
        Subscription events = client.subscribe(topic(room));
        client.send(join(room), Map.of());
        events.next();

        JsonNode entry = roomEntry(room);

        assertThat(entry).as("room %s in GET /api/rooms", room).isNotNull();
        assertThat(entry.get("name").asString()).isEqualTo(room);
        assertThat(entry.get("online").asInt()).isEqualTo(1);
        assertThat(entry.get("messages").isNumber()).isTrue();
        assertThat(entry.get("messages").asLong()).isZero();
        assertThat(entry.has("lastMessageAt")).as("lastMessageAt present in %s", entry).isTrue();
        assertThat(entry.get("lastMessageAt").isNull()).as("lastMessageAt null in %s", entry).isTrue();

        // with nobody online and no messages the room is no longer listed
        client.send(leave(room), Map.of());
        events.nextMatching(isType("LEAVE"));
        assertThat(roomEntry(room)).isNull();
    }

    // ------------------------------------------------------------------ helpers

    private StompTestClient connect(ParleyApi.Claim claim) {
        return StompTestClient.connect(this.port, Transport.WEBSOCKET, claim);
    }

    /**
     * A connection of {@code claim} that has joined {@code room}; returns once the join is
     * certain to have been handled (its own subscription saw the JOIN, or, for a further tab,
     * the online list answered after the join).
     */
    private StompTestClient joined(ParleyApi.Claim claim, String room) {
        StompTestClient client = connect(claim);
        client.send(join(room), Map.of());
        // frames of one connection are handled in order: the reply comes after the join
        JsonNode reply = client.subscribe(Destinations.users(room)).next();
        assertThat(reply.get("users").valueStream().map(JsonNode::asString).toList()).contains(claim.nickname());
        return client;
    }

    private String sendMarker(StompTestClient client, String room) {
        String marker = "marker-" + UUID.randomUUID();
        client.send(send(room), Map.of("text", marker, "clientId", marker));
        return marker;
    }

    private void publishDisconnect(String sessionId, ParleyApi.Claim claim) {
        SimpUser user = this.userRegistry.getUser(claim.nickname());
        StompHeaderAccessor accessor = StompHeaderAccessor.create(StompCommand.DISCONNECT);
        accessor.setSessionId(sessionId);
        Message<byte[]> message = MessageBuilder.createMessage(new byte[0], accessor.getMessageHeaders());
        this.events.publishEvent(new SessionDisconnectEvent(this, message, sessionId, CloseStatus.NORMAL,
                (user != null) ? user.getPrincipal() : null));
    }

    /** The id of the one STOMP session {@code claim} has open now. */
    private String onlySessionOf(ParleyApi.Claim claim) {
        return await().atMost(Duration.ofSeconds(5)).until(() -> {
            SimpUser user = this.userRegistry.getUser(claim.nickname());
            Set<String> ids = (user != null)
                    ? user.getSessions().stream().map(SimpSession::getId).collect(Collectors.toSet()) : Set.of();
            return (ids.size() == 1) ? ids.iterator().next() : null;
        }, id -> id != null);
    }

    private List<String> users(String room) {
        ParleyApi.Response response = this.api.get("/api/rooms/" + room + "/users");
        assertThat(response.status()).as("GET users of %s: %s", room, response.body()).isEqualTo(200);
        List<String> users = new ArrayList<>();
        response.json().get("users").forEach(user -> users.add(user.asString()));
        return users;
    }

    private int onlineCount(String room) {
        JsonNode entry = roomEntry(room);
        return (entry != null) ? entry.get("online").asInt() : 0;
    }

    private JsonNode roomEntry(String room) {
        return this.api.room(room).orElse(null);
    }

    private static void assertEvent(JsonNode event, String type, ParleyApi.Claim user, int online) {
        assertThat(event.path("type").asString()).as("type of %s", event).isEqualTo(type);
        assertThat(event.path("user").asString()).as("user of %s", event).isEqualTo(user.nickname());
        assertThat(event.path("online").asInt(-1)).as("online of %s", event).isEqualTo(online);
    }

    private static void assertTimestampNear(JsonNode at, Instant before) {
        assertThat(at.isString()).as("timestamp %s", at).isTrue();
        assertThat(at.asString()).matches(ISO_MILLIS);
        Instant instant = Instant.parse(at.asString());
        assertThat(instant).isBetween(before.minusSeconds(5), Instant.now().plusSeconds(5));
    }

    private static Set<String> fieldNames(JsonNode node) {
        return Set.copyOf(node.propertyNames());
    }

    private static Predicate<JsonNode> isType(String type) {
        return event -> type.equals(event.path("type").asString());
    }

    private static Predicate<JsonNode> isMessage(String text) {
        return event -> "MESSAGE".equals(event.path("type").asString()) && text.equals(event.path("text").asString());
    }

    private static Predicate<JsonNode> isJoinOf(ParleyApi.Claim claim) {
        return event -> "JOIN".equals(event.path("type").asString())
                && claim.nickname().equals(event.path("user").asString());
    }

    private static String capitalized(String name) {
        return Character.toUpperCase(name.charAt(0)) + name.substring(1);
    }

    private static Duration remaining(long startNanos, Duration bound) {
        Duration left = bound.minusNanos(System.nanoTime() - startNanos);
        return left.isNegative() ? Duration.ZERO : left;
    }

    private static long elapsedMillis(long startNanos) {
        return Duration.ofNanos(System.nanoTime() - startNanos).toMillis();
    }
}
