package dev.parley.delivery.session;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import org.springframework.messaging.Message;
import org.springframework.messaging.simp.SimpMessageHeaderAccessor;
import org.springframework.messaging.simp.SimpMessageType;
import org.springframework.messaging.support.MessageBuilder;
import org.springframework.scheduling.concurrent.ThreadPoolTaskScheduler;
import org.springframework.web.socket.CloseStatus;
import org.springframework.web.socket.WebSocketSession;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.timeout;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;

class ConnectionDeadlinesTests {

    private final ThreadPoolTaskScheduler scheduler = new ThreadPoolTaskScheduler();

    private final Map<String, ClientSessionDecorator> connections = new ConcurrentHashMap<>();

    ConnectionDeadlinesTests() {
        // as Spring configures the broker's scheduler: a cancelled task leaves its queue at once
        this.scheduler.setRemoveOnCancelPolicy(true);
        this.scheduler.initialize();
    }

    @AfterEach
    void stopScheduler() {
        this.scheduler.shutdown();
    }

    @Test
    void aConnectionThatDoesNotCompleteConnectIsClosedAtItsDeadline() throws Exception {
        WebSocketSession session = open("s1");
        ConnectionDeadlines deadlines = deadlines(Duration.ofMillis(200));

        deadlines.opened("s1");

        verify(session, timeout(5_000)).close(any(CloseStatus.class));
        assertThat(deadlines.pending()).isZero();
    }

    @Test
    void connectCancelsTheDeadlineAndLeavesNoTask() throws Exception {
        WebSocketSession session = open("s1");
        ConnectionDeadlines deadlines = deadlines(Duration.ofMillis(200));
        deadlines.opened("s1");
        assertThat(scheduledTasks()).isOne();

        deadlines.preSend(ack(SimpMessageType.CONNECT_ACK, "s1"), null);

        assertThat(deadlines.pending()).isZero();
        assertThat(scheduledTasks()).isZero();
        await().during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(1))
            .untilAsserted(() -> verify(session, never()).close(any(CloseStatus.class)));
    }

    @Test
    void anEndedConnectionLeavesNoTask() {
        open("s1");
        ConnectionDeadlines deadlines = deadlines(Duration.ofMinutes(1));
        deadlines.opened("s1");

        deadlines.ended("s1");

        assertThat(deadlines.pending()).isZero();
        assertThat(scheduledTasks()).isZero();
    }

    @Test
    void aConnectionStillOpenAfterItsDisconnectWasAnsweredIsClosed() throws Exception {
        WebSocketSession session = open("s1");
        ConnectionDeadlines deadlines = deadlines(Duration.ofMinutes(1));
        deadlines.opened("s1");
        deadlines.preSend(ack(SimpMessageType.CONNECT_ACK, "s1"), null);

        deadlines.preSend(ack(SimpMessageType.DISCONNECT_ACK, "s1"), null);

        verify(session, timeout(5_000)).close(any(CloseStatus.class));
        assertThat(deadlines.pending()).isZero();
    }

    @Test
    void aDisconnectOfAConnectionAlreadyGoneSchedulesNothing() {
        ConnectionDeadlines deadlines = deadlines(Duration.ofMinutes(1));

        deadlines.preSend(ack(SimpMessageType.DISCONNECT_ACK, "gone"), null);

        assertThat(deadlines.pending()).isZero();
        assertThat(scheduledTasks()).isZero();
    }

    private ConnectionDeadlines deadlines(Duration connectTimeout) {
        return new ConnectionDeadlines(this.connections, () -> this.scheduler, connectTimeout);
    }

    /** An open connection of the given id, whose close is recorded by its mock session. */
    private WebSocketSession open(String sessionId) {
        WebSocketSession session = mock(WebSocketSession.class);
        when(session.getId()).thenReturn(sessionId);
        when(session.isOpen()).thenReturn(true);
        this.connections.put(sessionId, new ClientSessionDecorator(session, new ManualFrameWriter(), 60_000, 1000,
                () -> this.scheduler, new LongAdder()));
        return session;
    }

    private int scheduledTasks() {
        return this.scheduler.getScheduledThreadPoolExecutor().getQueue().size();
    }

    private static Message<byte[]> ack(SimpMessageType type, String sessionId) {
        SimpMessageHeaderAccessor accessor = SimpMessageHeaderAccessor.create(type);
        accessor.setSessionId(sessionId);
        return MessageBuilder.createMessage(new byte[0], accessor.getMessageHeaders());
    }
}
