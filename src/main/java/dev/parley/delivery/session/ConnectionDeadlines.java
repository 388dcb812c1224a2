package dev.parley.delivery.session;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.function.Supplier;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import org.springframework.messaging.Message;
import org.springframework.messaging.MessageChannel;
import org.springframework.messaging.simp.SimpMessageHeaderAccessor;
import org.springframework.messaging.simp.SimpMessageType;
import org.springframework.messaging.support.ChannelInterceptor;
import org.springframework.scheduling.TaskScheduler;
import org.springframework.web.socket.CloseStatus;

/**
 * Closes the connections that stay open without being STOMP connections: a WebSocket or SockJS
 * session that has not completed CONNECT within the connect timeout (a socket that never speaks,
 * or speaks only heart-beats or garbage, holds the server's memory without a nickname to count it
 * against), and one still open a moment after its DISCONNECT was answered (a client that asked
 * for a RECEIPT is expected to close then; it no longer counts among its nickname's connections).
 * <p>
 * It learns of both from the outbound channel, where the broker answers CONNECT with a
 * {@code CONNECT_ACK} (sent on as CONNECTED) and DISCONNECT with a {@code DISCONNECT_ACK}. A
 * connection has at most one deadline at a time: a task on the shared scheduler that knows the
 * session's id only, cancelled when the connection completes CONNECT or ends, so that neither
 * tasks nor sessions outlive their connection.
 */
public final class ConnectionDeadlines implements ChannelInterceptor {

    private static final Log logger = LogFactory.getLog(ConnectionDeadlines.class);

    /** Long enough for the RECEIPT of a DISCONNECT to reach the client, also in its next poll. */
    static final Duration DISCONNECT_GRACE = Duration.ofSeconds(1);

    private static final CloseStatus NO_CONNECT = CloseStatus.POLICY_VIOLATION.withReason("No CONNECT in time");

    private static final CloseStatus DISCONNECTED = CloseStatus.NORMAL.withReason("DISCONNECT");

    private final Map<String, ClientSessionDecorator> connections;

    private final Supplier<TaskScheduler> scheduler;

    private final Duration connectTimeout;

    private final Map<String, Deadline> deadlines = new ConcurrentHashMap<>();

    /**
     * @param connections the open connections by session id
     * @param scheduler the shared scheduler that runs the deadlines (asked for at the first one)
     * @param connectTimeout how long a new connection may take to complete CONNECT
     */
    public ConnectionDeadlines(Map<String, ClientSessionDecorator> connections, Supplier<TaskScheduler> scheduler,
            Duration connectTimeout) {
        this.connections = connections;
        this.scheduler = scheduler;
        this.connectTimeout = connectTimeout;
    }

    /** A WebSocket or SockJS session opened: it has the connect timeout to complete CONNECT. */
    public void opened(String sessionId) {
        schedule(sessionId, this.connectTimeout, NO_CONNECT);
    }

    /** The connection ended, however: its deadline goes. */
    public void ended(String sessionId) {
        Deadline deadline = this.deadlines.remove(sessionId);
        if (deadline != null) {
            deadline.cancel();
        }
    }

    @Override
    public Message<?> preSend(Message<?> message, MessageChannel channel) {
        SimpMessageType type = SimpMessageHeaderAccessor.getMessageType(message.getHeaders());
        if (type == SimpMessageType.CONNECT_ACK || type == SimpMessageType.DISCONNECT_ACK) {
            String sessionId = SimpMessageHeaderAccessor.getSessionId(message.getHeaders());
            if (sessionId != null && type == SimpMessageType.CONNECT_ACK) {
                ended(sessionId);
            }
            else if (sessionId != null && this.connections.containsKey(sessionId)) {
                schedule(sessionId, DISCONNECT_GRACE, DISCONNECTED);
            }
        }
        return message;
    }

    /** Connections with a deadline now. */
    int pending() {
        return this.deadlines.size();
    }

    private void schedule(String sessionId, Duration delay, CloseStatus status) {
        Deadline deadline = new Deadline(sessionId, status);
        Deadline previous = this.deadlines.put(sessionId, deadline);
        if (previous != null) {
            previous.cancel();
        }
        try {
            deadline.future = this.scheduler.get().schedule(deadline, Instant.now().plus(delay));
        }
        catch (RejectedExecutionException ex) {
            // the server is stopping, and closes every connection itself
            this.deadlines.remove(sessionId, deadline);
        }
    }

    private final class Deadline implements Runnable {

        private final String sessionId;

        private final CloseStatus status;

        private volatile @Nullable ScheduledFuture<?> future;

        Deadline(String sessionId, CloseStatus status) {
            this.sessionId = sessionId;
            this.status = status;
        }

        @Override
        public void run() {
            if (!ConnectionDeadlines.this.deadlines.remove(this.sessionId, this)) {
                return;
            }
            ClientSessionDecorator connection = ConnectionDeadlines.this.connections.get(this.sessionId);
            if (connection == null) {
                return;
            }
            logger.debug("Closing " + this.sessionId + ": " + this.status.getReason());
            try {
                connection.close(this.status);
            }
            catch (IOException ex) {
                // the client is gone already, which is what the close was for
            }
        }

        void cancel() {
            ScheduledFuture<?> scheduled = this.future;
            if (scheduled != null) {
                scheduled.cancel(false);
            }
        }
    }
}
