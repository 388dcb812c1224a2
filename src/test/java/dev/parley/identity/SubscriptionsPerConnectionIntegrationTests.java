package dev.parley.identity;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import tools.jackson.databind.JsonNode;

import dev.parley.support.ParleyApi;
import dev.parley.support.ParleyIntegrationTest;
import dev.parley.support.ParleyIntegrationTestBase;
import dev.parley.support.RawFrame;
import dev.parley.support.RawStompSocket;
import dev.parley.support.StompTestClient.ErrorFrame;
import dev.parley.support.StompTestClient.Subscription;
import dev.parley.support.StompTestClient.Transport;
import dev.parley.support.StompTestClient;

import static dev.parley.support.Destinations.join;
import static dev.parley.support.Destinations.topic;
import static dev.parley.support.Destinations.users;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Contract section 6a: a connection holds at most 256 subscriptions
 * ({@code chat.limits.subscriptions-per-connection}); a further SUBSCRIBE is a protocol violation,
 * answered with an ERROR frame, and the connection closes. An UNSUBSCRIBE frees a place; a
 * SUBSCRIBE with an id the connection holds already, and a subscription to a room's online list
 * (answered once, held by nobody), take none.
 */
@ParleyIntegrationTest
class SubscriptionsPerConnectionIntegrationTests extends ParleyIntegrationTestBase {

    private static final int SUBSCRIPTIONS_PER_CONNECTION = 256;

    private final List<RawStompSocket> rawSockets = new ArrayList<>();

    @AfterEach
    void closeRawSockets() {
        this.rawSockets.forEach(RawStompSocket::close);
    }

    @ParameterizedTest
    @EnumSource(Transport.class)
    void twoHundredFiftySeventhSubscriptionIsAnsweredWithErrorThenClose(Transport transport) {
        ParleyApi.Claim alice = this.api.claim(ParleyApi.uniqueName("alice"));
        StompTestClient client = StompTestClient.connect(this.port, transport, alice);
        List<String> rooms = rooms(SUBSCRIPTIONS_PER_CONNECTION + 1);
        List<Subscription> subscriptions = new ArrayList<>();
        for (String room : rooms.subList(0, SUBSCRIPTIONS_PER_CONNECTION)) {
            subscriptions.add(client.subscribe(topic(room)));
        }
        String last = rooms.get(SUBSCRIPTIONS_PER_CONNECTION - 1);
        client.send(join(last), Map.of());
        JsonNode joined = subscriptions.get(SUBSCRIPTIONS_PER_CONNECTION - 1).next();
        assertThat(joined.path("type").asString()).as("the 256th subscription delivers").isEqualTo("JOIN");

        client.subscribeWithoutReceipt(topic(rooms.get(SUBSCRIPTIONS_PER_CONNECTION)));

        ErrorFrame error = client.awaitErrorThenClose();
        assertThat(error.message()).isEqualTo(StompAuthentication.TOO_MANY_SUBSCRIPTIONS);
        assertThat(client.isConnected()).isFalse();
    }

    @Test
    void anUnsubscribeFreesAPlaceAndARepeatedIdOrAnOnlineListTakesNone() {
        RawStompSocket client = RawStompSocket.connect(this.port, this.api.claim(ParleyApi.uniqueName("alice")),
                this.rawSockets);
        List<String> rooms = rooms(SUBSCRIPTIONS_PER_CONNECTION + 2);
        for (int i = 0; i < SUBSCRIPTIONS_PER_CONNECTION; i++) {
            client.send(subscribe(Integer.toString(i), topic(rooms.get(i)), "r" + i));
        }
        for (int i = 0; i < SUBSCRIPTIONS_PER_CONNECTION; i++) {
            assertReceipt(client.next(), "r" + i);
        }

        client.send(subscribe("0", topic(rooms.get(0)), "same-id"));
        assertReceipt(client.next(), "same-id");
        client.send(subscribe("users", users(rooms.get(0)), "online-list"));
        assertThat(List.of(client.next(), client.next())).extracting(RawFrame::command)
            .as("the online list, then the receipt")
            .containsExactly("MESSAGE", "RECEIPT");
        client.send("UNSUBSCRIBE\nid:1\nreceipt:unsubscribed\n\n\0");
        assertReceipt(client.next(), "unsubscribed");
        client.send(subscribe("256", topic(rooms.get(SUBSCRIPTIONS_PER_CONNECTION)), "in-the-freed-place"));
        assertReceipt(client.next(), "in-the-freed-place");

        client.send(subscribe("257", topic(rooms.get(SUBSCRIPTIONS_PER_CONNECTION + 1)), "one-too-many"));

        RawFrame error = client.next();
        assertThat(error.command()).isEqualTo("ERROR");
        assertThat(error.headers()).containsEntry("message", StompAuthentication.TOO_MANY_SUBSCRIPTIONS);
        assertThat(client.drain(Duration.ofSeconds(5)).ending()).isIn(RawStompSocket.Ending.CLOSE_FRAME,
                RawStompSocket.Ending.END_OF_STREAM);
    }

    @Test
    void aSubscribeOrUnsubscribeWithoutIdIsAProtocolViolationNotAReceipt() {
        for (String frame : List.of("SUBSCRIBE\ndestination:" + topic("general") + "\nreceipt:r\n\n\0",
                "UNSUBSCRIBE\nreceipt:r\n\n\0")) {
            RawStompSocket client = RawStompSocket.connect(this.port,
                    this.api.claim(ParleyApi.uniqueName("alice")), this.rawSockets);
            client.send(frame);
            RawFrame answer = client.next();
            assertThat(answer.command()).as("the answer to %s", frame.lines().findFirst().orElseThrow())
                .isEqualTo("ERROR");
            assertThat(answer.headers().get("message")).contains("needs an id");
            assertThat(client.drain(Duration.ofSeconds(5)).ending()).isIn(RawStompSocket.Ending.CLOSE_FRAME,
                    RawStompSocket.Ending.END_OF_STREAM);
        }
    }

    private static String subscribe(String id, String destination, String receipt) {
        return "SUBSCRIBE\nid:" + id + "\ndestination:" + destination + "\nreceipt:" + receipt + "\n\n\0";
    }

    private static void assertReceipt(RawFrame frame, String receipt) {
        assertThat(frame.command()).as(frame.toString()).isEqualTo("RECEIPT");
        assertThat(frame.headers()).containsEntry("receipt-id", receipt);
    }

    /** {@code count} fresh room names. */
    private static List<String> rooms(int count) {
        String prefix = ParleyApi.uniqueName("s");
        List<String> rooms = new ArrayList<>();
        for (int i = 1; i <= count; i++) {
            rooms.add(prefix + "-" + i);
        }
        return rooms;
    }
}
