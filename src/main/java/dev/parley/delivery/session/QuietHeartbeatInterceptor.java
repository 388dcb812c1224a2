package dev.parley.delivery.session;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;

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
 * <p>
 * The broker is told that last write ({@link Writes}), so that it makes its next heart-beat
 * message only when one is due: left alone, it made one per connection at every check (four per
 * interval), three of which this dropped, each a message with its headers on its way through
 * the outbound channel (session 18: 7,200 a second at 18,000 idle connections).
 */
public final class QuietHeartbeatInterceptor implements ChannelInterceptor {

    /** Tells the broker when a connection was last written to. */
    @FunctionalInterface
    public interface Writes {

        /** {@code epochMillis}: the time of the last write, in {@link System#currentTimeMillis()}. */
        void wroteAt(String sessionId, long epochMillis);
    }

    private final Map<String, ClientSessionDecorator> connections;

    private final long intervalNanos;

    private final Writes writes;

    /**
     * @param connections the open connections by session id
     * @param interval the server's heart-beat interval: a connection written to within it needs none
     * @param writes told of each heart-beat's connection's last write, the heart-beat's own included
     */
    public QuietHeartbeatInterceptor(Map<String, ClientSessionDecorator> connections, Duration interval,
            Writes writes) {
        this.connections = connections;
        this.intervalNanos = interval.toNanos();
        this.writes = writes;
    }

    @Override
    public @Nullable Message<?> preSend(Message<?> message, MessageChannel channel) {
        if (SimpMessageHeaderAccessor.getMessageType(message.getHeaders()) != SimpMessageType.HEARTBEAT) {
            return message;
        }
        String session = SimpMessageHeaderAccessor.getSessionId(message.getHeaders());
        ClientSessionDecorator connection = (session != null) ? this.connections.get(session) : null;
        if (connection == null) {
            return message;
        }
        long sinceWrite = connection.nanosSinceWrite();
        if (sinceWrite < this.intervalNanos) {
            this.writes.wroteAt(session, System.currentTimeMillis() - TimeUnit.NANOSECONDS.toMillis(sinceWrite));
            return null;
        }
        // this one goes out now
        this.writes.wroteAt(session, System.currentTimeMillis());
        return message;
    }
}
