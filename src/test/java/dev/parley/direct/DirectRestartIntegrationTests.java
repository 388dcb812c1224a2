package dev.parley.direct;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

import dev.parley.ParleyApplication;
import dev.parley.support.ClusterServices;
import dev.parley.support.IntegrationProfile;
import dev.parley.support.ParleyApi;
import dev.parley.support.ParleyApi.Claim;
import dev.parley.support.StompTestClient;
import dev.parley.support.StompTestClient.Subscription;
import dev.parley.support.StompTestClient.Transport;

import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

import static dev.parley.direct.DirectApi.QUEUE;
import static dev.parley.direct.DirectApi.send;
import static dev.parley.direct.DirectMessagingIntegrationTests.ids;
import static dev.parley.direct.DirectMessagingIntegrationTests.isDirect;
import static dev.parley.support.ParleyApi.uniqueName;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * What a restart keeps of private conversations (contract sections 9 and 10), as
 * {@code RestartIntegrationTests} for rooms: the application on a file database (in the cluster
 * profile, a PostgreSQL database and Redis key prefix of the class's own), used, stopped and
 * started again. The conversation keeps its messages and ids, the list its entry, the sequence
 * continues, a {@code clientId} used before is still recognised, and the tokens still read.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DirectRestartIntegrationTests {

    @TempDir
    static Path dataDirectory;

    private static ClusterServices services;

    private Claim alice;

    private Claim bob;

    private List<JsonNode> firstRun;

    private ConfigurableApplicationContext restarted;

    private int port;

    @BeforeAll
    void runOnceThenRestart() {
        if (IntegrationProfile.cluster()) {
            services = new ClusterServices();
        }
        ConfigurableApplicationContext first = start();
        try {
            int firstPort = port(first);
            ParleyApi api = new ParleyApi(firstPort);
            this.alice = api.claim(uniqueName("alice"));
            this.bob = api.claim(uniqueName("bob"));
            StompTestClient client = StompTestClient.connect(firstPort, Transport.WEBSOCKET, this.alice);
            Subscription queue = client.subscribe(QUEUE);
            for (int i = 1; i <= 3; i++) {
                client.send(send(this.bob.nickname()), Map.of("text", "before " + i, "clientId", "first-" + i));
            }
            List<JsonNode> seen = new ArrayList<>();
            while (seen.size() < 3) {
                seen.add(queue.nextMatching(event -> "DIRECT".equals(event.path("type").asString())));
            }
            this.firstRun = List.copyOf(seen);
            client.disconnect();
        }
        finally {
            first.close();
        }
        this.restarted = start();
        this.port = port(this.restarted);
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
    void theConversationIsKeptWithItsIdsAndListed() {
        DirectApi direct = new DirectApi(this.port);

        assertThat(ids(this.firstRun)).containsExactly(1L, 2L, 3L);
        assertThat(direct.history(this.bob, this.alice.nickname(), 0).subList(0, 3)).isEqualTo(this.firstRun);
        JsonNode list = direct.conversations(this.bob);
        assertThat(list.get(0).path("with").asString()).isEqualTo(this.alice.nickname());
    }

    @Test
    void theSequenceContinuesAndAClientIdFromBeforeIsNotStoredAgain() {
        DirectApi direct = new DirectApi(this.port);
        long last = direct.history(this.alice, this.bob.nickname(), 0).size();
        StompTestClient client = StompTestClient.connect(this.port, Transport.SOCKJS_WEBSOCKET, this.bob);
        Subscription queue = client.subscribe(QUEUE);

        client.send(send(this.alice.nickname()), Map.of("text", "after"));
        StompTestClient.connect(this.port, Transport.WEBSOCKET, this.alice)
            .send(send(this.bob.nickname()), Map.of("text", "before 1", "clientId", "first-1"));
        client.send(send(this.alice.nickname()), Map.of("text", "marker"));

        List<JsonNode> seen = queue.takeUntil(isDirect("marker"));
        assertThat(ids(seen)).containsExactly(last + 1, last + 2);
        assertThat(seen.get(0).path("text").asString()).isEqualTo("after");
    }

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
        return Integer.parseInt(context.getEnvironment().getProperty("local.server.port"));
    }
}
