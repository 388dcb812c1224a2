package dev.parley.cluster;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import dev.parley.support.ParleyApi.Claim;
import dev.parley.support.ParleyApi;
import dev.parley.support.ServerProcess;
import dev.parley.support.StompTestClient.Subscription;
import dev.parley.support.StompTestClient.Transport;
import dev.parley.support.StompTestClient;

import static dev.parley.support.Destinations.join;
import static dev.parley.support.Destinations.send;
import static dev.parley.support.Destinations.topic;
import static dev.parley.support.ParleyApi.uniqueName;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Contract section 9 across two instances of the {@code cluster} profile, on this machine's
 * PostgreSQL and Redis: a room's messages reach the subscribers of both instances, each in id
 * order without a gap or a duplicate, whichever instance stored them.
 */
class RoomBusClusterTests extends TwoInstances {

    private static final int SENDERS_PER_INSTANCE = 4;

    private static final int MESSAGES_PER_SENDER = 100;

    @Override
    protected String[] instanceArguments() {
        return new String[] { "--chat.rate-limit.burst=100000", "--chat.rate-limit.per-second=100000" };
    }

    @Test
    void aMessageSentThroughOneInstanceReachesSubscribersOfTheOther() {
        String room = uniqueName("across");
        Claim alice = new ParleyApi(this.a.port()).claim(uniqueName("alice"));
        Claim bob = new ParleyApi(this.b.port()).claim(uniqueName("bob"));
        StompTestClient onA = StompTestClient.connect(this.a.port(), Transport.WEBSOCKET, alice);
        StompTestClient onB = StompTestClient.connect(this.b.port(), Transport.SOCKJS_XHR_STREAMING, bob);
        Subscription seenOnB = onB.subscribe(topic(room));
        onA.subscribe(topic(room));
        onA.send(join(room), Map.of());
        onA.send(send(room), Map.of("text", "hello from A"));
        JsonNode message = seenOnB.nextMatching(RoomBusClusterTests::isMessage);
        assertThat(message.path("text").asString()).isEqualTo("hello from A");
        assertThat(message.path("sender").asString()).isEqualTo(alice.nickname());
        assertThat(message.path("id").asLong()).isEqualTo(1);
    }

    @Test
    void sendersOnBothInstancesIntoOneRoomAreSeenInIdOrderEverywhere() throws Exception {
        String room = uniqueName("busy");
        int total = 2 * SENDERS_PER_INSTANCE * MESSAGES_PER_SENDER;
        List<Subscription> subscribers = new ArrayList<>();
        for (ServerProcess instance : List.of(this.a, this.b)) {
            for (Transport transport : List.of(Transport.WEBSOCKET, Transport.SOCKJS_XHR_POLLING)) {
                Claim reader = new ParleyApi(instance.port()).claim(uniqueName("reader"));
                subscribers.add(StompTestClient.connect(instance.port(), transport, reader).subscribe(topic(room)));
            }
        }
        List<Thread> senders = new ArrayList<>();
        for (ServerProcess instance : List.of(this.a, this.b)) {
            for (int s = 0; s < SENDERS_PER_INSTANCE; s++) {
                Claim claim = new ParleyApi(instance.port()).claim(uniqueName("sender"));
                StompTestClient sender = StompTestClient.connect(instance.port(), Transport.WEBSOCKET, claim);
                sender.subscribe(topic(room));
                sender.send(join(room), Map.of());
                String prefix = instance.port() + "/" + s + " #";
                Thread thread = new Thread(() -> {
                    for (int n = 0; n < MESSAGES_PER_SENDER; n++) {
                        sender.send(send(room), Map.of("text", prefix + n));
                    }
                });
                senders.add(thread);
            }
        }
        senders.forEach(Thread::start);
        for (Thread thread : senders) {
            thread.join(TimeUnit.SECONDS.toMillis(60));
        }
        for (Subscription subscriber : subscribers) {
            List<Long> ids = new ArrayList<>();
            while (ids.size() < total) {
                ids.add(subscriber.nextMatching(RoomBusClusterTests::isMessage).path("id").asLong());
            }
            assertThat(ids).as("ids on one subscriber").isSorted().doesNotHaveDuplicates()
                .startsWith(1L)
                .endsWith((long) total);
        }
        ParleyApi api = new ParleyApi(this.b.port());
        JsonNode latest = api.get("/api/rooms/" + room + "/messages?limit=1").json();
        assertThat(latest.get(0).path("id").asLong()).as("the last stored id, read on B").isEqualTo(total);
    }

    @Test
    void aClientIdRetriedThroughTheOtherInstanceIsStoredOnce() {
        String room = uniqueName("retry");
        Claim frank = new ParleyApi(this.a.port()).claim(uniqueName("frank"));
        StompTestClient onA = StompTestClient.connect(this.a.port(), Transport.WEBSOCKET, frank);
        StompTestClient onB = StompTestClient.connect(this.b.port(), Transport.WEBSOCKET, frank);
        Subscription seen = onA.subscribe(topic(room));
        onA.send(join(room), Map.of());
        onB.send(join(room), Map.of());
        onA.send(send(room), Map.of("text", "once", "clientId", "retry-1"));
        assertThat(seen.nextMatching(RoomBusClusterTests::isMessage).path("id").asLong()).isEqualTo(1);
        // the connection to A dropped before the echo, say: the client sends it again through B
        onB.send(send(room), Map.of("text", "once", "clientId", "retry-1"));
        onB.send(send(room), Map.of("text", "next", "clientId", "retry-2"));
        JsonNode next = seen.nextMatching(RoomBusClusterTests::isMessage);
        assertThat(next.path("text").asString()).as("the retry was not stored again").isEqualTo("next");
        assertThat(next.path("id").asLong()).isEqualTo(2);
        JsonNode history = new ParleyApi(this.b.port()).get("/api/rooms/" + room + "/messages").json();
        assertThat(history).hasSize(2);
    }

    private static boolean isMessage(JsonNode event) {
        return "MESSAGE".equals(event.path("type").asString());
    }
}
