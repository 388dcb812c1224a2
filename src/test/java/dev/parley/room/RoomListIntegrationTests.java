package dev.parley.room;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import tools.jackson.databind.JsonNode;

import dev.parley.support.ParleyApi;
import dev.parley.support.ParleyIntegrationTest;
import dev.parley.support.ParleyIntegrationTestBase;
import dev.parley.support.StompTestClient;
import dev.parley.support.StompTestClient.Subscription;
import dev.parley.support.StompTestClient.Transport;

import static dev.parley.support.Destinations.join;
import static dev.parley.support.Destinations.send;
import static dev.parley.support.Destinations.topic;
import static dev.parley.support.ParleyApi.uniqueName;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Contract section 7, {@code GET /api/rooms} page by page: rooms with messages (from the store)
 * and rooms with online users only (from presence) in one name order, {@code limit},
 * {@code after}, {@code prefix}, and a {@code Link} to the next page only when there is one.
 * Every test lists the rooms under a prefix of its own, as the context's other tests make rooms
 * too.
 */
@ParleyIntegrationTest
class RoomListIntegrationTests extends ParleyIntegrationTestBase {

    private StompTestClient client;

    @Test
    void exactlyLimitRoomsComeWithoutANextLink() {
        String prefix = uniqueName("exact");
        withMessages(prefix + "-a");
        online(prefix + "-b");
        withMessages(prefix + "-c");

        ParleyApi.Response page = awaitPage("prefix=" + prefix + "&limit=3", 3);

        assertThat(names(page)).containsExactly(prefix + "-a", prefix + "-b", prefix + "-c");
        assertThat(page.header("Link")).isNull();
    }

    @Test
    void oneMoreThanTheLimitGivesALinkToTheNextPage() {
        String prefix = uniqueName("more");
        // byte order: '-' before digits before '_' before letters, whichever source a room is from
        withMessages(prefix + "-m");
        online(prefix + "0o");
        withMessages(prefix + "_m");
        online(prefix + "ao");

        ParleyApi.Response first = awaitPage("prefix=" + prefix + "&limit=3", 3);

        assertThat(names(first)).containsExactly(prefix + "-m", prefix + "0o", prefix + "_m");
        assertThat(first.header("Link"))
            .isEqualTo("</api/rooms?prefix=" + prefix + "&limit=3&after=" + prefix + "_m>; rel=\"next\"");
        ParleyApi.Response second = this.api.get(ParleyApi.nextLink(first));
        assertThat(names(second)).containsExactly(prefix + "ao");
        assertThat(second.header("Link")).isNull();
    }

    @Test
    void everyRoomIsOnExactlyOnePage() {
        String prefix = uniqueName("all");
        List<String> expected = List.of(prefix + "-1", prefix + "-2", prefix + "-3", prefix + "-4", prefix + "-5");
        for (int i = 0; i < expected.size(); i++) {
            if (i % 2 == 0) {
                withMessages(expected.get(i));
            }
            else {
                online(expected.get(i));
            }
        }
        awaitPage("prefix=" + prefix, 5);

        List<String> paged = this.api.allRooms("prefix=" + prefix + "&limit=2").stream()
            .map(room -> room.path("name").asString())
            .toList();

        assertThat(paged).containsExactlyElementsOf(expected);
    }

    @Test
    void afterStartsPastTheNamedRoom() {
        String prefix = uniqueName("after");
        withMessages(prefix + "-a");
        online(prefix + "-b");
        withMessages(prefix + "-c");
        awaitPage("prefix=" + prefix, 3);

        assertThat(names(this.api.get("/api/rooms?prefix=" + prefix + "&after=" + prefix + "-a")))
            .containsExactly(prefix + "-b", prefix + "-c");
        // a name that is no room is a place in the order all the same
        assertThat(names(this.api.get("/api/rooms?prefix=" + prefix + "&after=" + prefix + "-bb")))
            .containsExactly(prefix + "-c");
    }

    @Test
    void anUnderscoreInThePrefixMatchesOnlyAnUnderscore() {
        String prefix = uniqueName("under");
        withMessages(prefix + "_x");
        withMessages(prefix + "-x");
        online(prefix + "0x");
        awaitPage("prefix=" + prefix, 3);

        assertThat(names(this.api.get("/api/rooms?prefix=" + prefix + "_"))).containsExactly(prefix + "_x");
    }

    @Test
    void aRoomListsItsCountsWhicheverSourceItIsFrom() {
        String prefix = uniqueName("counts");
        withMessages(prefix + "-m");
        online(prefix + "-o");

        List<JsonNode> rooms = awaitPage("prefix=" + prefix, 2).json().values().stream().toList();

        assertThat(rooms.get(0).path("messages").asLong()).isEqualTo(1);
        assertThat(rooms.get(0).path("online").asInt()).isEqualTo(1);
        assertThat(rooms.get(0).path("lastMessageAt").isString()).isTrue();
        assertThat(rooms.get(1).path("messages").asLong()).isZero();
        assertThat(rooms.get(1).path("online").asInt()).isEqualTo(1);
        assertThat(rooms.get(1).path("lastMessageAt").isNull()).isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = { "limit=0", "limit=201", "limit=-1", "limit=many", "after=Not-A-Room", "after=",
            "after=-dash", "prefix=Upper", "prefix=_under", "prefix=has%20space",
            "prefix=aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa" })
    void badQueryIsRefused(String query) {
        ParleyApi.Response response = this.api.get("/api/rooms?" + query);
        assertThat(response.status()).as(query).isEqualTo(400);
        assertThat(response.isProblem()).as(query).isTrue();
        assertThat(response.json().path("detail").asString()).as(query).isNotBlank();
    }

    @Test
    void largestLimitIsAccepted() {
        assertThat(this.api.get("/api/rooms?limit=200").status()).isEqualTo(200);
    }

    /** A room with one message of this test's client, which stays in it. */
    private void withMessages(String room) {
        Subscription topic = joined(room);
        this.client.send(send(room), Map.of("text", "hello"));
        topic.nextMatching(event -> "MESSAGE".equals(event.path("type").asString()));
    }

    /** A room with this test's client online in it and no messages. */
    private void online(String room) {
        joined(room);
    }

    private Subscription joined(String room) {
        if (this.client == null) {
            this.client = StompTestClient.connect(this.port, Transport.WEBSOCKET, this.api.claim(uniqueName("lister")));
        }
        Subscription topic = this.client.subscribe(topic(room));
        this.client.send(join(room), Map.of());
        topic.nextMatching(event -> "JOIN".equals(event.path("type").asString()));
        return topic;
    }

    /** The page once it lists {@code count} rooms: presence may count a join a moment later. */
    private ParleyApi.Response awaitPage(String query, int count) {
        return await().atMost(Duration.ofSeconds(10))
            .until(() -> this.api.get("/api/rooms?" + query), page -> page.status() == 200 && page.json().size() == count);
    }

    private static List<String> names(ParleyApi.Response page) {
        assertThat(page.status()).as(page.body()).isEqualTo(200);
        return page.json().values().stream().map(room -> room.path("name").asString()).toList();
    }
}
