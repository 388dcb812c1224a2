package dev.parley.delivery.tomcat;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

import dev.parley.support.ParleyApi;
import dev.parley.support.ParleyIntegrationTestBase;
import dev.parley.support.RawStompSocket;
import dev.parley.support.StompTestClient.Subscription;
import dev.parley.support.StompTestClient.Transport;
import dev.parley.support.StompTestClient;

import org.apache.catalina.connector.Connector;
import org.apache.tomcat.util.threads.ThreadPoolExecutor;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.tomcat.TomcatWebServer;
import org.springframework.boot.web.server.servlet.context.ServletWebServerApplicationContext;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Import;
import org.springframework.messaging.Message;
import org.springframework.messaging.MessageChannel;
import org.springframework.messaging.simp.config.ChannelRegistration;
import org.springframework.messaging.simp.stomp.StompCommand;
import org.springframework.messaging.simp.stomp.StompHeaderAccessor;
import org.springframework.messaging.support.ChannelInterceptor;
import org.springframework.web.socket.config.annotation.WebSocketMessageBrokerConfigurer;

import static dev.parley.support.Destinations.join;
import static dev.parley.support.Destinations.send;
import static dev.parley.support.Destinations.topic;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Which thread handles a client's frame ({@link PollerReads}): Tomcat's poller for plain
 * WebSocket connections, a worker for everything else, and workers only with
 * {@code chat.transport.read-on-poller=false}; and a client that could block the poller is cut
 * off without holding up the others.
 */
class PollerReadsIntegrationTests {

    /** Thread names of Tomcat's NIO connector: its one poller, and its workers. */
    private static final String POLLER = "-Poller";

    private static final String WORKER = "-exec-";

    @Nested
    @SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT,
            properties = { "spring.datasource.url=jdbc:sqlite:target/test-db/parley-poller-${random.uuid}.db",
                    "server.shutdown=immediate", "chat.transport.send-time-limit=10s",
                    // the default run's default, said here: the cluster profile turns it off
                    "chat.transport.read-on-poller=true",
                    "server.tomcat.threads.max=37", "server.tomcat.threads.min-spare=3",
                    // up to 200 round trips while the pinger floods: the default 10 at once, then 5
                    // a second, refused the 11th and failed the test whenever the pinger's cut-off
                    // took longer than 10 round trips (a ping taken by a worker: the send time limit)
                    "chat.rate-limit.burst=1000", "chat.rate-limit.per-second=1000" })
    @Import(HandlingThreads.class)
    class ReadOnPoller extends ParleyIntegrationTestBase {

        /**
         * A round trip (post, receive) that the poller held up for Tomcat's blocking send timeout
         * (here the send time limit, 10 s) would take longer than this.
         */
        private static final Duration ROUND_TRIP_BOUND = Duration.ofSeconds(3);

        private final List<RawStompSocket> rawSockets = new ArrayList<>();

        @AfterEach
        void closeRawSockets() {
            this.rawSockets.forEach(RawStompSocket::close);
        }

        @Autowired
        ServletWebServerApplicationContext context;

        @Test
        void workerThreadsFollowTomcatsSettings() {
            Connector connector = ((TomcatWebServer) this.context.getWebServer()).getTomcat().getConnector();
            assertThat(connector.getProtocolHandler().getExecutor()).isInstanceOfSatisfying(PollerReads.class,
                    executor -> assertThat(executor.workers()).isInstanceOfSatisfying(ThreadPoolExecutor.class, workers -> {
                        assertThat(workers.getMaximumPoolSize()).isEqualTo(37);
                        assertThat(workers.getCorePoolSize()).isEqualTo(3);
                    }));
        }

        @Test
        void plainWebSocketFramesAreHandledOnTomcatsPoller() {
            // The first frames of a fresh server take long to handle (the JIT has not compiled their
            // code yet), and PollerLoad may then send the next 100 ms of frames to the workers. Three
            // SENDs in a row on the poller cannot be its samples (one frame in 16) of a busy poller.
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
                for (int i = 0; i < 3; i++) {
                    assertThat(threadHandlingSendOver(Transport.WEBSOCKET, this.api, this.port)).endsWith(POLLER);
                }
            });
        }

        @Test
        void sockJsFramesAreHandledByWorkers() {
            assertThat(threadHandlingSendOver(Transport.SOCKJS_WEBSOCKET, this.api, this.port)).contains(WORKER);
            assertThat(threadHandlingSendOver(Transport.SOCKJS_XHR_STREAMING, this.api, this.port)).contains(WORKER);
        }

        @Test
        void clientPingingWithAFullSocketBufferIsCutOffWithoutHoldingUpOthers() throws Exception {
            // Tomcat answers each ping with a pong; this client reads none, so once its socket
            // buffers are full the next pong cannot be written, on the poller that handles the ping
            RawStompSocket pinger = RawStompSocket
                .connect(this.port, this.api.claim(ParleyApi.uniqueName("pinger")), this.rawSockets);
            CompletableFuture<@Nullable IOException> pingerEnd = CompletableFuture.supplyAsync(() -> {
                byte[] payload = new byte[125];
                try {
                    for (int i = 0; i < 1_000_000; i++) {
                        pinger.ping(payload);
                    }
                    return null;
                }
                catch (IOException ex) {
                    return ex;
                }
            });

            String room = ParleyApi.uniqueName("room");
            StompTestClient other = StompTestClient.connect(this.port, Transport.WEBSOCKET,
                    this.api.claim(ParleyApi.uniqueName("other")));
            Subscription events = other.subscribe(topic(room));
            other.send(join(room), Map.of());
            events.nextMatching(event -> "JOIN".equals(event.path("type").asString()));
            int roundTrips = 0;
            while (!pingerEnd.isDone() && roundTrips < 200) {
                roundTrips++;
                String text = "round trip " + roundTrips;
                other.send(send(room), Map.of("text", text));
                events.nextMatching(event -> text.equals(event.path("text").asString()), ROUND_TRIP_BOUND);
            }

            // on the poller it is cut off within milliseconds; a ping that a worker thread took
            // instead (the poller was busy) waits there for the send time limit, 10 s
            assertThat(pingerEnd.get(30, TimeUnit.SECONDS))
                .as("the pinging client was cut off (its sends fail), after %d round trips of another", roundTrips)
                .isNotNull();
        }
    }

    @Nested
    @SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT,
            properties = { "spring.datasource.url=jdbc:sqlite:target/test-db/parley-no-poller-${random.uuid}.db",
                    "server.shutdown=immediate", "chat.transport.read-on-poller=false" })
    @Import(HandlingThreads.class)
    class ReadOnWorkers extends ParleyIntegrationTestBase {

        @Test
        void plainWebSocketFramesAreHandledByWorkers() {
            assertThat(threadHandlingSendOver(Transport.WEBSOCKET, this.api, this.port)).contains(WORKER);
        }
    }

    /** Posts one message over {@code transport}; returns the name of the thread that handled it. */
    static String threadHandlingSendOver(Transport transport, ParleyApi api, int port) {
        String room = ParleyApi.uniqueName("room");
        StompTestClient client = StompTestClient.connect(port, transport, api.claim(ParleyApi.uniqueName("user")));
        Subscription events = client.subscribe(topic(room));
        client.send(join(room), Map.of());
        client.send(send(room), Map.of("text", "which thread?"));
        events.nextMatching(event -> "MESSAGE".equals(event.path("type").asString()));
        String thread = HandlingThreads.SEND.get(send(room));
        assertThat(thread).as("thread that handled the SEND to %s", send(room)).isNotNull();
        return thread;
    }

    /** Records the thread that handles each client SEND, by destination. */
    @TestConfiguration(proxyBeanMethods = false)
    static class HandlingThreads implements WebSocketMessageBrokerConfigurer {

        static final Map<String, String> SEND = new ConcurrentHashMap<>();

        @Override
        public void configureClientInboundChannel(ChannelRegistration registration) {
            registration.interceptors(new ChannelInterceptor() {

                @Override
                public Message<?> preSend(Message<?> message, MessageChannel channel) {
                    StompHeaderAccessor accessor = StompHeaderAccessor.wrap(message);
                    if (accessor.getCommand() == StompCommand.SEND && accessor.getDestination() != null) {
                        SEND.put(accessor.getDestination(), Thread.currentThread().getName());
                    }
                    return message;
                }
            });
        }
    }
}
