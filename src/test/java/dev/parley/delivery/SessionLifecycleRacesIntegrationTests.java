package dev.parley.delivery;

import java.net.InetSocketAddress;
import java.net.URI;
import java.security.Principal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import dev.parley.support.ParleyApi;
import dev.parley.support.ParleyIntegrationTest;
import dev.parley.support.ParleyIntegrationTestBase;
import dev.parley.support.RawSockJsClient;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.context.ApplicationEvent;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.event.ApplicationEventMulticaster;
import org.springframework.context.event.SmartApplicationListener;
import org.springframework.core.Ordered;
import org.springframework.http.HttpHeaders;
import org.springframework.messaging.simp.SimpMessageHeaderAccessor;
import org.springframework.messaging.simp.user.SimpUser;
import org.springframework.messaging.simp.user.SimpUserRegistry;
import org.springframework.web.socket.CloseStatus;
import org.springframework.web.socket.WebSocketExtension;
import org.springframework.web.socket.WebSocketHandler;
import org.springframework.web.socket.WebSocketMessage;
import org.springframework.web.socket.WebSocketSession;
import org.springframework.web.socket.messaging.SessionConnectedEvent;
import org.springframework.web.socket.messaging.SessionDisconnectEvent;
import org.springframework.web.socket.messaging.SubProtocolWebSocketHandler;
import org.springframework.web.socket.messaging.DefaultSimpUserRegistry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A connection that closes while the server is still setting it up leaves nothing behind, in
 * the two races the front-door fuzzer ran into: a close handled before the CONNECTED that was
 * already on its way is sent (Spring's user registry would keep the session), and a SockJS
 * session closed on another thread while it is being established (Spring's and Parley's lists
 * of open sessions would keep it). Each race is made to happen every time, at the point where
 * it goes wrong: the first by holding the connected event until the close has been handled,
 * the second by closing the session inside Spring's check that it is open.
 */
@ParleyIntegrationTest
class SessionLifecycleRacesIntegrationTests extends ParleyIntegrationTestBase {

    private static final Duration BOUND = Duration.ofSeconds(10);

    @Autowired
    private ConfigurableApplicationContext context;

    private final List<RawSockJsClient> sockJsClients = new ArrayList<>();

    private final ConnectedAfterClose gate = new ConnectedAfterClose();

    @AfterEach
    void closeAndUnhook() {
        this.sockJsClients.forEach(RawSockJsClient::close);
        this.context.getBean(ApplicationEventMulticaster.class).removeApplicationListener(this.gate);
    }

    /**
     * Over SockJS, two HTTP requests of one session are handled on two threads: the CONNECT of
     * one is held at its connected event while a frame the server refuses, sent by the other,
     * closes the session.
     */
    @Test
    void aSessionConnectedAfterItsConnectionClosedLeavesTheUserRegistry() throws Exception {
        ParleyApi.Claim late = this.api.claim(ParleyApi.uniqueName("late"));
        this.gate.watch(late.nickname());
        this.context.addApplicationListener(this.gate);
        RawSockJsClient client = RawSockJsClient.open(this.port, RawSockJsClient.Transport.XHR_STREAMING);
        this.sockJsClients.add(client);

        CompletableFuture<Void> connect = CompletableFuture.runAsync(() -> client.send("CONNECT\naccept-version:1.2\n"
                + "host:localhost\nheart-beat:0,0\nlogin:" + late.nickname() + "\npasscode:" + late.token() + "\n\n\0"));
        assertThat(this.gate.held.await(BOUND.toMillis(), TimeUnit.MILLISECONDS)).as("CONNECTED on its way").isTrue();
        client.send("NOT-A-COMMAND\n\n\0");

        assertThat(this.gate.closedFirst.get(BOUND.toMillis(), TimeUnit.MILLISECONDS))
            .as("the close handled while the connected event was held").isTrue();
        connect.handle((done, failure) -> done).get(BOUND.toMillis(), TimeUnit.MILLISECONDS);
        await().atMost(LateConnectedSessions.DELAY.plus(BOUND)).pollInterval(Duration.ofMillis(50))
            .untilAsserted(() -> assertThat(sessionsOf(late.nickname())).as("sessions in Spring's user registry")
                .isZero());
    }

    @Test
    void theUserRegistryHearsOfAConnectedSessionBeforeTheLateConnectionCheck() {
        DefaultSimpUserRegistry registry = this.context.getBean(DefaultSimpUserRegistry.class);
        LateConnectedSessions late = this.context.getBean(LateConnectedSessions.class);

        assertThat(registry.getOrder()).isLessThan(late.getOrder());
    }

    @Test
    void aSessionClosedWhileItIsBeingEstablishedIsForgotten() throws Exception {
        SubProtocolWebSocketHandler handler = this.context.getBean("subProtocolWebSocketHandler",
                SubProtocolWebSocketHandler.class);
        int springBefore = handler.getStats().getWebSocketSessions();
        int parleyBefore = parleyConnections();
        ClosedDuringOpenCheck session = new ClosedDuringOpenCheck(handler);

        handler.afterConnectionEstablished(session);

        assertThat(session.closeHandled).as("the close handled inside Spring's check").isTrue();
        assertThat(handler.getStats().getWebSocketSessions()).as("Spring's open WebSocket sessions")
            .isEqualTo(springBefore);
        assertThat(parleyConnections()).as("Parley's open connections").isEqualTo(parleyBefore);
    }

    private int sessionsOf(String nickname) {
        SimpUser user = this.context.getBean(SimpUserRegistry.class).getUser(nickname);
        return (user != null) ? user.getSessions().size() : 0;
    }

    private int parleyConnections() {
        return this.context.getBean(StompBrokerConfiguration.class).openConnections();
    }

    /**
     * Holds the connected event of one nickname's session, before any other listener hears of
     * it, until that session's disconnect event has been published (or a bound has passed).
     */
    static final class ConnectedAfterClose implements SmartApplicationListener {

        final CountDownLatch held = new CountDownLatch(1);

        final CompletableFuture<Boolean> closedFirst = new CompletableFuture<>();

        private final CountDownLatch closed = new CountDownLatch(1);

        private final Map<String, String> watched = new ConcurrentHashMap<>();

        private volatile @Nullable String session;

        void watch(String nickname) {
            this.watched.put(nickname, nickname);
        }

        @Override
        public boolean supportsEventType(Class<? extends ApplicationEvent> eventType) {
            return SessionConnectedEvent.class.isAssignableFrom(eventType)
                    || SessionDisconnectEvent.class.isAssignableFrom(eventType);
        }

        @Override
        public int getOrder() {
            return Ordered.HIGHEST_PRECEDENCE;
        }

        @Override
        public void onApplicationEvent(ApplicationEvent event) {
            if (event instanceof SessionDisconnectEvent disconnect) {
                if (disconnect.getSessionId().equals(this.session)) {
                    this.closed.countDown();
                }
                return;
            }
            SessionConnectedEvent connected = (SessionConnectedEvent) event;
            Principal user = connected.getUser();
            if (user == null || !this.watched.containsKey(user.getName())) {
                return;
            }
            this.session = SimpMessageHeaderAccessor.getSessionId(connected.getMessage().getHeaders());
            this.held.countDown();
            try {
                this.closedFirst.complete(this.closed.await(BOUND.toMillis(), TimeUnit.MILLISECONDS));
            }
            catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
                this.closedFirst.complete(false);
            }
        }
    }

    /**
     * A session whose close is handled, as if on another thread, inside the first check that it
     * is open: the moment of Spring's establishing where a concurrent close left it behind.
     */
    static final class ClosedDuringOpenCheck implements WebSocketSession {

        private final String id = "race-" + UUID.randomUUID();

        private final WebSocketHandler handler;

        private final Map<String, Object> attributes = new ConcurrentHashMap<>();

        private volatile boolean open = true;

        private volatile boolean closeHandled;

        private int textLimit = 64 * 1024;

        private int binaryLimit = 64 * 1024;

        ClosedDuringOpenCheck(WebSocketHandler handler) {
            this.handler = handler;
        }

        @Override
        public boolean isOpen() {
            if (this.open) {
                this.open = false;
                try {
                    this.handler.afterConnectionClosed(this, CloseStatus.GOING_AWAY);
                    this.closeHandled = true;
                }
                catch (Exception ex) {
                    throw new IllegalStateException(ex);
                }
                return true;
            }
            return false;
        }

        @Override
        public String getId() {
            return this.id;
        }

        @Override
        public @Nullable URI getUri() {
            return URI.create("ws://localhost/ws");
        }

        @Override
        public HttpHeaders getHandshakeHeaders() {
            return new HttpHeaders();
        }

        @Override
        public Map<String, Object> getAttributes() {
            return this.attributes;
        }

        @Override
        public @Nullable Principal getPrincipal() {
            return null;
        }

        @Override
        public @Nullable InetSocketAddress getLocalAddress() {
            return null;
        }

        @Override
        public @Nullable InetSocketAddress getRemoteAddress() {
            return null;
        }

        @Override
        public @Nullable String getAcceptedProtocol() {
            return "v12.stomp";
        }

        @Override
        public void setTextMessageSizeLimit(int messageSizeLimit) {
            this.textLimit = messageSizeLimit;
        }

        @Override
        public int getTextMessageSizeLimit() {
            return this.textLimit;
        }

        @Override
        public void setBinaryMessageSizeLimit(int messageSizeLimit) {
            this.binaryLimit = messageSizeLimit;
        }

        @Override
        public int getBinaryMessageSizeLimit() {
            return this.binaryLimit;
        }

        @Override
        public List<WebSocketExtension> getExtensions() {
            return List.of();
        }

        @Override
        public void sendMessage(WebSocketMessage<?> message) {
            throw new IllegalStateException("closed");
        }

        @Override
        public void close() {
            this.open = false;
        }

        @Override
        public void close(CloseStatus status) {
            this.open = false;
        }
    }
}
