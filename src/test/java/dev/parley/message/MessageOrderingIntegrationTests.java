package dev.parley.message;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import java.util.stream.LongStream;

import dev.parley.support.ParleyApi.Claim;
import dev.parley.support.ParleyApi;
import dev.parley.support.StompTestClient.Subscription;
import dev.parley.support.StompTestClient.Transport;
import dev.parley.support.StompTestClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;

import static dev.parley.support.Destinations.ERRORS;
import static dev.parley.support.Destinations.join;
import static dev.parley.support.Destinations.send;
import static dev.parley.support.Destinations.topic;
import static dev.parley.support.ParleyApi.uniqueName;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Contract section 5 under load: many connections posting at once into one room, with the rate
 * limit raised out of the way. Every subscriber sees the room's ids 1..n exactly once and in
 * order, each connection's messages are stored in the order it sent them, and history returns
 * the same messages.
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT,
        properties = { "spring.datasource.url=jdbc:sqlite:target/test-db/parley-bulk-${random.uuid}.db",
                "chat.rate-limit.burst=100000", "chat.rate-limit.per-second=100000" })
class MessageOrderingIntegrationTests {

    private static final int SENDERS = 8;

    private static final int MESSAGES_PER_SENDER = 100;

    private static final int TOTAL = SENDERS * MESSAGES_PER_SENDER;

    private static final Transport[] SENDER_TRANSPORTS = { Transport.WEBSOCKET, Transport.SOCKJS_WEBSOCKET,
            Transport.SOCKJS_XHR_STREAMING, Transport.SOCKJS_XHR_POLLING };

    private static final Transport[] SUBSCRIBER_TRANSPORTS = { Transport.WEBSOCKET, Transport.SOCKJS_XHR_STREAMING,
            Transport.SOCKJS_XHR_POLLING };

    @LocalServerPort
    int port;

    @AfterEach
    void closeClients() {
        StompTestClient.closeAll();
    }

    @Test
    void concurrentSendersAreSeenByEverySubscriberInIdOrderWithEachSendersOrderKept() throws Exception {
        ParleyApi api = new ParleyApi(this.port);
        String room = uniqueName("busy");

        List<Subscription> subscribers = new ArrayList<>();
        for (Transport transport : SUBSCRIBER_TRANSPORTS) {
            StompTestClient watcher = StompTestClient.connect(this.port, transport, api.claim(uniqueName("watcher")));
            subscribers.add(watcher.subscribe(topic(room)));
        }

        List<StompTestClient> senders = new ArrayList<>();
        List<Subscription> senderErrors = new ArrayList<>();
        List<String> senderNames = new ArrayList<>();
        for (int s = 0; s < SENDERS; s++) {
            Claim claim = api.claim(uniqueName("sender" + s));
            StompTestClient sender = StompTestClient.connect(this.port, SENDER_TRANSPORTS[s % SENDER_TRANSPORTS.length],
                    claim);
            senderErrors.add(sender.subscribe(ERRORS));
            sender.send(join(room), Map.of());
            senders.add(sender);
            senderNames.add(claim.nickname());
        }

        ExecutorService pool = Executors.newFixedThreadPool(SENDERS);
        try {
            CountDownLatch start = new CountDownLatch(1);
            List<CompletableFuture<Void>> sending = new ArrayList<>();
            for (int s = 0; s < SENDERS; s++) {
                StompTestClient sender = senders.get(s);
                int senderIndex = s;
                sending.add(CompletableFuture.runAsync(() -> {
                    awaitQuietly(start);
                    for (int seq = 0; seq < MESSAGES_PER_SENDER; seq++) {
                        sender.send(send(room),
                                Map.of("text", senderIndex + ":" + seq, "clientId", "s" + senderIndex + "-" + seq));
                    }
                }, pool));
            }
            start.countDown();
            CompletableFuture.allOf(sending.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
        }
        finally {
            pool.shutdownNow();
        }

        List<List<JsonNode>> seen = new ArrayList<>();
        for (Subscription subscriber : subscribers) {
            seen.add(messages(subscriber, TOTAL));
        }

        List<Long> expectedIds = LongStream.rangeClosed(1, TOTAL).boxed().toList();
        for (int i = 0; i < subscribers.size(); i++) {
            List<JsonNode> messages = seen.get(i);
            assertThat(ids(messages)).as("ids seen by %s", subscribers.get(i)).isEqualTo(expectedIds);
            assertEachSendersOrderIsKept(messages, senderNames);
        }
        for (int i = 1; i < subscribers.size(); i++) {
            assertThat(seen.get(i)).as("%s saw what %s saw", subscribers.get(i), subscribers.get(0))
                .isEqualTo(seen.get(0));
        }
        for (Subscription errors : senderErrors) {
            assertThat(errors.messages()).as("errors of %s", errors).isEmpty();
        }

        List<JsonNode> history = new ArrayList<>();
        long after = 0;
        while (true) {
            ParleyApi.Response response = api.get("/api/rooms/" + room + "/messages?after=" + after + "&limit=200");
            assertThat(response.status()).as(response.body()).isEqualTo(200);
            List<JsonNode> page = List.copyOf(response.json().values());
            history.addAll(page);
            if (page.size() < 200) {
                break;
            }
            after = page.get(page.size() - 1).path("id").asLong();
        }
        assertThat(history).as("history, paged by 200").isEqualTo(seen.get(0));
    }

    @Test
    void concurrentRetriesOfTheSameClientIdsAreStoredOnceWithoutGaps() throws Exception {
        ParleyApi api = new ParleyApi(this.port);
        String room = uniqueName("retries");
        int count = 100;
        Claim claim = api.claim(uniqueName("alice"));
        StompTestClient watcher = StompTestClient.connect(this.port, Transport.WEBSOCKET, api.claim(uniqueName("watcher")));
        Subscription topic = watcher.subscribe(topic(room));
        List<StompTestClient> tabs = new ArrayList<>();
        List<Subscription> tabErrors = new ArrayList<>();
        for (Transport transport : List.of(Transport.WEBSOCKET, Transport.SOCKJS_WEBSOCKET, Transport.WEBSOCKET)) {
            StompTestClient tab = StompTestClient.connect(this.port, transport, claim);
            tabErrors.add(tab.subscribe(ERRORS));
            tab.send(join(room), Map.of());
            tabs.add(tab);
        }

        ExecutorService pool = Executors.newFixedThreadPool(tabs.size());
        try {
            CountDownLatch start = new CountDownLatch(1);
            List<CompletableFuture<Void>> sending = new ArrayList<>();
            for (StompTestClient tab : tabs) {
                sending.add(CompletableFuture.runAsync(() -> {
                    awaitQuietly(start);
                    for (int i = 0; i < count; i++) {
                        tab.send(send(room), Map.of("text", "retry " + i, "clientId", "same-" + i));
                    }
                }, pool));
            }
            start.countDown();
            CompletableFuture.allOf(sending.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
        }
        finally {
            pool.shutdownNow();
        }
        // every tab's frames are handled in order: a marker sent last by each tab comes after its retries
        for (int t = 0; t < tabs.size(); t++) {
            tabs.get(t).send(send(room), Map.of("text", "marker " + t));
        }

        List<JsonNode> messages = messages(topic, count + tabs.size());
        assertThat(ids(messages)).isEqualTo(LongStream.rangeClosed(1, count + tabs.size()).boxed().toList());
        List<String> clientIds = messages.stream()
            .filter((message) -> !message.path("clientId").isNull())
            .map((message) -> message.path("clientId").asString())
            .toList();
        assertThat(clientIds).hasSize(count).doesNotHaveDuplicates();
        for (Subscription errors : tabErrors) {
            assertThat(errors.messages()).as("no error for a retry").isEmpty();
        }
    }

    /** The next {@code count} MESSAGE events, skipping JOIN and the like. */
    private static List<JsonNode> messages(Subscription subscription, int count) {
        List<JsonNode> messages = new ArrayList<>(count);
        while (messages.size() < count) {
            JsonNode event = subscription.next(Duration.ofSeconds(30));
            if (event.path("type").asString().equals("MESSAGE")) {
                messages.add(event);
            }
        }
        return messages;
    }

    private static void assertEachSendersOrderIsKept(List<JsonNode> messages, List<String> senderNames) {
        Map<String, List<Integer>> sequences = new LinkedHashMap<>();
        for (JsonNode message : messages) {
            String[] parts = message.path("text").asString().split(":");
            String sender = senderNames.get(Integer.parseInt(parts[0]));
            assertThat(message.path("sender").asString()).as("%s", message).isEqualTo(sender);
            assertThat(message.path("clientId").asString()).isEqualTo("s" + parts[0] + "-" + parts[1]);
            sequences.computeIfAbsent(sender, (key) -> new ArrayList<>()).add(Integer.parseInt(parts[1]));
        }
        List<Integer> expected = IntStream.range(0, MESSAGES_PER_SENDER).boxed().toList();
        assertThat(sequences.keySet()).containsExactlyInAnyOrderElementsOf(senderNames);
        sequences.forEach((sender, sequence) -> assertThat(sequence).as("messages of %s in order", sender)
            .isEqualTo(expected));
    }

    private static List<Long> ids(List<JsonNode> messages) {
        return messages.stream().map((message) -> message.path("id").asLong()).toList();
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await(10, TimeUnit.SECONDS);
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
        }
    }
}
