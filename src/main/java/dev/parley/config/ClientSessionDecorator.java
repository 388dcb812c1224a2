package dev.parley.config;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;
import java.util.function.Supplier;

import org.springframework.scheduling.TaskScheduler;
import org.springframework.web.socket.CloseStatus;
import org.springframework.web.socket.TextMessage;
import org.springframework.web.socket.WebSocketMessage;
import org.springframework.web.socket.WebSocketSession;
import org.springframework.web.socket.handler.ConcurrentWebSocketSessionDecorator;
import org.springframework.web.socket.sockjs.transport.session.AbstractHttpSockJsSession;

/**
 * Spring's thread-safe session for sending one client's frames, with two repairs.
 * <p>
 * <b>Ordered sends.</b> With {@code preservePublishOrder}, Spring hands each message its own
 * callback that releases the session's next ordered message once this one is buffered, but it
 * keeps the callback on the session: a frame sent outside the ordered path (a RECEIPT, an ERROR,
 * an {@code @SubscribeMapping} reply) ran the previous message's callback a second time, which
 * could drop the next broker message or fail the session. Here a callback belongs to the one send
 * it was set for (Spring sets it right before that send, on the same thread).
 * <p>
 * <b>ERROR before close.</b> Spring closes a STOMP connection right after sending an ERROR, and
 * two things would lose that frame, leaving the client with a bare close and no reason:
 * <ul>
 * <li>another thread still flushing an earlier frame holds the send lock, so the ERROR waits in
 * the buffer, and the close discards the buffer: here the buffer is flushed first (a STOMP
 * heart-beat newline is sent to take the lock, harmless between frames);</li>
 * <li>a SockJS session over HTTP holds the ERROR in its cache until the next poll or write, and
 * closing it discards the cache: here the close is put off a moment, for the poll the client
 * makes at once, and a heart-beat pushes the cache out before the close.</li>
 * </ul>
 * Other closes, such as cutting off a client too slow to read, happen at once.
 */
final class ClientSessionDecorator extends ConcurrentWebSocketSessionDecorator {

    private static final TextMessage HEARTBEAT = new TextMessage("\n");

    private static final long FLUSH_WAIT_NANOS = TimeUnit.MILLISECONDS.toNanos(500);

    private static final Duration POLL_GRACE = Duration.ofMillis(500);

    /** The release callback Spring set for the send this thread is about to make, and its session. */
    private static final ThreadLocal<Release> RELEASE_NEXT = new ThreadLocal<>();

    private final Supplier<TaskScheduler> scheduler;

    ClientSessionDecorator(WebSocketSession session, int sendTimeLimit, int bufferSizeLimit,
            Supplier<TaskScheduler> scheduler) {
        super(session, sendTimeLimit, bufferSizeLimit);
        this.scheduler = scheduler;
    }

    @Override
    public void setMessageCallback(Consumer<WebSocketMessage<?>> callback) {
        RELEASE_NEXT.set(new Release(this, callback));
    }

    @Override
    public void sendMessage(WebSocketMessage<?> message) throws IOException {
        Release release = RELEASE_NEXT.get();
        RELEASE_NEXT.remove();
        try {
            super.sendMessage(message);
        }
        finally {
            if (release != null && release.session() == this) {
                release.callback().accept(message);
            }
        }
    }

    @Override
    public void close(CloseStatus status) throws IOException {
        if (!CloseStatus.PROTOCOL_ERROR.equals(status) || !isOpen()) {
            super.close(status);
            return;
        }
        flushBuffer();
        if (getDelegate() instanceof AbstractHttpSockJsSession) {
            this.scheduler.get().schedule(() -> flushSockJsCacheAndClose(status), Instant.now().plus(POLL_GRACE));
            return;
        }
        super.close(status);
    }

    /**
     * SockJS over HTTP may still hold the ERROR in its cache: between two polls, or when it
     * arrived while a poll was being set up. A heart-beat written now goes out with everything
     * cached, into the poll the client has made meanwhile.
     */
    private void flushSockJsCacheAndClose(CloseStatus status) {
        try {
            super.sendMessage(HEARTBEAT);
        }
        catch (IOException | RuntimeException ex) {
            // nothing more can reach the client: just close
        }
        closeQuietly(status);
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

    private record Release(ClientSessionDecorator session, Consumer<WebSocketMessage<?>> callback) {
    }
}
