package dev.parley.presence;

import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import tools.jackson.databind.JsonNode;

import dev.parley.support.ParleyApi;
import dev.parley.support.ParleyIntegrationTest;
import dev.parley.support.ParleyIntegrationTestBase;
import dev.parley.support.StompTestClient.Subscription;
import dev.parley.support.StompTestClient.Transport;
import dev.parley.support.StompTestClient;

import static dev.parley.support.Destinations.ERRORS;
import static dev.parley.support.Destinations.app;
import static dev.parley.support.Destinations.join;
import static dev.parley.support.Destinations.leave;
import static dev.parley.support.Destinations.send;
import static dev.parley.support.Destinations.topic;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Contract section 6a: a connection is in at most 100 rooms ({@code chat.limits.rooms-per-connection});
 * a further join is answered with {@code LIMIT_EXCEEDED} on {@code /user/queue/errors} and the
 * connection stays open. A re-join takes no second place, a leave frees one.
 */
@ParleyIntegrationTest
class RoomsPerConnectionIntegrationTests extends ParleyIntegrationTestBase {

    private static final int ROOMS_PER_CONNECTION = 100;

    @ParameterizedTest
    @EnumSource(Transport.class)
    void hundredFirstJoinIsRefusedAndTheConnectionStaysUsable(Transport transport) {
        ParleyApi.Claim alice = this.api.claim(ParleyApi.uniqueName("alice"));
        StompTestClient client = StompTestClient.connect(this.port, transport, alice);
        Subscription errors = client.subscribe(ERRORS);
        List<String> rooms = rooms(ROOMS_PER_CONNECTION + 1);

        rooms.forEach(room -> client.send(join(room), Map.of()));

        JsonNode refusal = errors.next();
        assertThat(refusal.path("code").asString()).as(refusal.toString()).isEqualTo("LIMIT_EXCEEDED");
        assertThat(refusal.path("destination").asString()).as("the 101st join is the first refused")
            .isEqualTo(join(rooms.get(ROOMS_PER_CONNECTION)));
        assertThat(refusal.path("message").asString()).contains("100");
        assertThat(this.api.onlineUsers(rooms.get(ROOMS_PER_CONNECTION - 1))).as("the 100th room")
            .containsExactly(alice.nickname());
        assertThat(this.api.onlineUsers(rooms.get(ROOMS_PER_CONNECTION))).as("the 101st room").isEmpty();
        Subscription events = client.subscribe(topic(rooms.get(0)));
        client.send(send(rooms.get(0)), Map.of("text", "still here"));
        assertThat(events.nextMatching(event -> "still here".equals(event.path("text").asString()))
            .path("sender").asString()).isEqualTo(alice.nickname());
        assertThat(client.isConnected()).isTrue();
        assertThat(client.errorFrames()).isEmpty();
    }

    @Test
    void aRejoinTakesNoSecondPlaceAndALeaveFreesOne() {
        ParleyApi.Claim alice = this.api.claim(ParleyApi.uniqueName("alice"));
        StompTestClient client = StompTestClient.connect(this.port, Transport.WEBSOCKET, alice);
        Subscription errors = client.subscribe(ERRORS);
        List<String> rooms = rooms(ROOMS_PER_CONNECTION + 1);
        String first = rooms.get(0);
        String extra = rooms.get(ROOMS_PER_CONNECTION);
        rooms.subList(0, ROOMS_PER_CONNECTION).forEach(room -> client.send(join(room), Map.of()));

        client.send(join(first), Map.of());
        assertThat(nextError(client, errors).path("code").asString()).as("a re-join of a room it is in")
            .isEqualTo("BAD_REQUEST");

        client.send(leave(first), Map.of());
        client.send(join(extra), Map.of());
        assertThat(nextError(client, errors).path("code").asString()).as("a join after a leave")
            .isEqualTo("BAD_REQUEST");
        assertThat(this.api.onlineUsers(extra)).containsExactly(alice.nickname());
        assertThat(this.api.onlineUsers(first)).isEmpty();

        client.send(join(first), Map.of());
        JsonNode refusal = errors.next();
        assertThat(refusal.path("code").asString()).isEqualTo("LIMIT_EXCEEDED");
        assertThat(refusal.path("destination").asString()).isEqualTo(join(first));
    }

    @Test
    void theLimitIsPerConnectionNotPerNickname() {
        ParleyApi.Claim alice = this.api.claim(ParleyApi.uniqueName("alice"));
        StompTestClient full = StompTestClient.connect(this.port, Transport.WEBSOCKET, alice);
        Subscription fullErrors = full.subscribe(ERRORS);
        List<String> rooms = rooms(ROOMS_PER_CONNECTION + 1);
        rooms.subList(0, ROOMS_PER_CONNECTION).forEach(room -> full.send(join(room), Map.of()));
        assertThat(nextError(full, fullErrors).path("code").asString()).isEqualTo("BAD_REQUEST");
        StompTestClient otherTab = StompTestClient.connect(this.port, Transport.WEBSOCKET, alice);
        Subscription errors = otherTab.subscribe(ERRORS);

        otherTab.send(join(rooms.get(ROOMS_PER_CONNECTION)), Map.of());

        assertThat(nextError(otherTab, errors).path("code").asString()).isEqualTo("BAD_REQUEST");
        assertThat(this.api.onlineUsers(rooms.get(ROOMS_PER_CONNECTION))).containsExactly(alice.nickname());
    }

    /**
     * The next error reply after a frame that certainly gets one ({@code BAD_REQUEST}, an
     * unknown operation): a connection's frames are answered in order, so any refusal of the
     * frames sent before it comes first.
     */
    private static JsonNode nextError(StompTestClient client, Subscription errors) {
        client.send(app("marker", "unknown"), Map.of());
        return errors.next();
    }

    /** {@code count} fresh room names. */
    private static List<String> rooms(int count) {
        String prefix = ParleyApi.uniqueName("r");
        return IntStream.rangeClosed(1, count).mapToObj(i -> prefix + "-" + i).toList();
    }
}
