package dev.parley.config;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Supplier;

import org.springframework.scheduling.TaskScheduler;
import org.springframework.web.socket.CloseStatus;
import org.springframework.web.socket.TextMessage;
import org.springframework.web.socket.WebSocketSession;
import org.springframework.web.socket.handler.ConcurrentWebSocketSessionDecorator;
import org.springframework.web.socket.sockjs.transport.session.AbstractHttpSockJsSession;

/**
 * Spring's thread-safe session for sending, which delivers an ERROR frame before it closes the
 * connection for a protocol error. Spring closes a STOMP connection right after sending an ERROR,
 * and two things would lose that frame, leaving the client with a bare close and no reason:
 * <ul>
 * <li>another thread still flushing an earlier frame holds the send lock, so the ERROR waits in
 * the buffer, and the close discards the buffer: here the buffer is flushed first (a STOMP
 * heart-beat newline is sent to take the lock, harmless between frames);</li>
 * <li>an xhr-polling client between two polls finds its SockJS session closed and its cached
 * ERROR discarded: here the close is put off a moment, for the poll the client makes at once.</li>
 * </ul>
 * Other closes, such as cutting off a client too slow to read, happen at once.
 */
final class FlushBeforeCloseSessionDecorator extends ConcurrentWebSocketSessionDecorator {

    private static final TextMessage HEARTBEAT = new TextMessage("\n");

    private static final long FLUSH_WAIT_NANOS = TimeUnit.MILLISECONDS.toNanos(500);

    private static final Duration POLL_GRACE = Duration.ofMillis(500);

    private final Supplier<TaskScheduler> scheduler;

    FlushBeforeCloseSessionDecorator(WebSocketSession session, int sendTimeLimit, int bufferSizeLimit,
            Supplier<TaskScheduler> scheduler) {
        super(session, sendTimeLimit, bufferSizeLimit);
        this.scheduler = scheduler;
    }

    @Override
    public void close(CloseStatus status) throws IOException {
        if (!CloseStatus.PROTOCOL_ERROR.equals(status) || !isOpen()) {
            super.close(status);
            return;
        }
        flushBuffer();
        if (getDelegate() instanceof AbstractHttpSockJsSession http && !http.isActive()) {
            this.scheduler.get().schedule(() -> closeQuietly(status), Instant.now().plus(POLL_GRACE));
            return;
        }
        super.close(status);
    }

    private void flushBuffer() {
        long deadline = System.nanoTime() + FLUSH_WAIT_NANOS;
        try {
            while (getBufferSize() > 0 && System.nanoTime() < deadline) {
                sendMessage(HEARTBEAT);
                if (getBufferSize() > 0) {
                    LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
                }
            }
        }
        catch (IOException | RuntimeException ex) {
            // the connection failed on its own: closing it is all that is left to do
        }
    }

    private void closeQuietly(CloseStatus status) {
        try {
            super.close(status);
        }
        catch (IOException ex) {
            // the client is gone already, which is what a close was for
        }
    }
}
