package dev.parley.cluster;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;

import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import dev.parley.support.ClusterServices;
import dev.parley.support.ParleyApi.Claim;
import dev.parley.support.ParleyApi;
import dev.parley.support.StompTestClient.Subscription;
import dev.parley.support.StompTestClient.Transport;
import dev.parley.support.StompTestClient;

import static dev.parley.support.Destinations.ERRORS;
import static dev.parley.support.Destinations.join;
import static dev.parley.support.Destinations.send;
import static dev.parley.support.Destinations.topic;
import static dev.parley.support.ParleyApi.uniqueName;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Redis restarted under traffic (contract section 9): sends keep being stored and delivered,
 * joins and leaves are taken without waiting for Redis, health says Redis is DOWN meanwhile, and
 * once Redis is back every subscriber on the other instance has every message that was echoed,
 * in id order, without a gap, and the JOIN and LEAVE of what changed meanwhile. This machine's Redis
 * is stopped and started again with the command the machine documents, and left running.
 */
class RedisRestartClusterTests extends TwoInstances {

    @Test
    void messagesAndPresenceChangesWhileRedisIsAwayReachTheOtherInstance() throws Exception {
        String room = uniqueName("redisdown");
        Claim reader = new ParleyApi(this.b.port()).claim(uniqueName("reader"));
        Subscription onB = StompTestClient.connect(this.b.port(), Transport.WEBSOCKET, reader).subscribe(topic(room));
        Claim writer = new ParleyApi(this.a.port()).claim(uniqueName("writer"));
        StompTestClient sender = StompTestClient.connect(this.a.port(), Transport.WEBSOCKET, writer);
        Subscription echoes = sender.subscribe(topic(room));
        sender.send(join(room), Map.of());
        Claim leaving = new ParleyApi(this.a.port()).claim(uniqueName("leaver"));
        StompTestClient leaver = StompTestClient.connect(this.a.port(), Transport.WEBSOCKET, leaving);
        leaver.subscribe(topic(room));
        leaver.send(join(room), Map.of());
        Claim coming = new ParleyApi(this.a.port()).claim(uniqueName("newcomer"));
        List<JsonNode> presenceOnB = new ArrayList<>();
        await().atMost(Duration.ofSeconds(10)).until(() -> {
            drain(onB, presenceOnB);
            return presenceOnB.stream().anyMatch(event -> isPresence(event, "JOIN", leaving.nickname()));
        });
        AtomicBoolean sending = new AtomicBoolean(true);
        Thread traffic = new Thread(() -> {
            for (int n = 0; sending.get(); n++) {
                sender.send(send(room), Map.of("text", "#" + n));
                // five a second: under the default rate limit, which also holds while Redis is away
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(200));
            }
        });
        traffic.start();
        try {
            awaitMessages(echoes, 5);
            ClusterServices.stopRedis();
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(
                    new ParleyApi(this.a.port()).get("/actuator/health").json().path("components").path("redis")
                        .path("status").asString()).isEqualTo("DOWN"));
            assertThat(PostgresRestartClusterTests.probe(this.a.port(), "/readyz")).isEqualTo(503);
            assertThat(PostgresRestartClusterTests.probe(this.a.port(), "/livez")).isEqualTo(200);
            awaitMessages(echoes, 5); // still stored and echoed on A
            // a join and a leave while Redis is away: kept by A, no error, no wait for Redis
            StompTestClient newcomer = StompTestClient.connect(this.a.port(), Transport.WEBSOCKET, coming);
            Subscription newcomerErrors = newcomer.subscribe(ERRORS);
            Subscription newcomerEchoes = newcomer.subscribe(topic(room));
            newcomer.send(join(room), Map.of());
            newcomer.send(send(room), Map.of("text", "while Redis is away"));
            newcomerEchoes.nextMatching(event -> "MESSAGE".equals(event.path("type").asString())
                    && coming.nickname().equals(event.path("sender").asString()));
            assertThat(newcomerErrors.messages()).as("errors of a join while Redis is away").isEmpty();
            leaver.disconnect();
        }
        finally {
            ClusterServices.startRedis();
        }
        awaitMessages(echoes, 5);
        await().atMost(Duration.ofSeconds(10)).untilAsserted(
                () -> assertThat(PostgresRestartClusterTests.probe(this.a.port(), "/readyz")).isEqualTo(200));
        sending.set(false);
        traffic.join(TimeUnit.SECONDS.toMillis(10));
        long last = new ParleyApi(this.a.port()).get("/api/rooms/" + room + "/messages?limit=1").json().get(0)
            .path("id").asLong();
        // within 5 s of Redis returning, B has every message A echoed, in order
        List<Long> seenOnB = new ArrayList<>();
        await().atMost(Duration.ofSeconds(5)).until(() -> {
            seenOnB.addAll(drain(onB, presenceOnB));
            return !seenOnB.isEmpty() && seenOnB.get(seenOnB.size() - 1) >= last;
        });
        assertThat(seenOnB).as("ids on B").isSorted().doesNotHaveDuplicates().startsWith(1L);
        assertThat(seenOnB.size()).as("no gap on B").isEqualTo(seenOnB.get(seenOnB.size() - 1).intValue());
        // and B's subscriber is told of the join and the leave made while Redis was away, once
        // each, within three presence renewals (5 s each) of its return, though B's subscription
        // to Redis may have come back after A announced them: B tells what two comparisons in a
        // row find missing
        await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> {
            drain(onB, presenceOnB);
            assertThat(presenceOnB).as("presence events on B").anyMatch(event -> isPresence(event, "JOIN", coming.nickname()))
                .anyMatch(event -> isPresence(event, "LEAVE", leaving.nickname()));
        });
        assertThat(presenceOnB.stream().filter(event -> isPresence(event, "JOIN", writer.nickname())))
            .as("JOINs of the writer on B, though Redis lost its presence and A announced it again").hasSize(1);
        assertThat(new ParleyApi(this.b.port()).onlineUsers(room)).containsExactlyInAnyOrder(writer.nickname(), coming.nickname());
    }

    private static boolean isPresence(JsonNode event, String type, String nickname) {
        return type.equals(event.path("type").asString()) && nickname.equals(event.path("user").asString());
    }

    private static void awaitMessages(Subscription subscription, int count) {
        for (int i = 0; i < count; i++) {
            subscription.nextMatching(event -> "MESSAGE".equals(event.path("type").asString()));
        }
    }

    /** The ids of the MESSAGE events waiting in {@code subscription}, taken; the other events into {@code others}. */
    private static List<Long> drain(Subscription subscription, List<JsonNode> others) {
        List<Long> ids = new ArrayList<>();
        JsonNode event;
        while ((event = subscription.messages().poll()) != null) {
            if ("MESSAGE".equals(event.path("type").asString())) {
                ids.add(event.path("id").asLong());
            }
            else {
                others.add(event);
            }
        }
        return ids;
    }
}
