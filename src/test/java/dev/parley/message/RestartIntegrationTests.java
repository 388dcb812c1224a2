package dev.parley.message;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import dev.parley.ParleyApplication;
import dev.parley.support.ClusterServices;
import dev.parley.support.IntegrationProfile;
import dev.parley.support.ParleyApi.Claim;
import dev.parley.support.ParleyApi;
import dev.parley.support.StompTestClient.Subscription;
import dev.parley.support.StompTestClient.Transport;
import dev.parley.support.StompTestClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

import static dev.parley.support.Destinations.ERRORS;
import static dev.parley.support.Destinations.join;
import static dev.parley.support.Destinations.send;
import static dev.parley.support.Destinations.topic;
import static dev.parley.support.ParleyApi.uniqueName;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * What a restart keeps (contract sections 2, 4, 5 and 9): the real application is started on a
 * file database (in the cluster profile: on a PostgreSQL database and Redis key prefix of the
 * class's own), used, stopped, and started again on the same store. History keeps its ids,
 * claims keep their tokens, the id sequence continues, and a {@code clientId} used before the
 * restart is still recognised.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RestartIntegrationTests {

    private static final int FIRST_RUN_MESSAGES = 3;

    @TempDir
    static Path dataDirectory;

    /** The store of both runs in the cluster profile; null in the default run. */
    private static ClusterServices services;

    private String room;

    private Claim alice;

    /** The MESSAGE events of the first run, as broadcast. */
    private List<JsonNode> firstRun;

    /** The application after the restart. */
    private ConfigurableApplicationContext restarted;

    private int port;

    private ParleyApi api;

    @BeforeAll
    void runOnceThenRestart() {
        if (IntegrationProfile.cluster()) {
            services = new ClusterServices();
        }
        this.room = uniqueName("restart");
        ConfigurableApplicationContext first = start();
        try {
            int firstPort = port(first);
            this.alice = new ParleyApi(firstPort).claim(uniqueName("alice"));
            StompTestClient client = StompTestClient.connect(firstPort, Transport.WEBSOCKET, this.alice);
            Subscription topic = client.subscribe(topic(this.room));
            client.send(join(this.room), Map.of());
            for (int i = 1; i <= FIRST_RUN_MESSAGES; i++) {
                client.send(send(this.room), Map.of("text", "before restart " + i, "clientId", "first-run-" + i));
            }
            List<JsonNode> messages = new ArrayList<>();
            for (int i = 1; i <= FIRST_RUN_MESSAGES; i++) {
                messages.add(topic.nextMatching(RestartIntegrationTests::isMessage));
            }
            this.firstRun = List.copyOf(messages);
            client.disconnect();
        }
        finally {
            first.close();
        }
        this.restarted = start();
        this.port = port(this.restarted);
        this.api = new ParleyApi(this.port);
    }

    @AfterEach
    void closeClients() {
        StompTestClient.closeAll();
    }

    @AfterAll
    void stop() {
        if (this.restarted != null) {
            this.restarted.close();
        }
        if (services != null) {
            services.close();
        }
    }

    @Test
    void historyIsKeptWithTheSameIds() {
        assertThat(ids(this.firstRun)).containsExactly(1L, 2L, 3L);

        List<JsonNode> history = messages("?after=0&limit=" + FIRST_RUN_MESSAGES);

        assertThat(history).isEqualTo(this.firstRun);
    }

    @Test
    void claimedTokenStillConnects() {
        StompTestClient client = StompTestClient.connect(this.port, Transport.SOCKJS_WEBSOCKET, this.alice);
        Subscription topic = client.subscribe(topic(this.room));
        client.send(join(this.room), Map.of());

        JsonNode join = topic.nextMatching((event) -> event.path("type").asString().equals("JOIN"));
        assertThat(join.path("user").asString()).isEqualTo(this.alice.nickname());
    }

    @Test
    void claimStillConflicts() {
        for (String again : List.of(this.alice.nickname(), this.alice.nickname().toUpperCase())) {
            ParleyApi.Response response = this.api.post("/api/nicknames", Map.of("nickname", again));

            assertThat(response.status()).as("claim %s: %s", again, response.body()).isEqualTo(409);
        }
    }

    @Test
    void newMessageGetsTheNextId() {
        long lastId = lastId();
        StompTestClient client = StompTestClient.connect(this.port, Transport.WEBSOCKET, this.alice);
        Subscription topic = client.subscribe(topic(this.room));
        client.send(join(this.room), Map.of());

        client.send(send(this.room), Map.of("text", "after restart"));

        JsonNode message = topic.nextMatching(RestartIntegrationTests::isMessage);
        assertThat(message.path("text").asString()).isEqualTo("after restart");
        assertThat(message.path("id").asLong()).isEqualTo(lastId + 1);
        assertThat(lastId()).isEqualTo(lastId + 1);
    }

    @Test
    void clientIdUsedBeforeTheRestartIsNotStoredAgain() {
        long lastId = lastId();
        StompTestClient client = StompTestClient.connect(this.port, Transport.WEBSOCKET, this.alice);
        Subscription topic = client.subscribe(topic(this.room));
        Subscription errors = client.subscribe(ERRORS);
        client.send(join(this.room), Map.of());

        client.send(send(this.room), Map.of("text", "before restart 1", "clientId", "first-run-1"));
        client.send(send(this.room), Map.of("text", "marker"));

        List<JsonNode> seen = topic.takeUntil((event) -> isMessage(event)
                && event.path("text").asString().equals("marker"));
        List<JsonNode> messages = seen.stream().filter(RestartIntegrationTests::isMessage).toList();
        assertThat(messages).hasSize(1);
        assertThat(messages.get(0).path("id").asLong()).isEqualTo(lastId + 1);
        assertThat(errors.messages()).isEmpty();
        long stored = messages("?after=0&limit=200").stream()
            .filter((message) -> message.path("clientId").asString("").equals("first-run-1"))
            .count();
        assertThat(stored).isEqualTo(1);
    }

    @Test
    void roomListStillCountsTheMessages() {
        ParleyApi.Response response = this.api.get("/api/rooms?prefix=" + this.room);
        assertThat(response.status()).isEqualTo(200);
        JsonNode summary = response.json().values().stream()
            .filter((room) -> room.path("name").asString().equals(this.room))
            .findFirst()
            .orElseThrow(() -> new AssertionError("room missing from " + response.body()));
        List<JsonNode> latest = messages("?limit=1");

        assertThat(summary.path("messages").asLong()).isEqualTo(latest.get(0).path("id").asLong());
        assertThat(summary.path("lastMessageAt").asString()).isEqualTo(latest.get(0).path("sentAt").asString());
    }

    // ------------------------------------------------------------------ helpers

    private static ConfigurableApplicationContext start() {
        List<String> arguments = new ArrayList<>(List.of("--server.port=0"));
        if (services != null) {
            arguments.addAll(services.arguments());
        }
        else {
            arguments.add("--spring.datasource.url=jdbc:sqlite:" + dataDirectory.toAbsolutePath() + "/parley.db");
        }
        return new SpringApplicationBuilder(ParleyApplication.class).run(arguments.toArray(String[]::new));
    }

    private static int port(ConfigurableApplicationContext context) {
        String port = context.getEnvironment().getProperty("local.server.port");
        assertThat(port).as("local.server.port").isNotNull();
        return Integer.parseInt(port);
    }

    private List<JsonNode> messages(String query) {
        ParleyApi.Response response = this.api.get("/api/rooms/" + this.room + "/messages" + query);
        assertThat(response.status()).as(response.body()).isEqualTo(200);
        return List.copyOf(response.json().values());
    }

    private long lastId() {
        List<JsonNode> latest = messages("?limit=1");
        return latest.isEmpty() ? 0 : latest.get(0).path("id").asLong();
    }

    private static boolean isMessage(JsonNode event) {
        return event.path("type").asString().equals("MESSAGE");
    }

    private static List<Long> ids(List<JsonNode> messages) {
        return messages.stream().map((message) -> message.path("id").asLong()).toList();
    }
}
