package dev.parley.message;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

import dev.parley.support.ParleyApi.Claim;
import dev.parley.support.EmbeddedStoreOnly;
import dev.parley.support.ParleyApi;
import dev.parley.support.ServerProcess;
import dev.parley.support.StompTestClient.Subscription;
import dev.parley.support.StompTestClient.Transport;
import dev.parley.support.StompTestClient;

import static dev.parley.support.Destinations.join;
import static dev.parley.support.Destinations.send;
import static dev.parley.support.Destinations.topic;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The echo means durable (contract section 5), tested the way it breaks: the packaged
 * application runs as a process of its own on a data directory, senders post into one room
 * continuously while nicknames are claimed, and the process is killed with SIGKILL at a random
 * moment. Started again on the same directory, it must have every message that anyone received,
 * with the same id, text and sender, continue at the next id, and accept every token it granted.
 * Several rounds on one directory, so that each start also opens a file left by a kill.
 */
@EmbeddedStoreOnly("SQLite's file after SIGKILL; the cluster's PostgreSQL has CrashClusterTests, this test on it")
public class CrashIntegrationTests {

    private static final int ROUNDS = 3;

    private static final int SENDERS = 4;

    /** The claims granted last before a kill whose tokens are tried after the restart. */
    private static final int CLAIMS_TRIED = 20;

    private static final String ROOM = "crash";

    @TempDir
    Path dataDirectory;

    private final Random random = new Random();

    private final List<Thread> threads = new ArrayList<>();

    /** The instance running now, closed after the test whatever it asserted. */
    private ServerProcess server;

    @AfterEach
    void closeClientsAndServer() throws InterruptedException {
        StompTestClient.closeAll();
        if (this.server != null) {
            this.server.close();
        }
        for (Thread thread : this.threads) {
            thread.join(TimeUnit.SECONDS.toMillis(10));
        }
    }

    @Test
    void everyEchoedMessageAndGrantedClaimSurvivesSigkill() throws Exception {
        Path jar = ServerProcess.jar()
            .orElseThrow(() -> new IllegalStateException("the packaged jar is needed: run mvn verify"));
        Map<Long, JsonNode> received = new ConcurrentHashMap<>();
        List<Claim> granted = new CopyOnWriteArrayList<>();
        for (int round = 1; round <= ROUNDS; round++) {
            ServerProcess server = start(jar);
            if (round > 1) {
                assertSurvived(server, received, granted);
            }
            granted.clear();
            long killAfterMillis = 300 + this.random.nextInt(1500);
            System.out.printf("crash round %d: kill after %d ms of traffic%n", round, killAfterMillis);
            runUntilKilled(server, round, killAfterMillis, received, granted);
        }
        try (ServerProcess server = start(jar)) {
            assertSurvived(server, received, granted);
        }
    }

    private ServerProcess start(Path jar) {
        this.server = startServer(jar, "--chat.rate-limit.burst=1000000", "--chat.rate-limit.per-second=1000000");
        return this.server;
    }

    /**
     * Starts the jar on the store that survives the rounds: here SQLite in a directory of the
     * test's; the cluster's variant, PostgreSQL.
     */
    protected ServerProcess startServer(Path jar, String... arguments) {
        List<String> all = new ArrayList<>(List.of("--spring.datasource.url=jdbc:sqlite:"
                + this.dataDirectory.resolve("parley.db")));
        all.addAll(List.of(arguments));
        return ServerProcess.start(jar, all.toArray(String[]::new));
    }

    /**
     * Senders post and claims are made until the kill; what reached any subscriber is recorded
     * in {@code received}, every claim answered 201 in {@code granted}.
     */
    private void runUntilKilled(ServerProcess server, int round, long killAfterMillis, Map<Long, JsonNode> received,
            List<Claim> granted) throws Exception {
        ParleyApi api = new ParleyApi(server.port());
        AtomicBoolean killed = new AtomicBoolean();
        List<Subscription> subscriptions = new ArrayList<>();
        List<StompTestClient> clients = new ArrayList<>();
        for (int i = 0; i < SENDERS; i++) {
            Claim claim = api.claim(ParleyApi.uniqueName("s" + i));
            Transport transport = (i % 2 == 0) ? Transport.WEBSOCKET : Transport.SOCKJS_XHR_STREAMING;
            StompTestClient client = StompTestClient.connect(server.port(), transport, claim);
            subscriptions.add(client.subscribe(topic(ROOM)));
            client.send(join(ROOM), Map.of());
            clients.add(client);
        }
        for (int i = 0; i < SENDERS; i++) {
            StompTestClient client = clients.get(i);
            String prefix = "round " + round + " sender " + i + " #";
            start(() -> {
                for (int n = 0; !killed.get(); n++) {
                    try {
                        client.send(send(ROOM), Map.of("text", prefix + n, "clientId", "r" + round + "-" + n));
                    }
                    catch (RuntimeException ex) {
                        return; // the server died
                    }
                    // about 1,000 messages a second per sender: a busy room, not a flood
                    LockSupport.parkNanos(1_000_000);
                }
            });
        }
        CountDownLatch claiming = new CountDownLatch(1);
        start(() -> {
            for (int n = 0; !killed.get(); n++) {
                try {
                    ParleyApi.Response response = api.post("/api/nicknames", Map.of("nickname", "c" + round + "x" + n));
                    if (response.status() == 201) {
                        granted.add(new Claim(response.json().path("nickname").asString(),
                                response.json().path("token").asString()));
                        claiming.countDown();
                    }
                }
                catch (RuntimeException | AssertionError ex) {
                    return; // the server died
                }
            }
        });
        assertThat(claiming.await(30, TimeUnit.SECONDS)).as("a first claim granted").isTrue();
        // the kill comes at a random moment, whatever the traffic is doing
        Thread.sleep(killAfterMillis);
        server.kill();
        killed.set(true);
        // every frame that reached a client before the kill has been read once its connection ended
        for (StompTestClient client : clients) {
            client.awaitClosed(Duration.ofSeconds(20));
        }
        for (Subscription subscription : subscriptions) {
            for (JsonNode event : subscription.messages()) {
                if ("MESSAGE".equals(event.path("type").asString())) {
                    JsonNode earlier = received.putIfAbsent(event.path("id").asLong(), event);
                    if (earlier != null) {
                        assertThat(event).as("the same id received twice").isEqualTo(earlier);
                    }
                }
            }
        }
        System.out.printf("crash round %d: %d messages received in all, %d claims granted this round%n", round,
                received.size(), granted.size());
        assertThat(received).as("messages echoed before the kill in round %d", round).isNotEmpty();
        StompTestClient.closeAll();
    }

    private void assertSurvived(ServerProcess server, Map<Long, JsonNode> received, List<Claim> granted) {
        ParleyApi api = new ParleyApi(server.port());
        List<JsonNode> history = api.history(ROOM, 0);
        for (int i = 0; i < history.size(); i++) {
            assertThat(history.get(i).path("id").asLong()).as("ids without a gap").isEqualTo(i + 1);
        }
        Map<Long, JsonNode> stored = new ConcurrentHashMap<>();
        history.forEach(message -> stored.put(message.path("id").asLong(), message));
        List<Long> missing = received.keySet().stream().filter(id -> !stored.containsKey(id)).sorted().toList();
        assertThat(missing).as("ids received before the kill, missing after the restart (of %d received)",
                received.size()).isEmpty();
        for (JsonNode message : received.values()) {
            long id = message.path("id").asLong();
            JsonNode kept = stored.get(id);
            assertThat(kept.path("text").asString()).as("text of %d", id).isEqualTo(message.path("text").asString());
            assertThat(kept.path("sender").asString()).as("sender of %d", id).isEqualTo(message.path("sender").asString());
            assertThat(kept.path("clientId").asString()).as("clientId of %d", id)
                .isEqualTo(message.path("clientId").asString());
        }
        // the last claims before the kill are the ones at risk
        List<Claim> tried = granted.subList(Math.max(0, granted.size() - CLAIMS_TRIED), granted.size());
        for (Claim claim : tried) {
            try (StompTestClient client = StompTestClient.connect(server.port(), Transport.WEBSOCKET, claim)) {
                assertThat(client.isConnected()).as("%s connects with its token", claim.nickname()).isTrue();
            }
        }
        Claim next = api.claim(ParleyApi.uniqueName("next"));
        try (StompTestClient client = StompTestClient.connect(server.port(), Transport.WEBSOCKET, next)) {
            Subscription subscription = client.subscribe(topic(ROOM));
            client.send(join(ROOM), Map.of());
            client.send(send(ROOM), Map.of("text", "after the restart"));
            JsonNode echo = subscription.nextMatching(event -> "MESSAGE".equals(event.path("type").asString()));
            assertThat(echo.path("id").asLong()).as("the next id after the stored ones").isEqualTo(history.size() + 1);
            received.put(echo.path("id").asLong(), echo);
        }
        System.out.printf("crash restart: %d stored, %d received all present, %d claims connect%n", history.size(),
                received.size() - 1, tried.size());
    }

    private void start(Runnable task) {
        Thread thread = new Thread(task, "crash-traffic");
        thread.setDaemon(true);
        this.threads.add(thread);
        thread.start();
    }
}
