package dev.parley.delivery;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import dev.parley.delivery.session.ClientSessionDecorator;
import dev.parley.support.ParleyApi;
import dev.parley.support.ServerProcess;
import dev.parley.support.ServerSockets;
import dev.parley.support.StompTestClient.Subscription;
import dev.parley.support.StompTestClient.Transport;
import dev.parley.support.StompTestClient;

import static dev.parley.support.Destinations.join;
import static dev.parley.support.Destinations.send;
import static dev.parley.support.Destinations.topic;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Connections that come and go over every transport, as a busy server sees them all day: each
 * connects, joins a room, posts and waits for its echo, then leaves with a DISCONNECT or by
 * dropping its connections. Afterwards the server holds nothing of them: nobody online, no
 * connection object, no socket in CLOSE_WAIT, and its heap after a full GC where it was.
 * <p>
 * The server is the application's jar in a process of its own ({@link ServerProcess}), in the
 * profile the integration tests run in: in a JVM shared with the test, the test's clients would
 * count in the heap. Skipped when there is no
 * jar (tests run before {@code mvn package}). {@code -Dchurn.connects=N} runs a longer churn than
 * CI's (default {@value #DEFAULT_CONNECTS}); {@code -Dchurn.transports=WEBSOCKET,...} limits it.
 */
class ConnectionChurnIntegrationTests {

    private static final int DEFAULT_CONNECTS = 240;

    private static final int CONNECTS = Integer.getInteger("churn.connects", DEFAULT_CONNECTS);

    private static final int WORKERS = 8;

    private static final List<Transport> TRANSPORTS = System.getProperty("churn.transports") == null
            ? List.of(Transport.values())
            : Arrays.stream(System.getProperty("churn.transports").split(",")).map(Transport::valueOf).toList();

    /**
     * How far the server's heap after a full GC may grow over a churn: its caches of names and
     * destinations and its database's pages for the messages posted stay within this.
     */
    private static final long HEAP_SLACK_BYTES = 8L * 1024 * 1024;

    /** Parley's connection objects, one per open connection (by reference: a stale name counts none). */
    private static final String CONNECTIONS = ClientSessionDecorator.class.getName();

    /**
     * Spring's SockJS sessions over HTTP: a closed one stays in Spring's session map, with the
     * frames it still held, until Spring's cleanup removes it once it has been without a request
     * for the disconnect delay (checked every disconnect delay).
     */
    private static final List<String> HTTP_SOCKJS_SESSIONS = List.of("PollingSockJsSession",
            "XhrStreamingSockJsSession");

    /**
     * The slowest way to leave (a closed xhr-polling connection, see
     * HttpSessionLivenessIntegrationTests), then the slowest removal of a closed SockJS session.
     */
    private static final Duration GONE_BOUND = Duration.ofSeconds(30);

    private static ServerProcess server;

    private static ParleyApi api;

    private int port;

    @BeforeAll
    static void startServer() {
        Optional<Path> jar = ServerProcess.jar();
        assumeTrue(jar.isPresent(), "no application jar in target/: run mvn verify");
        // each worker is one nickname that connects again while the connections it dropped are
        // still being found gone (an xhr-polling one takes up to 16 s): more than 20 at once
        server = ServerProcess.startInIntegrationProfile(jar.get(), "--chat.rate-limit.burst=1000000",
                "--chat.rate-limit.per-second=1000000", "--chat.limits.connections-per-nickname=1000");
        api = new ParleyApi(server.port());
    }

    @AfterAll
    static void stopServer() {
        if (server != null) {
            server.close();
        }
    }

    @Test
    void connectionsThatComeAndGoOverEveryTransportLeaveNothingBehind() {
        this.port = server.port();
        String room = ParleyApi.uniqueName("churn");
        List<ParleyApi.Claim> workers = new ArrayList<>();
        for (int i = 0; i < WORKERS; i++) {
            workers.add(api.claim(ParleyApi.uniqueName("churner")));
        }
        // once before measuring, so that classes and the server's bounded pools (Tomcat keeps up
        // to 200 request processors and 500 socket buffers for reuse) and caches are filled
        assertThat(churn(room, workers, CONNECTS)).isEmpty();
        awaitNothingLeft(room);
        long heapBefore = server.heapAfterGc();

        long start = System.nanoTime();
        List<String> failures = churn(room, workers, CONNECTS);
        long millis = Duration.ofNanos(System.nanoTime() - start).toMillis();

        assertThat(failures).as("failed connections").isEmpty();
        awaitNothingLeft(room);
        long heapAfter = server.heapAfterGc();
        System.out.printf("[churn] %d connects over %s in %d ms; server heap after GC %.1f MB -> %.1f MB%n",
                CONNECTS, TRANSPORTS, millis, heapBefore / 1048576.0, heapAfter / 1048576.0);
        assertThat(heapAfter - heapBefore).as("heap growth after GC, bytes").isLessThan(HEAP_SLACK_BYTES);
    }

    /** {@code connects} connections by {@link #WORKERS} workers at once; returns what failed. */
    private List<String> churn(String room, List<ParleyApi.Claim> workers, int connects) {
        AtomicInteger next = new AtomicInteger();
        ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
        List<CompletableFuture<Void>> running = new ArrayList<>();
        ExecutorService threads = Executors.newFixedThreadPool(workers.size());
        for (ParleyApi.Claim worker : workers) {
            running.add(CompletableFuture.runAsync(() -> {
                int i;
                while ((i = next.getAndIncrement()) < connects) {
                    Transport transport = TRANSPORTS.get(i % TRANSPORTS.size());
                    try {
                        connectPostAndLeave(worker, transport, room, i % 2 == 0);
                    }
                    catch (RuntimeException | AssertionError ex) {
                        failures.add(transport + ": " + ex);
                    }
                }
            }, threads));
        }
        running.forEach(CompletableFuture::join);
        threads.shutdown();
        return new ArrayList<>(failures);
    }

    private void connectPostAndLeave(ParleyApi.Claim claim, Transport transport, String room, boolean clean) {
        StompTestClient client = StompTestClient.connect(this.port, transport, claim);
        try {
            Subscription events = client.subscribe(topic(room));
            client.send(join(room), Map.of());
            String text = UUID.randomUUID().toString();
            client.send(send(room), Map.of("text", text));
            JsonNode echo = events.nextMatching(event -> text.equals(event.path("text").asString()));
            assertThat(echo.get("sender").asString()).isEqualTo(claim.nickname());
        }
        finally {
            if (clean) {
                client.disconnect();
            }
            else {
                client.dropAbruptly();
            }
        }
    }

    private void awaitNothingLeft(String room) {
        await().atMost(GONE_BOUND).pollInterval(Duration.ofSeconds(1)).untilAsserted(() -> {
            assertThat(api.onlineUsers(room)).as("online in %s", room).isEmpty();
            assertThat(server.liveInstances(CONNECTIONS)).as("live %s", CONNECTIONS).isZero();
            for (String sessions : HTTP_SOCKJS_SESSIONS) {
                assertThat(server.liveInstances(sessions)).as("live %s", sessions).isZero();
            }
            if (ServerSockets.available()) {
                assertThat(ServerSockets.closeWait(this.port)).as("server sockets in CLOSE_WAIT").isZero();
            }
        });
    }

    @AfterEach
    void closeClients() {
        StompTestClient.closeAll();
    }

}
