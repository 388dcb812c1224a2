package dev.parley.cluster;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import tools.jackson.databind.JsonNode;

import dev.parley.support.ParleyApi;
import dev.parley.support.ParleyApi.Claim;
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
 * The README's load balancer, {@code deploy/nginx.conf} as committed, in front of two instances
 * (only its ports and temporary paths changed to this test's): every transport works through
 * it, SockJS's HTTP transports stay on one instance for a session's many requests, and
 * connections spread over both instances; with the instances trusting the balancer's forwarded
 * headers, as the README's "Behind a proxy" says (a WebSocket handshake is then checked against
 * the scheme and port the balancer forwards). Needs Debian's nginx ({@code apt-get install
 * nginx-light}, which {@code .ci/run} does).
 */
class LoadBalancerClusterTests extends TwoInstances {

    private static final Path CONFIG = Path.of("deploy/nginx.conf");

    private Process nginx;

    private int port;

    /** As the README's "Behind a proxy" says: the instances believe the balancer's forwarded headers. */
    @Override
    protected String[] instanceArguments() {
        return new String[] { "--server.forward-headers-strategy=native" };
    }

    @BeforeAll
    void startLoadBalancer() throws Exception {
        Path nginxBinary = Path.of("/usr/sbin/nginx");
        assertThat(nginxBinary).as("nginx: apt-get install nginx-light").isExecutable();
        this.port = freePort();
        Path directory = Files.createTempDirectory("parley-nginx");
        String config = Files.readString(CONFIG)
            .replace("127.0.0.1:8081", "127.0.0.1:" + this.a.port())
            .replace("127.0.0.1:8082", "127.0.0.1:" + this.b.port())
            .replace("listen 127.0.0.1:8080", "listen 127.0.0.1:" + this.port)
            .replace("/tmp/parley-nginx", directory + "/nginx");
        Path file = directory.resolve("nginx.conf");
        Files.writeString(file, config);
        this.nginx = new ProcessBuilder(nginxBinary.toString(), "-p", directory.toString(), "-c", file.toString(), "-g",
                "daemon off;")
            .redirectErrorStream(true)
            .redirectOutput(directory.resolve("nginx.log").toFile())
            .start();
        await().atMost(Duration.ofSeconds(10)).ignoreExceptions().until(() -> {
            assertThat(this.nginx.isAlive()).as("nginx: %s", Files.readString(directory.resolve("nginx.log"))).isTrue();
            return new ParleyApi(this.port).get("/actuator/health").status() == 200;
        });
    }

    @AfterAll
    void stopLoadBalancer() throws InterruptedException {
        if (this.nginx != null) {
            this.nginx.destroy();
            this.nginx.waitFor(10, TimeUnit.SECONDS);
        }
    }

    @ParameterizedTest
    @EnumSource(Transport.class)
    void everyTransportWorksThroughTheLoadBalancer(Transport transport) {
        String room = uniqueName("lb");
        ParleyApi api = new ParleyApi(this.port);
        Claim alice = api.claim(uniqueName("alice"));
        Claim bob = api.claim(uniqueName("bob"));
        StompTestClient aliceClient = StompTestClient.connect(this.port, transport, alice);
        Subscription aliceSees = aliceClient.subscribe(topic(room));
        aliceClient.send(join(room), Map.of());
        StompTestClient bobClient = StompTestClient.connect(this.port, transport, bob);
        Subscription bobSees = bobClient.subscribe(topic(room));
        bobClient.send(join(room), Map.of());
        // many requests of one SockJS session (polls, sends): all must reach the same instance
        for (int i = 0; i < 5; i++) {
            aliceClient.send(send(room), Map.of("text", "hello " + i));
            assertThat(bobSees.nextMatching(LoadBalancerClusterTests::isMessage).path("text").asString())
                .isEqualTo("hello " + i);
            assertThat(aliceSees.nextMatching(LoadBalancerClusterTests::isMessage).path("text").asString())
                .isEqualTo("hello " + i);
        }
    }

    @Test
    void connectionsSpreadOverBothInstances() {
        String room = uniqueName("spread");
        ParleyApi api = new ParleyApi(this.port);
        for (int i = 0; i < 12; i++) {
            Claim user = api.claim(uniqueName("user"));
            StompTestClient.connect(this.port, Transport.WEBSOCKET, user).send(join(room), Map.of());
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> api.onlineUsers(room).size() == 12);
        List<Integer> perInstance = List.of(connections(this.a.port()), connections(this.b.port()));
        assertThat(perInstance).as("WebSocket connections on A and B").allMatch(count -> count > 0);
    }

    private static int connections(int port) {
        JsonNode stats = new ParleyApi(port).get("/actuator/metrics/parley.connections").json();
        return stats.path("measurements").get(0).path("value").asInt();
    }

    private static boolean isMessage(JsonNode event) {
        return "MESSAGE".equals(event.path("type").asString());
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
