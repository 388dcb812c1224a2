package dev.parley.delivery;

import java.io.IOException;
import java.util.concurrent.Executor;
import java.util.function.Consumer;

import jakarta.websocket.Session;
import org.apache.tomcat.util.net.SocketWrapperBase;

import org.springframework.web.socket.TextMessage;
import org.springframework.web.socket.WebSocketSession;
import org.springframework.web.socket.adapter.standard.StandardWebSocketSession;
import org.springframework.web.socket.sockjs.transport.session.AbstractHttpSockJsSession;

/**
 * How one batch of STOMP frames (UTF-8) reaches one client as a WebSocket text message. A
 * writer writes one batch at a time: {@link ClientSessionDecorator} starts the next only after
 * the previous one has completed.
 */
@FunctionalInterface
interface ClientFrameWriter {

    /**
     * Writes {@code batch} without waiting for the client. Returns {@code true} if it was written
     * before returning, and then {@code done} is not called; otherwise {@code done} runs once the
     * write has completed (on this thread or another, possibly before this method returns), with
     * {@code null} or the failure.
     */
    boolean write(byte[] batch, Consumer<Throwable> done);

    /**
     * A writer for {@code session}. On a plain WebSocket session on Tomcat it first tries a
     * non-blocking write on the calling thread ({@link TomcatSocketWrites}): a client that reads
     * keeps room in its socket buffer, so the write is done at once, with no other thread woken.
     * What the socket cannot take at once Tomcat finishes when the client has read (its poller
     * tells, a Tomcat thread writes), and closes the session after {@code sendTimeLimitMillis}.
     * Otherwise, and when Tomcat is writing to the socket itself (a pong, a close), the write
     * blocks on {@code executor}, as on every other session (SockJS), which sends a
     * {@link TextMessage}.
     */
    static ClientFrameWriter forSession(WebSocketSession session, Executor executor, long sendTimeLimitMillis) {
        BlockingSend send = blockingSend(session, sendTimeLimitMillis);
        ClientFrameWriter blocking = (batch, done) -> {
            executor.execute(() -> {
                try {
                    if (session instanceof AbstractHttpSockJsSession) {
                        // see ClientSessionDecorator#awaitTransport
                        synchronized (session) {
                            send.send(batch);
                        }
                    }
                    else {
                        send.send(batch);
                    }
                    done.accept(null);
                }
                catch (IOException | RuntimeException ex) {
                    done.accept(ex);
                }
            });
            return false;
        };
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

    @FunctionalInterface
    interface BlockingSend {

        void send(byte[] batch) throws IOException;
    }
}
