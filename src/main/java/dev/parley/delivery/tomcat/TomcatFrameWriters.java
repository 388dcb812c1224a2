package dev.parley.delivery.tomcat;

import java.util.concurrent.Executor;

import jakarta.websocket.Session;
import org.apache.tomcat.util.net.SocketWrapperBase;

import dev.parley.delivery.session.ClientFrameWriter;
import dev.parley.delivery.session.ClientFrameWriter.BlockingSend;

import org.springframework.web.socket.TextMessage;
import org.springframework.web.socket.WebSocketSession;
import org.springframework.web.socket.adapter.standard.StandardWebSocketSession;

/**
 * Chooses each connection's {@link ClientFrameWriter}: the one place where a connection's queue
 * meets Tomcat's internals, so that the queue's package needs none of them.
 */
public final class TomcatFrameWriters {

    private TomcatFrameWriters() {
    }

    /**
     * A writer for {@code session}. On a plain WebSocket session on Tomcat it first tries a
     * non-blocking write on the calling thread ({@link TomcatSocketWrites}): a client that reads
     * keeps room in its socket buffer, so the write is done at once, with no other thread woken.
     * What the socket cannot take at once Tomcat finishes when the client has read (its poller
     * tells, a Tomcat thread writes), and closes the session after {@code sendTimeLimitMillis}.
     * Otherwise, and when Tomcat is writing to the socket itself (a pong, a close), the write
     * blocks on {@code executor} ({@link ClientFrameWriter#blocking}), as on every other session
     * (SockJS), which sends a {@link TextMessage}.
     */
    public static ClientFrameWriter forSession(WebSocketSession session, Executor executor, long sendTimeLimitMillis) {
        ClientFrameWriter blocking = ClientFrameWriter.blocking(session, executor,
                blockingSend(session, sendTimeLimitMillis));
        Session tomcatSession = (session instanceof StandardWebSocketSession standard)
                ? standard.getNativeSession() : null;
        SocketWrapperBase<?> socket = (tomcatSession != null) ? TomcatSocketWrites.socketOf(tomcatSession) : null;
        if (socket == null) {
            return blocking;
        }
        PollerReads.markNonBlocking(tomcatSession);
        return (batch, done) -> {
            // once Tomcat is closing the session (it may have sent the close frame), its own
            // send refuses the write, which closes ours
            if (!tomcatSession.isOpen()) {
                return blocking.write(batch, done);
            }
            return switch (TomcatSocketWrites.write(socket, batch, sendTimeLimitMillis, done)) {
                case WRITTEN -> true;
                case UNDER_WAY -> false;
                case SOCKET_BUSY -> blocking.write(batch, done);
            };
        };
    }

    private static BlockingSend blockingSend(WebSocketSession session, long sendTimeLimitMillis) {
        if (session instanceof LeanUpgradeStrategy.Utf8TextSession utf8) {
            // for Tomcat's own pongs and close frame; ours give their time limit themselves
            utf8.getNativeSession().getUserProperties().put(TomcatTextFrames.BLOCKING_SEND_TIMEOUT,
                    sendTimeLimitMillis);
            return batch -> utf8.sendUtf8(batch, sendTimeLimitMillis);
        }
        return batch -> session.sendMessage(new TextMessage(batch));
    }
}
