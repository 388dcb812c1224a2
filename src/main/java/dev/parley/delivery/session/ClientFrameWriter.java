package dev.parley.delivery.session;

import java.io.IOException;
import java.util.concurrent.Executor;
import java.util.function.Consumer;

import org.springframework.web.socket.WebSocketSession;
import org.springframework.web.socket.sockjs.transport.session.AbstractHttpSockJsSession;

/**
 * How one batch of STOMP frames (UTF-8) reaches one client as a WebSocket text message. A
 * writer writes one batch at a time: {@link ClientSessionDecorator} starts the next only after
 * the previous one has completed.
 * <p>
 * Each connection is given its writer when it is made, and {@code delivery.tomcat}'s
 * {@code TomcatFrameWriters} chooses it. Only the blocking write is here ({@link #blocking}): the
 * non-blocking one goes below Tomcat's API, and what relies on Tomcat's internals stays in one
 * package.
 */
@FunctionalInterface
public interface ClientFrameWriter {

    /**
     * Writes {@code batch} without waiting for the client. Returns {@code true} if it was written
     * before returning, and then {@code done} is not called; otherwise {@code done} runs once the
     * write has completed (on this thread or another, possibly before this method returns), with
     * {@code null} or the failure.
     */
    boolean write(byte[] batch, Consumer<Throwable> done);

    /**
     * A writer that hands each batch to {@code executor}, whose thread blocks in {@code send}
     * until the client has taken it: the way to every session that cannot be written without
     * blocking (SockJS), and the fallback of those that can.
     */
    static ClientFrameWriter blocking(WebSocketSession session, Executor executor, BlockingSend send) {
        return (batch, done) -> {
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
    }

    /** Sends one whole batch to the client, blocking until it is written. */
    @FunctionalInterface
    interface BlockingSend {

        void send(byte[] batch) throws IOException;
    }
}
