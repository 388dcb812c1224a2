package dev.parley.cluster;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import dev.parley.support.ParleyApi.Claim;
import dev.parley.support.ParleyApi;
import dev.parley.support.ServerProcess;
import dev.parley.support.StompTestClient.Subscription;
import dev.parley.support.StompTestClient.Transport;
import dev.parley.support.StompTestClient;

import static dev.parley.support.Destinations.ERRORS;
import static dev.parley.support.Destinations.join;
import static dev.parley.support.Destinations.leave;
import static dev.parley.support.Destinations.send;
import static dev.parley.support.Destinations.topic;
import static dev.parley.support.ParleyApi.uniqueName;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Presence across instances of the {@code cluster} profile (contract section 9): the online list
 * and counts are the same from every instance, a nickname comes online once cluster-wide however
 * many connections it has on however many instances, and the users of an instance that dies
 * (SIGKILL) go offline on the others within 30 s.
 */
class PresenceClusterTests extends TwoInstances {

    @Test
    void theOnlineListIsTheSameFromEveryInstanceAndEachNicknameJoinsOnce() {
        String room = uniqueName("presence");
        Claim alice = new ParleyApi(this.a.port()).claim(uniqueName("alice"));
        Claim bob = new ParleyApi(this.b.port()).claim(uniqueName("bob"));
        StompTestClient watcher = StompTestClient.connect(this.a.port(), Transport.WEBSOCKET,
                new ParleyApi(this.a.port()).claim(uniqueName("watcher")));
        Subscription events = watcher.subscribe(topic(room));
        StompTestClient aliceOnA = StompTestClient.connect(this.a.port(), Transport.WEBSOCKET, alice);
        aliceOnA.send(join(room), Map.of());
        StompTestClient aliceOnB = StompTestClient.connect(this.b.port(), Transport.SOCKJS_XHR_STREAMING, alice);
        aliceOnB.send(join(room), Map.of());
        StompTestClient bobOnB = StompTestClient.connect(this.b.port(), Transport.WEBSOCKET, bob);
        bobOnB.send(join(room), Map.of());
        List<String> expected = List.of(alice.nickname(), bob.nickname());
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            assertThat(new ParleyApi(this.a.port()).onlineUsers(room)).containsExactlyElementsOf(expected);
            assertThat(new ParleyApi(this.b.port()).onlineUsers(room)).containsExactlyElementsOf(expected);
        });
        // a message after the joins: every JOIN published before it has arrived by then
        bobOnB.send(send(room), Map.of("text", "marker"));
        List<JsonNode> seen = events.takeUntil(event -> "MESSAGE".equals(event.path("type").asString()));
        List<String> joins = seen.stream()
            .filter(event -> "JOIN".equals(event.path("type").asString()))
            .map(event -> event.path("user").asString())
            .toList();
        assertThat(joins).as("one JOIN per nickname cluster-wide").containsExactlyInAnyOrder(alice.nickname(),
                bob.nickname());
        // whichever came first, the second nickname online makes two
        assertThat(seen.stream()
            .filter(event -> "JOIN".equals(event.path("type").asString()))
            .map(event -> event.path("online").asInt())
            .toList()).as("online counts of the JOINs").containsExactlyInAnyOrder(1, 2);
        // alice's connection on B leaving does not take her offline: she is still on A
        aliceOnB.disconnect();
        bobOnB.send(send(room), Map.of("text", "second marker"));
        List<JsonNode> after = events.takeUntil(event -> "MESSAGE".equals(event.path("type").asString()));
        assertThat(after).noneMatch(event -> "LEAVE".equals(event.path("type").asString()));
        assertThat(new ParleyApi(this.b.port()).onlineUsers(room)).containsExactlyElementsOf(expected);
    }

    @Test
    void presenceEventsFromAnotherInstanceArriveInTheOrderTheyHappened() {
        String room = uniqueName("order");
        ParleyApi onA = new ParleyApi(this.a.port());
        StompTestClient watcher = StompTestClient.connect(this.b.port(), Transport.WEBSOCKET,
                new ParleyApi(this.b.port()).claim(uniqueName("watcher")));
        Subscription events = watcher.subscribe(topic(room));
        Claim gina = onA.claim(uniqueName("gina"));
        Claim frank = onA.claim(uniqueName("frank"));
        StompTestClient ginaOnA = StompTestClient.connect(this.a.port(), Transport.WEBSOCKET, gina);
        ginaOnA.send(join(room), Map.of());
        events.nextMatching(event -> "JOIN".equals(event.path("type").asString()));
        StompTestClient frankOnA = StompTestClient.connect(this.a.port(), Transport.WEBSOCKET, frank);
        int cycles = 30;
        for (int i = 0; i < cycles; i++) {
            frankOnA.send(join(room), Map.of());
            frankOnA.send(leave(room), Map.of());
        }
        // frank's own frames are handled in order: his marker comes after all his joins and leaves
        frankOnA.send(join(room), Map.of());
        frankOnA.send(send(room), Map.of("text", "marker"));
        List<String> seen = events.takeUntil(event -> "MESSAGE".equals(event.path("type").asString()))
            .stream()
            .filter(event -> !"MESSAGE".equals(event.path("type").asString()))
            .map(event -> event.path("type").asString() + " " + event.path("user").asString() + " "
                    + event.path("online").asInt())
            .toList();
        // one thread per event from Redis (the listener container's default) let a LEAVE overtake
        // its JOIN, and the JOIN then left frank online on B
        List<String> expected = new ArrayList<>();
        for (int i = 0; i < cycles; i++) {
            expected.add("JOIN " + frank.nickname() + " 2");
            expected.add("LEAVE " + frank.nickname() + " 1");
        }
        expected.add("JOIN " + frank.nickname() + " 2");
        assertThat(seen).containsExactlyElementsOf(expected);
        assertThat(new ParleyApi(this.b.port()).onlineUsers(room)).hasSize(2);
    }

    @Test
    void theRateLimitHoldsForANicknameConnectedToTwoInstances() {
        String room = uniqueName("ratelimit");
        Claim erin = new ParleyApi(this.a.port()).claim(uniqueName("erin"));
        StompTestClient onA = StompTestClient.connect(this.a.port(), Transport.WEBSOCKET, erin);
        StompTestClient onB = StompTestClient.connect(this.b.port(), Transport.WEBSOCKET, erin);
        Subscription echoes = onA.subscribe(topic(room));
        Subscription refusedOnA = onA.subscribe(ERRORS);
        Subscription refusedOnB = onB.subscribe(ERRORS);
        onA.send(join(room), Map.of());
        onB.send(join(room), Map.of());
        int sends = 20;
        long start = System.nanoTime();
        for (int i = 0; i < sends; i++) {
            (i % 2 == 0 ? onA : onB).send(send(room), Map.of("text", "burst " + i));
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        // every send is answered: an echo on the topic, or RATE_LIMITED to the connection that sent it
        int[] answered = new int[3];
        await().atMost(Duration.ofSeconds(10)).until(() -> {
            answered[0] += drain(echoes, "MESSAGE");
            answered[1] += drain(refusedOnA, "ERROR");
            answered[2] += drain(refusedOnB, "ERROR");
            return answered[0] + answered[1] + answered[2] == sends;
        });
        // one bucket of 10 for erin, refilled at 5 a second, whichever instance took the send;
        // a bucket per instance would have let all 20 through
        assertThat(answered[0]).as("sends accepted in %.2f s", seconds).isLessThanOrEqualTo(10 + (int) Math.ceil(seconds * 5) + 1)
            .isLessThan(sends);
        assertThat(answered[1] + answered[2]).as("RATE_LIMITED replies").isPositive();
    }

    private static int drain(Subscription subscription, String type) {
        int count = 0;
        JsonNode event;
        while ((event = subscription.messages().poll()) != null) {
            if (type.equals(event.path("type").asString())) {
                count++;
            }
        }
        return count;
    }

    @Test
    void theUsersOfAnInstanceThatDiesGoOfflineEverywhereWithin30Seconds() {
        String room = uniqueName("deadinstance");
        ServerProcess doomed = this.services.startInstance();
        Claim carol = new ParleyApi(doomed.port()).claim(uniqueName("carol"));
        Claim dave = new ParleyApi(this.a.port()).claim(uniqueName("dave"));
        StompTestClient daveOnA = StompTestClient.connect(this.a.port(), Transport.WEBSOCKET, dave);
        Subscription events = daveOnA.subscribe(topic(room));
        daveOnA.send(join(room), Map.of());
        StompTestClient carolOnDoomed = StompTestClient.connect(doomed.port(), Transport.WEBSOCKET, carol);
        carolOnDoomed.send(join(room), Map.of());
        events.nextMatching(event -> "JOIN".equals(event.path("type").asString())
                && carol.nickname().equals(event.path("user").asString()));
        assertThat(new ParleyApi(this.b.port()).onlineUsers(room)).contains(carol.nickname());
        long killedAt = System.nanoTime();
        doomed.kill();
        JsonNode leave = events.nextMatching(event -> "LEAVE".equals(event.path("type").asString())
                && carol.nickname().equals(event.path("user").asString()), Duration.ofSeconds(30));
        System.out.printf("LEAVE of a dead instance's user after %d ms%n", (System.nanoTime() - killedAt) / 1_000_000);
        assertThat(leave.path("online").asInt()).isEqualTo(1);
        assertThat(new ParleyApi(this.a.port()).onlineUsers(room)).containsExactly(dave.nickname());
        assertThat(new ParleyApi(this.b.port()).onlineUsers(room)).containsExactly(dave.nickname());
    }
}
