package dev.parley.cluster;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import dev.parley.support.ClusterServices;
import dev.parley.support.ParleyApi;
import dev.parley.support.ParleyApi.Claim;
import dev.parley.support.StompTestClient;
import dev.parley.support.StompTestClient.Subscription;
import dev.parley.support.StompTestClient.Transport;

import static dev.parley.support.Destinations.ERRORS;
import static dev.parley.support.Destinations.join;
import static dev.parley.support.Destinations.send;
import static dev.parley.support.Destinations.topic;
import static dev.parley.support.ParleyApi.uniqueName;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * PostgreSQL restarted under traffic (contract section 9): while it is away, health says the
 * database is DOWN and sends are refused with {@code INTERNAL_ERROR}, nothing of them stored or
 * echoed; when it returns the instances recover by themselves, and nothing that was echoed is
 * lost: the history holds every echoed message under its id, ids 1..N without a gap, and the
 * other instance's subscriber received them in order; a subscriber of a room that instance
 * began to follow while PostgreSQL was away receives what is sent there the moment PostgreSQL is
 * back, before that instance may have read where the room stands. This machine's PostgreSQL is stopped and
 * started again with the command the machine documents ({@link ClusterServices}), and left
 * running.
 */
class PostgresRestartClusterTests extends TwoInstances {

    private static final String NEW_ROOM_TEXT = "in a room B began to follow while PostgreSQL was away";

    @Test
    void sendsAreRefusedWhilePostgresIsAwayAndTheClusterRecoversByItself() throws Exception {
        String room = uniqueName("pgdown");
        Claim reader = new ParleyApi(this.b.port()).claim(uniqueName("reader"));
        Subscription onB = StompTestClient.connect(this.b.port(), Transport.WEBSOCKET, reader).subscribe(topic(room));
        Claim writer = new ParleyApi(this.a.port()).claim(uniqueName("writer"));
        StompTestClient sender = StompTestClient.connect(this.a.port(), Transport.WEBSOCKET, writer);
        Subscription errors = sender.subscribe(ERRORS);
        Subscription echoes = sender.subscribe(topic(room));
        sender.send(join(room), Map.of());

        String newRoom = uniqueName("pgdownnew");
        Claim lateReader = new ParleyApi(this.b.port()).claim(uniqueName("late"));
        // connected before: a CONNECT reads the claim from PostgreSQL
        StompTestClient lateOnB = StompTestClient.connect(this.b.port(), Transport.WEBSOCKET, lateReader);
        Subscription newRoomOnB = null;
        Map<String, Long> echoed = new ConcurrentHashMap<>();
        Set<String> refused = ConcurrentHashMap.newKeySet();
        AtomicInteger sentAfterReturn = new AtomicInteger(-1);
        AtomicInteger sent = new AtomicInteger();
        AtomicBoolean sending = new AtomicBoolean(true);
        Thread traffic = new Thread(() -> {
            while (sending.get()) {
                int n = sent.getAndIncrement();
                sender.send(send(room), Map.of("text", "#" + n, "clientId", "c" + n));
                // five a second: under the default rate limit
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(200));
            }
        });
        traffic.start();
        try {
            awaitEchoes(echoes, echoed, 5);
            ClusterServices.stopPostgres();
            try {
                await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(health(this.a.port(), "db"))
                    .isEqualTo("DOWN"));
                // a load balancer stops sending new clients; nothing asks for a restart
                assertThat(probe(this.a.port(), "/readyz")).isEqualTo(503);
                assertThat(probe(this.a.port(), "/livez")).isEqualTo(200);
                // a room B follows from now on, though it cannot read where the room stands
                newRoomOnB = lateOnB.subscribe(topic(newRoom));
                // refused, each with the clientId of the send it refuses
                for (int i = 0; i < 3; i++) {
                    JsonNode error = errors.nextMatching(event -> "INTERNAL_ERROR".equals(event.path("code").asString()));
                    refused.add(error.path("clientId").asString());
                }
            }
            finally {
                ClusterServices.startPostgres();
            }
            sentAfterReturn.set(sent.get());
            // the instances recover by themselves: a send made after PostgreSQL returned is echoed
            await().atMost(Duration.ofSeconds(30)).until(() -> {
                drainEchoes(echoes, echoed);
                return echoed.keySet().stream().anyMatch(id -> number(id) >= sentAfterReturn.get());
            });
            // at once: B may not have read where the new room stands yet (its store may come
            // back later than A's), and the message is sent after B's subscriber subscribed
            sender.send(join(newRoom), Map.of());
            sender.send(send(newRoom), Map.of("text", NEW_ROOM_TEXT, "clientId", "new"));
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(health(this.a.port(), "db"))
                .isEqualTo("UP"));
            assertThat(probe(this.a.port(), "/readyz")).isEqualTo(200);
        }
        finally {
            sending.set(false);
            traffic.join(TimeUnit.SECONDS.toMillis(10));
        }
        // whatever was still in flight when the traffic stopped is echoed or refused by now
        await().atMost(Duration.ofSeconds(10)).until(() -> {
            drainEchoes(echoes, echoed);
            errors.messages()
                .stream()
                .map(error -> error.path("clientId").asString())
                .filter(clientId -> clientId.startsWith("c"))
                .forEach(refused::add);
            return echoed.size() + refused.size() >= sent.get();
        });

        List<JsonNode> history = new ParleyApi(this.b.port()).history(room, 0);
        Map<String, Long> stored = new ConcurrentHashMap<>();
        history.forEach(message -> stored.put(message.path("clientId").asString(), message.path("id").asLong()));
        assertThat(history).extracting(message -> message.path("id").asLong())
            .as("ids 1..N without a gap")
            .containsExactlyElementsOf(ids(history.size()));
        assertThat(stored).as("every echoed message stored under its id").containsAllEntriesOf(echoed);
        assertThat(refused).as("refused sends").isNotEmpty().doesNotContainAnyElementsOf(stored.keySet());
        System.out.printf("PostgreSQL restart: %d echoed, %d refused, %d stored%n", echoed.size(), refused.size(),
                history.size());

        // the other instance's subscriber has them all, in order
        List<Long> seenOnB = new ArrayList<>();
        long last = history.get(history.size() - 1).path("id").asLong();
        await().atMost(Duration.ofSeconds(10)).until(() -> {
            JsonNode event;
            while ((event = onB.messages().poll()) != null) {
                if ("MESSAGE".equals(event.path("type").asString())) {
                    seenOnB.add(event.path("id").asLong());
                }
            }
            return !seenOnB.isEmpty() && seenOnB.get(seenOnB.size() - 1) == last;
        });
        assertThat(seenOnB).as("ids on B").containsExactlyElementsOf(ids(history.size()));

        // the room subscribed to on B while PostgreSQL was away: what was sent as soon as it was back
        JsonNode first;
        try {
            first = newRoomOnB.nextMatching(event -> "MESSAGE".equals(event.path("type").asString()));
        }
        catch (AssertionError ex) {
            throw new AssertionError(ex.getMessage() + "; errors to the sender: " + errors.messages(), ex);
        }
        assertThat(first.path("id").asLong()).isEqualTo(1);
        assertThat(first.path("text").asString()).isEqualTo(NEW_ROOM_TEXT);
    }

    static int probe(int port, String path) {
        return new ParleyApi(port).get(path).status();
    }

    private static String health(int port, String component) {
        return new ParleyApi(port).get("/actuator/health").json().path("components").path(component).path("status")
            .asString();
    }

    private static void awaitEchoes(Subscription subscription, Map<String, Long> echoed, int count) {
        for (int i = 0; i < count; i++) {
            JsonNode echo = subscription.nextMatching(event -> "MESSAGE".equals(event.path("type").asString()));
            echoed.put(echo.path("clientId").asString(), echo.path("id").asLong());
        }
    }

    private static void drainEchoes(Subscription subscription, Map<String, Long> echoed) {
        JsonNode event;
        while ((event = subscription.messages().poll()) != null) {
            if ("MESSAGE".equals(event.path("type").asString())) {
                echoed.put(event.path("clientId").asString(), event.path("id").asLong());
            }
        }
    }

    private static int number(String clientId) {
        return Integer.parseInt(clientId.substring(1));
    }

    private static List<Long> ids(int count) {
        List<Long> ids = new ArrayList<>();
        for (long id = 1; id <= count; id++) {
            ids.add(id);
        }
        return ids;
    }
}
