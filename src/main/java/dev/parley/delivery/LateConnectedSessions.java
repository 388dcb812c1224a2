package dev.parley.delivery;

import java.security.Principal;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.function.Supplier;

import org.jspecify.annotations.Nullable;

import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.ApplicationListener;
import org.springframework.core.Ordered;
import org.springframework.messaging.Message;
import org.springframework.messaging.simp.SimpMessageHeaderAccessor;
import org.springframework.messaging.simp.stomp.StompCommand;
import org.springframework.messaging.simp.stomp.StompHeaderAccessor;
import org.springframework.messaging.support.MessageBuilder;
import org.springframework.scheduling.TaskScheduler;
import org.springframework.web.socket.CloseStatus;
import org.springframework.web.socket.messaging.SessionConnectedEvent;
import org.springframework.web.socket.messaging.SessionDisconnectEvent;

/**
 * Ends, for every listener of Spring's session events, a session whose {@code CONNECTED} went
 * out after its connection had closed. Spring's STOMP handler publishes the connected event
 * when it writes {@code CONNECTED}, on whatever thread that happens, without asking whether the
 * connection is still open; when a frame refused just after {@code CONNECT} closed it first, the
 * disconnect event has already been published, and Spring's user registry would add the session
 * for good (the front-door fuzzer saw one left behind). A second disconnect event, a moment
 * later so that every listener of the connected one has run, removes it; the listeners of
 * disconnects take a repeated one as nothing new.
 */
final class LateConnectedSessions implements ApplicationListener<SessionConnectedEvent>, Ordered {

    static final Duration DELAY = Duration.ofSeconds(1);

    /**
     * After Spring's user registry (ordered just before, in {@link StompBrokerConfiguration}):
     * when the connection is still open once the registry has added the session, any close that
     * follows publishes its disconnect event after that addition.
     */
    static final int ORDER = Ordered.LOWEST_PRECEDENCE;

    private final Map<String, ?> connections;

    private final ApplicationEventPublisher publisher;

    private final Supplier<TaskScheduler> scheduler;

    /**
     * @param connections the open connections by session id: a connection leaves it before its
     * disconnect event is published
     */
    LateConnectedSessions(Map<String, ?> connections, ApplicationEventPublisher publisher,
            Supplier<TaskScheduler> scheduler) {
        this.connections = connections;
        this.publisher = publisher;
        this.scheduler = scheduler;
    }

    @Override
    public int getOrder() {
        return ORDER;
    }

    @Override
    public void onApplicationEvent(SessionConnectedEvent event) {
        String session = SimpMessageHeaderAccessor.getSessionId(event.getMessage().getHeaders());
        if (session == null || this.connections.containsKey(session)) {
            return;
        }
        Principal user = event.getUser();
        this.scheduler.get()
            .schedule(() -> this.publisher.publishEvent(disconnect(session, user)), Instant.now().plus(DELAY));
    }

    private static SessionDisconnectEvent disconnect(String session, @Nullable Principal user) {
        StompHeaderAccessor headers = StompHeaderAccessor.create(StompCommand.DISCONNECT);
        headers.setSessionId(session);
        headers.setUser(user);
        Message<byte[]> message = MessageBuilder.createMessage(new byte[0], headers.getMessageHeaders());
        return new SessionDisconnectEvent(LateConnectedSessions.class, message, session,
                CloseStatus.SESSION_NOT_RELIABLE, user);
    }
}
