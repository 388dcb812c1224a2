package dev.parley.message;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;

import dev.parley.support.ParleyApi.Claim;
import dev.parley.support.ParleyApi;
import dev.parley.support.ParleyIntegrationTest;
import dev.parley.support.StompTestClient.Subscription;
import dev.parley.support.StompTestClient.Transport;
import dev.parley.support.StompTestClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;
import tools.jackson.databind.JsonNode;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.test.web.server.LocalServerPort;

import static dev.parley.support.Destinations.ERRORS;
import static dev.parley.support.Destinations.join;
import static dev.parley.support.Destinations.send;
import static dev.parley.support.Destinations.topic;
import static dev.parley.support.ParleyApi.uniqueName;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The REST history of contract section 7: {@code GET /api/rooms/{room}/messages} with its
 * latest page, {@code before} scroll-back, {@code after} catch-up and {@code limit}, its
 * {@code 400} problems, and the room list {@code GET /api/rooms}.
 * <p>
 * One room of 120 messages, posted once for the class by 12 nicknames (10 each, within the
 * default burst), serves the paging tests; the MESSAGE events seen live are the truth history
 * is compared with.
 */
@ParleyIntegrationTest
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class MessageHistoryIntegrationTests {

    private static final int POSTERS = 12;

    private static final int MESSAGES_EACH = 10;

    private static final int TOTAL = POSTERS * MESSAGES_EACH;

    @LocalServerPort
    int port;

    ParleyApi api;

    /** The room holding {@link #TOTAL} messages. */
    String room;

    /** Every MESSAGE event of {@link #room}, as broadcast, in id order. */
    List<JsonNode> all;

    @BeforeAll
    void postHistory() {
        this.api = new ParleyApi(this.port);
        this.room = uniqueName("history");
        StompTestClient watcher = StompTestClient.connect(this.port, Transport.WEBSOCKET,
                this.api.claim(uniqueName("watcher")));
        Subscription topic = watcher.subscribe(topic(this.room));
        List<JsonNode> messages = new ArrayList<>();
        for (int p = 0; p < POSTERS; p++) {
            StompTestClient poster = StompTestClient.connect(this.port, Transport.WEBSOCKET,
                    this.api.claim(uniqueName("poster")));
            Subscription errors = poster.subscribe(ERRORS);
            poster.send(join(this.room), Map.of());
            for (int i = 0; i < MESSAGES_EACH; i++) {
                poster.send(send(this.room), Map.of("text", "message " + p + "." + i));
            }
            for (int i = 0; i < MESSAGES_EACH; i++) {
                messages.add(topic.nextMatching(MessageHistoryIntegrationTests::isMessage));
            }
            assertThat(errors.messages()).isEmpty();
            poster.disconnect();
        }
        watcher.disconnect();
        assertThat(ids(messages)).as("setup").isEqualTo(idsFrom(1, TOTAL));
        this.all = List.copyOf(messages);
    }

    @AfterEach
    void closeClients() {
        StompTestClient.closeAll();
    }

    // ------------------------------------------------------------------ latest page and limit

    @Test
    void latestPageIsTheNewestLimitMessagesOldestFirst() {
        assertThat(messages(this.room, "?limit=10")).isEqualTo(this.all.subList(TOTAL - 10, TOTAL));
        assertThat(messages(this.room, "?limit=1")).isEqualTo(this.all.subList(TOTAL - 1, TOTAL));
    }

    @Test
    void defaultLimitIs50() {
        assertThat(messages(this.room, "")).isEqualTo(this.all.subList(TOTAL - 50, TOTAL));
        assertThat(ids(messages(this.room, "?after=0"))).isEqualTo(idsFrom(1, 50));
        assertThat(ids(messages(this.room, "?before=" + (TOTAL + 1)))).isEqualTo(idsFrom(TOTAL - 49, TOTAL));
    }

    @Test
    void limit200IsAllowed() {
        assertThat(messages(this.room, "?limit=200")).isEqualTo(this.all);
        assertThat(messages(this.room, "?after=0&limit=200")).isEqualTo(this.all);
        assertThat(messages(this.room, "?before=1000&limit=200")).isEqualTo(this.all);
    }

    // ------------------------------------------------------------------ before: scroll-back

    @ParameterizedTest(name = "limit {0}")
    @ValueSource(ints = { 7, 40, 50 })
    void scrollBackWithBeforePagesThroughEverythingWithoutDuplicatesOrHoles(int limit) {
        List<JsonNode> page = messages(this.room, "?limit=" + limit);
        List<JsonNode> scrolled = new ArrayList<>(page);
        int pages = 1;
        while (page.size() == limit) {
            long oldest = page.get(0).path("id").asLong();
            page = messages(this.room, "?before=" + oldest + "&limit=" + limit);
            assertThat(ids(page)).as("page before %d", oldest)
                .isEqualTo(idsFrom(Math.max(1, oldest - limit), oldest - 1));
            scrolled.addAll(0, page);
            pages++;
            assertThat(pages).as("pages").isLessThanOrEqualTo(TOTAL / limit + 2);
        }

        assertThat(scrolled).isEqualTo(this.all);
    }

    @Test
    void beforeReturnsTheMessagesJustOlderThanTheIdOldestFirst() {
        assertThat(messages(this.room, "?before=21&limit=5")).isEqualTo(this.all.subList(15, 20));
        assertThat(messages(this.room, "?before=3&limit=5")).isEqualTo(this.all.subList(0, 2));
        assertThat(messages(this.room, "?before=1")).isEmpty();
        assertThat(messages(this.room, "?before=0")).isEmpty();
    }

    // ------------------------------------------------------------------ after: catch-up

    @Test
    void afterPagesForwardThroughEverything() {
        assertThat(messages(this.room, "?after=0&limit=50")).isEqualTo(this.all.subList(0, 50));
        assertThat(messages(this.room, "?after=50&limit=50")).isEqualTo(this.all.subList(50, 100));
        assertThat(messages(this.room, "?after=100&limit=50")).isEqualTo(this.all.subList(100, TOTAL));
        assertThat(messages(this.room, "?after=" + TOTAL + "&limit=50")).isEmpty();
    }

    @Test
    void afterReturnsTheFirstMessagesNewerThanTheIdOldestFirst() {
        assertThat(messages(this.room, "?after=" + (TOTAL - 1) + "&limit=5")).isEqualTo(this.all.subList(TOTAL - 1, TOTAL));
        assertThat(messages(this.room, "?after=17&limit=3")).isEqualTo(this.all.subList(17, 20));
        assertThat(messages(this.room, "?after=100000")).isEmpty();
    }

    @Test
    void aCatchUpOfTheLatestMessagesIsAnsweredFromMemoryWithTheEmbeddedStore(@Autowired RecentMessages recent,
            @Autowired MeterRegistry meters, @Value("${spring.datasource.url}") String store) {
        assertThat(recent.isOn()).as("kept in memory with %s", store).isEqualTo(!store.startsWith("jdbc:postgresql:"));
        Counter fromMemory = meters.counter("parley.catchup.memory");
        double before = fromMemory.count();

        assertThat(messages(this.room, "?after=" + (TOTAL - 20))).isEqualTo(this.all.subList(TOTAL - 20, TOTAL));
        assertThat(messages(this.room, "?after=" + TOTAL)).isEmpty();

        assertThat(fromMemory.count()).isEqualTo(recent.isOn() ? before + 2 : before);
    }

    // ------------------------------------------------------------------ errors and empty rooms

    static Stream<String> badRequests() {
        return Stream.of("/api/rooms/%s/messages?before=5&after=3", "/api/rooms/%s/messages?before=0&after=0",
                "/api/rooms/%s/messages?limit=0", "/api/rooms/%s/messages?limit=201",
                "/api/rooms/%s/messages?limit=-1", "/api/rooms/%s/messages?limit=abc",
                "/api/rooms/%s/messages?limit=1.5", "/api/rooms/%s/messages?before=-1",
                "/api/rooms/%s/messages?after=-1", "/api/rooms/%s/messages?before=abc",
                "/api/rooms/%s/messages?after=abc", "/api/rooms/%s/messages?after=-1&limit=5",
                "/api/rooms/Bad/messages", "/api/rooms/-x/messages", "/api/rooms/_x/messages",
                "/api/rooms/" + "a".repeat(33) + "/messages", "/api/rooms/caf%%C3%%A9/messages",
                "/api/rooms/Bad/messages?after=0");
    }

    @ParameterizedTest
    @MethodSource("badRequests")
    void badRequestIsA400ProblemWithDetail(String pathPattern) {
        String path = pathPattern.formatted(this.room);

        ParleyApi.Response response = this.api.get(path);

        assertThat(response.status()).as("GET %s: %s", path, response.body()).isEqualTo(400);
        assertThat(response.isProblem()).as("content type %s", response.contentType()).isTrue();
        JsonNode problem = response.json();
        assertThat(problem.path("detail").isString()).as("%s", problem).isTrue();
        assertThat(problem.path("detail").asString()).as("%s", problem).isNotBlank();
        assertThat(problem.path("status").asInt()).as("%s", problem).isEqualTo(400);
    }

    @ParameterizedTest
    @ValueSource(strings = { "", "?limit=200", "?before=10", "?after=0", "?after=0&limit=1" })
    void validRoomWithoutMessagesIsAnEmptyList(String query) {
        String empty = uniqueName("empty");

        ParleyApi.Response response = this.api.get("/api/rooms/" + empty + "/messages" + query);

        assertThat(response.status()).as(response.body()).isEqualTo(200);
        assertThat(response.contentType()).startsWith("application/json");
        assertThat(response.json().isArray()).isTrue();
        assertThat(response.json().size()).isZero();
    }

    // ------------------------------------------------------------------ GET /api/rooms

    @Test
    void roomListShowsMessageCountAndLastMessageAt() {
        JsonNode summary = await("the posters to be offline").atMost(Duration.ofSeconds(10))
            .until(() -> roomSummary(this.room), (found) -> found.isPresent() && found.get().path("online").asInt() == 0)
            .get();

        assertThat(summary.propertyNames()).containsExactlyInAnyOrder("name", "online", "messages", "lastMessageAt");
        assertThat(summary.path("messages").asLong()).isEqualTo(TOTAL);
        assertThat(summary.path("lastMessageAt").asString()).isEqualTo(this.all.get(TOTAL - 1).path("sentAt").asString());
    }

    @Test
    void roomListShowsWhoIsOnlineAndTheLatestMessage() {
        String room = uniqueName("chatty");
        Claim aliceClaim = this.api.claim(uniqueName("alice"));
        Claim bobClaim = this.api.claim(uniqueName("bob"));
        StompTestClient alice = StompTestClient.connect(this.port, Transport.WEBSOCKET, aliceClaim);
        Subscription topic = alice.subscribe(topic(room));
        alice.send(join(room), Map.of());
        StompTestClient bob = StompTestClient.connect(this.port, Transport.SOCKJS_WEBSOCKET, bobClaim);
        bob.send(join(room), Map.of());
        topic.nextMatching((event) -> event.path("type").asString().equals("JOIN")
                && event.path("user").asString().equals(bobClaim.nickname()));

        alice.send(send(room), Map.of("text", "first"));
        bob.send(send(room), Map.of("text", "second"));
        JsonNode last = topic.nextMatching((event) -> isMessage(event) && event.path("id").asLong() == 2);

        JsonNode summary = roomSummary(room).orElseThrow();
        assertThat(summary.path("name").asString()).isEqualTo(room);
        assertThat(summary.path("online").asInt()).isEqualTo(2);
        assertThat(summary.path("messages").asLong()).isEqualTo(2);
        assertThat(summary.path("lastMessageAt").asString()).isEqualTo(last.path("sentAt").asString());

        alice.disconnect();
        bob.disconnect();
        JsonNode afterwards = await("both to be offline").atMost(Duration.ofSeconds(10))
            .until(() -> roomSummary(room), (found) -> found.isPresent() && found.get().path("online").asInt() == 0)
            .get();
        assertThat(afterwards.path("messages").asLong()).as("a room with messages stays listed").isEqualTo(2);
    }

    @Test
    void roomWithOnlineUsersButNoMessagesIsListedWithLastMessageAtNull() {
        String room = uniqueName("quiet");
        Claim carolClaim = this.api.claim(uniqueName("carol"));
        StompTestClient carol = StompTestClient.connect(this.port, Transport.WEBSOCKET, carolClaim);
        Subscription topic = carol.subscribe(topic(room));
        carol.send(join(room), Map.of());
        topic.nextMatching((event) -> event.path("type").asString().equals("JOIN"));

        JsonNode summary = roomSummary(room).orElseThrow();
        assertThat(summary.path("online").asInt()).isEqualTo(1);
        assertThat(summary.path("messages").asLong()).isZero();
        assertThat(summary.has("lastMessageAt")).as("%s", summary).isTrue();
        assertThat(summary.get("lastMessageAt").isNull()).as("%s", summary).isTrue();

        carol.disconnect();
        await("the empty room to drop off the list").atMost(Duration.ofSeconds(10))
            .until(() -> roomSummary(room).isEmpty());
    }

    @Test
    void roomListIsSortedByName() {
        String later = uniqueName("sort-b");
        String earlier = uniqueName("sort-a");
        StompTestClient dave = StompTestClient.connect(this.port, Transport.WEBSOCKET,
                this.api.claim(uniqueName("dave")));
        Subscription laterTopic = dave.subscribe(topic(later));
        Subscription earlierTopic = dave.subscribe(topic(earlier));
        dave.send(join(later), Map.of());
        dave.send(join(earlier), Map.of());
        laterTopic.nextMatching((event) -> event.path("type").asString().equals("JOIN"));
        earlierTopic.nextMatching((event) -> event.path("type").asString().equals("JOIN"));

        // every page of the whole list, as long as the other tests have made it
        List<String> names = this.api.allRooms("limit=200").stream().map((summary) -> summary.path("name").asString())
            .toList();

        assertThat(names).contains(this.room, later, earlier).isSorted().doesNotHaveDuplicates();
    }

    // ------------------------------------------------------------------ helpers

    private List<JsonNode> messages(String room, String query) {
        ParleyApi.Response response = this.api.get("/api/rooms/" + room + "/messages" + query);
        assertThat(response.status()).as("GET %s: %s", query, response.body()).isEqualTo(200);
        assertThat(response.json().isArray()).as(response.body()).isTrue();
        return List.copyOf(response.json().values());
    }

    private Optional<JsonNode> roomSummary(String room) {
        return this.api.room(room);
    }

    private static boolean isMessage(JsonNode event) {
        return event.path("type").asString().equals("MESSAGE");
    }

    private static List<Long> ids(List<JsonNode> messages) {
        return messages.stream().map((message) -> message.path("id").asLong()).toList();
    }

    private static List<Long> idsFrom(long first, long last) {
        List<Long> ids = new ArrayList<>();
        for (long id = first; id <= last; id++) {
            ids.add(id);
        }
        return ids;
    }
}
