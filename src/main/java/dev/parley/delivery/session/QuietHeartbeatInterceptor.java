package dev.parley.delivery.session;

import java.time.Duration;
import java.util.Map;

import org.jspecify.annotations.Nullable;

import org.springframework.messaging.Message;
import org.springframework.messaging.MessageChannel;
import org.springframework.messaging.simp.SimpMessageHeaderAccessor;
import org.springframework.messaging.simp.SimpMessageType;
import org.springframework.messaging.support.ChannelInterceptor;

/**
 * Lets the broker's heart-beats out only to connections on which nothing has been written for a
 * heart-beat interval: one heart-beat per quiet interval, and none to a connection that is busy.
 * <p>
 * Why: Spring's simple broker decides by the last write it made itself. Parley's broadcasts do
 * not pass through it ({@code FanOutBroker}), and it checks several times per interval
 * ({@code BrokerHeartbeatScheduler}) without counting its own heart-beats as writes, so it sent one
 * at every check to every connection that had received no user-queue message for an interval:
 * four per interval each, and at 18,000 idle connections 7,200 a second, all of them at once
 * every 2.5 s, during which a message waited (docs/performance.md, session 16: p99 32 ms, with
 * heart-beats off 6 ms). The connection knows when it last wrote anything, so that is asked.
 */
public final class QuietHeartbeatInterceptor implements ChannelInterceptor {

    private final Map<String, ClientSessionDecorator> connections;

    private final long intervalNanos;

    /**
     * @param connections the open connections by session id
     * @param interval the server's heart-beat interval: a connection written to within it needs none
     */
    public QuietHeartbeatInterceptor(Map<String, ClientSessionDecorator> connections, Duration interval) {
        this.connections = connections;
        this.intervalNanos = interval.toNanos();
    }

    @Override
    public @Nullable Message<?> preSend(Message<?> message, MessageChannel channel) {
        if (SimpMessageHeaderAccessor.getMessageType(message.getHeaders()) != SimpMessageType.HEARTBEAT) {
            return message;
        }
        String session = SimpMessageHeaderAccessor.getSessionId(message.getHeaders());
        ClientSessionDecorator connection = (session != null) ? this.connections.get(session) : null;
        return (connection != null && connection.wroteWithin(this.intervalNanos)) ? null : message;
    }
}
