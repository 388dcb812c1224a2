package dev.parley.delivery.session;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import org.springframework.messaging.Message;
import org.springframework.messaging.MessageChannel;
import org.springframework.messaging.simp.SimpMessageHeaderAccessor;
import org.springframework.messaging.simp.SimpMessageType;
import org.springframework.messaging.support.MessageBuilder;
import org.springframework.scheduling.concurrent.ThreadPoolTaskScheduler;
import org.springframework.web.socket.TextMessage;
import org.springframework.web.socket.WebSocketSession;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.when;

class QuietHeartbeatInterceptorTests {

    /** Short enough to wait for; the server's default is 10 s. */
    private static final Duration INTERVAL = Duration.ofMillis(300);

    private final WebSocketSession delegate = mock(WebSocketSession.class);

    private final ManualFrameWriter writer = new ManualFrameWriter();

    private final ThreadPoolTaskScheduler scheduler = new ThreadPoolTaskScheduler();

    private final Map<String, ClientSessionDecorator> connections = new ConcurrentHashMap<>();

    private final MessageChannel channel = mock(MessageChannel.class);

    /** What the broker was told: each session's last write, in epoch milliseconds. */
    private final Map<String, Long> toldWrites = new ConcurrentHashMap<>();

    private final QuietHeartbeatInterceptor interceptor = new QuietHeartbeatInterceptor(this.connections, INTERVAL,
            this.toldWrites::put);

    private final ClientSessionDecorator connection;

    QuietHeartbeatInterceptorTests() {
        when(this.delegate.getId()).thenReturn("s1");
        when(this.delegate.isOpen()).thenReturn(true);
        this.scheduler.initialize();
        this.connection = new ClientSessionDecorator(this.delegate, this.writer, 60_000, 1000, () -> this.scheduler,
                new LongAdder());
        this.connections.put("s1", this.connection);
    }

    @AfterEach
    void stopScheduler() {
        this.scheduler.shutdown();
    }

    @Test
    void aConnectionWrittenToWithinTheIntervalGetsNoHeartbeat() throws Exception {
        this.connection.sendMessage(new TextMessage("MESSAGE\n\n\0"));

        assertThat(this.interceptor.preSend(heartbeat("s1"), this.channel)).isNull();
    }

    @Test
    void aQuietConnectionGetsOneHeartbeatPerInterval() throws Exception {
        Message<?> heartbeat = heartbeat("s1");
        // the broker checks several times per interval: once the connection has been quiet for
        // one, a heart-beat goes out, and the next check finds it written to again
        await().atMost(Duration.ofSeconds(5)).until(() -> this.interceptor.preSend(heartbeat, this.channel) != null);
        this.connection.sendMessage(new TextMessage("\n"));

        assertThat(this.interceptor.preSend(heartbeat, this.channel)).isNull();
    }

    @Test
    void theBrokerIsToldTheLastWriteSoThatItAsksAgainOnlyWhenAHeartbeatIsDue() throws Exception {
        long before = System.currentTimeMillis();
        this.connection.sendMessage(new TextMessage("MESSAGE\n\n\0"));
        long after = System.currentTimeMillis();

        assertThat(this.interceptor.preSend(heartbeat("s1"), this.channel)).isNull();
        assertThat(this.toldWrites.get("s1")).as("the message's write").isBetween(before - 1, after + 1);

        // quiet for an interval: the heart-beat goes out, and is the last write
        Message<?> heartbeat = heartbeat("s1");
        await().atMost(Duration.ofSeconds(5)).until(() -> this.interceptor.preSend(heartbeat, this.channel) != null);
        assertThat(this.toldWrites.get("s1")).as("the heart-beat's write").isGreaterThanOrEqualTo(after + INTERVAL.toMillis());
    }

    @Test
    void everythingElsePassesUnchanged() {
        Message<byte[]> message = MessageBuilder.withPayload(new byte[0])
                .setHeader(SimpMessageHeaderAccessor.MESSAGE_TYPE_HEADER, SimpMessageType.MESSAGE)
                .setHeader(SimpMessageHeaderAccessor.SESSION_ID_HEADER, "s1")
                .build();
        assertThat(this.interceptor.preSend(message, this.channel)).isSameAs(message);
        // a session the engine does not hold (closed meanwhile): Spring's handling decides
        Message<?> unknown = heartbeat("gone");
        assertThat(this.interceptor.preSend(unknown, this.channel)).isSameAs(unknown);
        assertThat(this.toldWrites).as("nothing told of either").isEmpty();
    }

    private static Message<?> heartbeat(String session) {
        SimpMessageHeaderAccessor accessor = SimpMessageHeaderAccessor.create(SimpMessageType.HEARTBEAT);
        accessor.setSessionId(session);
        return MessageBuilder.createMessage(new byte[0], accessor.getMessageHeaders());
    }
}
