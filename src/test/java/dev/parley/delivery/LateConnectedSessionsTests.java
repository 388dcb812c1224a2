package dev.parley.delivery;

import java.security.Principal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.mockito.ArgumentCaptor;

import org.springframework.messaging.Message;
import org.springframework.messaging.simp.stomp.StompCommand;
import org.springframework.messaging.simp.stomp.StompHeaderAccessor;
import org.springframework.messaging.support.MessageBuilder;
import org.springframework.scheduling.TaskScheduler;
import org.springframework.web.socket.messaging.SessionConnectedEvent;
import org.springframework.web.socket.messaging.SessionDisconnectEvent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.verify;

class LateConnectedSessionsTests {

    private final TaskScheduler scheduler = mock(TaskScheduler.class);

    private final List<Object> published = new ArrayList<>();

    private final Principal alice = () -> "alice";

    private static SessionConnectedEvent connected(String session, Principal user) {
        StompHeaderAccessor headers = StompHeaderAccessor.create(StompCommand.CONNECTED);
        headers.setSessionId(session);
        Message<byte[]> message = MessageBuilder.createMessage(new byte[0], headers.getMessageHeaders());
        return new SessionConnectedEvent(LateConnectedSessionsTests.class, message, user);
    }

    @Test
    void aSessionConnectedAfterItsConnectionClosedIsEndedAgainAMomentLater() {
        LateConnectedSessions sessions = new LateConnectedSessions(Map.of(), this.published::add, () -> this.scheduler);

        sessions.onApplicationEvent(connected("gone", this.alice));

        ArgumentCaptor<Runnable> later = ArgumentCaptor.forClass(Runnable.class);
        verify(this.scheduler).schedule(later.capture(), any(Instant.class));
        assertThat(this.published).as("nothing before every listener of the connected event ran").isEmpty();
        later.getValue().run();
        assertThat(this.published).singleElement().isInstanceOfSatisfying(SessionDisconnectEvent.class, event -> {
            assertThat(event.getSessionId()).isEqualTo("gone");
            assertThat(event.getUser()).isSameAs(this.alice);
        });
    }

    @Test
    void aSessionWhoseConnectionIsOpenIsLeftAlone() {
        LateConnectedSessions sessions = new LateConnectedSessions(Map.of("open", new Object()), this.published::add,
                () -> this.scheduler);

        sessions.onApplicationEvent(connected("open", this.alice));

        verify(this.scheduler, never()).schedule(any(Runnable.class), any(Instant.class));
        assertThat(this.published).isEmpty();
    }
}
