package dev.parley.cluster;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import dev.parley.support.ParleyApi;
import dev.parley.support.ParleyApi.Claim;
import dev.parley.support.ServerProcess;
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
 * An instance killed with SIGKILL under traffic (contract section 9): its clients reconnect to
 * the others and catch up as section 8 says (subscribe, join, read the history after the last id
 * seen, merge by id), a sender retries what it saw no echo of with the same {@code clientId}, and
 * nothing is lost: the reader's merged view is the room's ids 1..N without a gap, every echo is
 * in the history under its id, every send is stored once. Its users that do not come back drop
 * out of presence on the others within 30 s.
 */
class KilledInstanceClusterTests extends TwoInstances {

    @Test
    void clientsOfAKilledInstanceReconnectToAnotherAndCatchUpWithNothingLost() throws Exception {
        String room = uniqueName("killed");
        ServerProcess doomed = this.services.startInstance();
        ParleyApi onA = new ParleyApi(this.a.port());
        ParleyApi onDoomed = new ParleyApi(doomed.port());

        Claim watcher = onA.claim(uniqueName("watcher"));
        StompTestClient watcherOnB = StompTestClient.connect(this.b.port(), Transport.WEBSOCKET, watcher);
        Subscription watched = watcherOnB.subscribe(topic(room));
        watcherOnB.send(join(room), Map.of());

        Claim writerA = onA.claim(uniqueName("writera"));
        StompTestClient senderA = StompTestClient.connect(this.a.port(), Transport.WEBSOCKET, writerA);
        Subscription echoesA = senderA.subscribe(topic(room));
        senderA.send(join(room), Map.of());

        Claim writerC = onDoomed.claim(uniqueName("writerc"));
        StompTestClient senderC = StompTestClient.connect(doomed.port(), Transport.WEBSOCKET, writerC);
        Subscription echoesC = senderC.subscribe(topic(room));
        senderC.send(join(room), Map.of());

        Claim reader = onDoomed.claim(uniqueName("reader"));
        StompTestClient readerOnDoomed = StompTestClient.connect(doomed.port(), Transport.WEBSOCKET, reader);
        Subscription beforeKill = readerOnDoomed.subscribe(topic(room));
        readerOnDoomed.send(join(room), Map.of());

        Claim bystander = onDoomed.claim(uniqueName("bystander"));
        StompTestClient.connect(doomed.port(), Transport.WEBSOCKET, bystander).send(join(room), Map.of());
        watched.nextMatching(event -> isPresence(event, "JOIN", bystander.nickname()));

        AtomicBoolean sending = new AtomicBoolean(true);
        Thread trafficA = traffic(senderA, room, "a", sending, new AtomicInteger());
        AtomicBoolean sendingC = new AtomicBoolean(true);
        AtomicInteger sentC = new AtomicInteger();
        Thread trafficC = traffic(senderC, room, "c", sendingC, sentC);

        Map<String, Long> echoedToC = new ConcurrentHashMap<>();
        for (int i = 0; i < 10; i++) {
            JsonNode echo = echoesC.nextMatching(KilledInstanceClusterTests::isMessage);
            echoedToC.put(echo.path("clientId").asString(), echo.path("id").asLong());
        }
        doomed.kill();
        sendingC.set(false);
        trafficC.join(TimeUnit.SECONDS.toMillis(10));
        drain(echoesC).forEach(echo -> echoedToC.put(echo.path("clientId").asString(), echo.path("id").asLong()));

        // the reader: what it had live, then the catch-up through another instance
        TreeMap<Long, JsonNode> readersView = new TreeMap<>();
        List<Long> liveBefore = new ArrayList<>();
        for (JsonNode message : drain(beforeKill)) {
            liveBefore.add(message.path("id").asLong());
            readersView.put(message.path("id").asLong(), message);
        }
        long lastSeen = readersView.isEmpty() ? 0 : readersView.lastKey();
        StompTestClient readerOnA = StompTestClient.connect(this.a.port(), Transport.WEBSOCKET, reader);
        Subscription afterKill = readerOnA.subscribe(topic(room));
        readerOnA.send(join(room), Map.of());
        onA.history(room, lastSeen).forEach(message -> readersView.put(message.path("id").asLong(), message));

        // the sender: retries through B, with the same clientId, what it saw no echo of
        StompTestClient senderOnB = StompTestClient.connect(this.b.port(), Transport.WEBSOCKET, writerC);
        senderOnB.subscribe(topic(room));
        senderOnB.send(join(room), Map.of());
        List<String> retried = new ArrayList<>();
        for (int n = 0; n < sentC.get(); n++) {
            if (!echoedToC.containsKey("c" + n)) {
                retried.add("c" + n);
                senderOnB.send(send(room), Map.of("text", "#" + n, "clientId", "c" + n));
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(200)); // under the rate limit
            }
        }

        LockSupport.parkNanos(TimeUnit.SECONDS.toNanos(2)); // A's traffic goes on meanwhile
        sending.set(false);
        trafficA.join(TimeUnit.SECONDS.toMillis(10));
        Map<String, Long> echoedToA = new ConcurrentHashMap<>();
        List<Long> liveAfter = new ArrayList<>();
        await().atMost(Duration.ofSeconds(10)).until(() -> {
            drain(echoesA).forEach(echo -> echoedToA.put(echo.path("clientId").asString(), echo.path("id").asLong()));
            for (JsonNode message : drain(afterKill)) {
                liveAfter.add(message.path("id").asLong());
                readersView.put(message.path("id").asLong(), message);
            }
            List<JsonNode> history = onA.history(room, 0);
            return !history.isEmpty() && readersView.lastKey() == history.get(history.size() - 1).path("id").asLong();
        });

        List<JsonNode> history = onA.history(room, 0);
        Map<String, Long> stored = new TreeMap<>();
        history.forEach(message -> stored.put(message.path("clientId").asString(), message.path("id").asLong()));
        List<Long> all = ids(history.size());
        assertThat(history).extracting(message -> message.path("id").asLong()).as("history ids 1..N")
            .containsExactlyElementsOf(all);
        assertThat(readersView.keySet()).as("the reader's merged view, live and caught up").containsExactlyElementsOf(all);
        assertThat(liveBefore).as("live before the kill").isSorted().doesNotHaveDuplicates();
        assertThat(liveAfter).as("live after the reconnect").isSorted().doesNotHaveDuplicates();
        assertThat(stored).as("echoes to the killed instance's sender, stored under their ids")
            .containsAllEntriesOf(echoedToC);
        assertThat(stored).as("echoes to A's sender").containsAllEntriesOf(echoedToA);
        for (int n = 0; n < sentC.get(); n++) {
            assertThat(stored).as("send c%d of the killed instance's sender, stored once", n).containsKey("c" + n);
        }
        assertThat(history.stream().filter(message -> message.path("clientId").asString().startsWith("c")).count())
            .as("no send stored twice").isEqualTo(sentC.get());
        System.out.printf("killed instance: %d stored, the reader caught up after id %d, %d sends retried%n",
                history.size(), lastSeen, retried.size());

        // presence: the one who did not come back is gone within 30 s, the others are online
        watched.nextMatching(event -> isPresence(event, "LEAVE", bystander.nickname()), Duration.ofSeconds(30));
        assertThat(new ParleyApi(this.b.port()).onlineUsers(room)).containsExactlyInAnyOrder(watcher.nickname(),
                writerA.nickname(), writerC.nickname(), reader.nickname());
    }

    /** Sends {@code prefix<n>} five times a second, under the default rate limit, until told or cut off. */
    private static Thread traffic(StompTestClient client, String room, String prefix, AtomicBoolean sending,
            AtomicInteger sent) {
        Thread thread = new Thread(() -> {
            while (sending.get()) {
                int n = sent.get();
                try {
                    client.send(send(room), Map.of("text", "#" + n, "clientId", prefix + n));
                }
                catch (RuntimeException ex) {
                    return; // the instance died under it
                }
                sent.incrementAndGet();
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(200));
            }
        }, "traffic-" + prefix);
        thread.setDaemon(true);
        thread.start();
        return thread;
    }

    private static boolean isMessage(JsonNode event) {
        return "MESSAGE".equals(event.path("type").asString());
    }

    private static boolean isPresence(JsonNode event, String type, String nickname) {
        return type.equals(event.path("type").asString()) && nickname.equals(event.path("user").asString());
    }

    /** The MESSAGE events waiting in {@code subscription}, taken. */
    private static List<JsonNode> drain(Subscription subscription) {
        List<JsonNode> messages = new ArrayList<>();
        JsonNode event;
        while ((event = subscription.messages().poll()) != null) {
            if (isMessage(event)) {
                messages.add(event);
            }
        }
        return messages;
    }

    private static List<Long> ids(int count) {
        List<Long> ids = new ArrayList<>();
        for (long id = 1; id <= count; id++) {
            ids.add(id);
        }
        return ids;
    }
}
