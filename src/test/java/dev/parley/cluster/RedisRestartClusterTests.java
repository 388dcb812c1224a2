package dev.parley.cluster;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;

import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import dev.parley.support.ParleyApi.Claim;
import dev.parley.support.ParleyApi;
import dev.parley.support.StompTestClient.Subscription;
import dev.parley.support.StompTestClient.Transport;
import dev.parley.support.StompTestClient;

import static dev.parley.support.Destinations.join;
import static dev.parley.support.Destinations.send;
import static dev.parley.support.Destinations.topic;
import static dev.parley.support.ParleyApi.uniqueName;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Redis restarted under traffic (contract section 9): sends keep being stored and delivered,
 * health says Redis is DOWN meanwhile, and once Redis is back every subscriber on the other
 * instance has every message that was echoed, in id order, without a gap. This machine's Redis
 * is stopped and started again with the command the machine documents, and left running.
 */
class RedisRestartClusterTests extends TwoInstances {

    private static final List<String> START_REDIS = List.of("redis-server", "--daemonize", "yes", "--bind",
            "127.0.0.1", "-::1", "--port", "6379", "--save", "", "--appendonly", "no", "--dir", "/var/lib/redis",
            "--logfile", "/var/log/redis/ci.log");

    @Test
    void messagesSentWhileRedisIsAwayReachTheOtherInstanceInOrder() throws Exception {
        String room = uniqueName("redisdown");
        Claim reader = new ParleyApi(this.b.port()).claim(uniqueName("reader"));
        Subscription onB = StompTestClient.connect(this.b.port(), Transport.WEBSOCKET, reader).subscribe(topic(room));
        Claim writer = new ParleyApi(this.a.port()).claim(uniqueName("writer"));
        StompTestClient sender = StompTestClient.connect(this.a.port(), Transport.WEBSOCKET, writer);
        Subscription echoes = sender.subscribe(topic(room));
        sender.send(join(room), Map.of());
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
            run(List.of("redis-cli", "-p", "6379", "shutdown", "nosave"));
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(
                    new ParleyApi(this.a.port()).get("/actuator/health").json().path("components").path("redis")
                        .path("status").asString()).isEqualTo("DOWN"));
            awaitMessages(echoes, 5); // still stored and echoed on A
        }
        finally {
            run(START_REDIS);
        }
        await().atMost(Duration.ofSeconds(20)).until(() -> run(List.of("redis-cli", "-p", "6379", "ping")) == 0);
        awaitMessages(echoes, 5);
        sending.set(false);
        traffic.join(TimeUnit.SECONDS.toMillis(10));
        long last = new ParleyApi(this.a.port()).get("/api/rooms/" + room + "/messages?limit=1").json().get(0)
            .path("id").asLong();
        // within 5 s of Redis returning, B has every message A echoed, in order
        List<Long> seenOnB = new ArrayList<>();
        await().atMost(Duration.ofSeconds(5)).until(() -> {
            seenOnB.addAll(ids(onB));
            return !seenOnB.isEmpty() && seenOnB.get(seenOnB.size() - 1) >= last;
        });
        assertThat(seenOnB).as("ids on B").isSorted().doesNotHaveDuplicates().startsWith(1L);
        assertThat(seenOnB.size()).as("no gap on B").isEqualTo(seenOnB.get(seenOnB.size() - 1).intValue());
    }

    private static void awaitMessages(Subscription subscription, int count) {
        for (int i = 0; i < count; i++) {
            subscription.nextMatching(event -> "MESSAGE".equals(event.path("type").asString()));
        }
    }

    /** The ids of the MESSAGE events waiting in {@code subscription}, taken. */
    private static List<Long> ids(Subscription subscription) {
        List<Long> ids = new ArrayList<>();
        JsonNode event;
        while ((event = subscription.messages().poll()) != null) {
            if ("MESSAGE".equals(event.path("type").asString())) {
                ids.add(event.path("id").asLong());
            }
        }
        return ids;
    }

    private static int run(List<String> command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        process.getInputStream().readAllBytes();
        return process.waitFor(30, TimeUnit.SECONDS) ? process.exitValue() : -1;
    }
}
