package dev.parley.delivery;

import java.io.IOException;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.nio.ByteBuffer;
import java.util.concurrent.Executor;
import java.util.function.Consumer;

import jakarta.websocket.RemoteEndpoint;
import jakarta.websocket.Session;

import org.apache.tomcat.util.net.SocketWrapperBase;
import org.apache.tomcat.websocket.Constants;
import org.jspecify.annotations.Nullable;

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

    /**
     * Tomcat's own blocking text write of bytes already in UTF-8. The public API takes a
     * {@code String}, which Tomcat encodes again one char at a time (a fifth of the server's CPU
     * at 25,000 deliveries/s); the package-private method behind it takes the bytes. Its
     * asynchronous counterpart hands every completion to another thread, which cost more than
     * the write itself. Looked up
     * once; if a Tomcat version lacks it, the public API is used instead (slower, same result),
     * {@link TomcatFastPaths} says so at start-up, and {@code ClientFrameWriterTests} fails.
     */
    final class TomcatTextFrames {

        private static final byte OPCODE_TEXT = 0x01;

        private static final Class<?> ASYNC_ENDPOINT;

        private static final MethodHandle ENDPOINT;

        private static final MethodHandle SEND_MESSAGE_BLOCK;

        /** Tomcat's session property: how long a blocking send may wait before the session is closed. */
        static final String BLOCKING_SEND_TIMEOUT = Constants.BLOCKING_SEND_TIMEOUT_PROPERTY;

        /** Why the lookup failed, or {@code null} when the fast path is on. */
        private static final @Nullable Throwable FAILURE;

        static {
            Class<?> asyncEndpoint = null;
            MethodHandle endpoint = null;
            MethodHandle sendMessageBlock = null;
            Throwable failure = null;
            try {
                ClassLoader loader = TomcatTextFrames.class.getClassLoader();
                Class<?> base = Class.forName("org.apache.tomcat.websocket.WsRemoteEndpointBase", false, loader);
                Class<?> impl = Class.forName("org.apache.tomcat.websocket.WsRemoteEndpointImplBase", false, loader);
                asyncEndpoint = Class.forName("org.apache.tomcat.websocket.WsRemoteEndpointAsync", false, loader);
                endpoint = MethodHandles.privateLookupIn(base, MethodHandles.lookup()).findGetter(base, "base", impl);
                sendMessageBlock = MethodHandles.privateLookupIn(impl, MethodHandles.lookup()).findVirtual(impl,
                        "sendMessageBlock", MethodType.methodType(void.class, byte.class, ByteBuffer.class,
                                boolean.class, long.class));
            }
            catch (ReflectiveOperationException | RuntimeException | LinkageError ex) {
                asyncEndpoint = null;
                failure = ex;
            }
            FAILURE = failure;
            ASYNC_ENDPOINT = asyncEndpoint;
            ENDPOINT = endpoint;
            SEND_MESSAGE_BLOCK = sendMessageBlock;
        }

        private TomcatTextFrames() {
        }

        static boolean available() {
            return ASYNC_ENDPOINT != null;
        }

        /** Why Tomcat's byte write is not available, or {@code null} if it is. */
        static @Nullable Throwable failure() {
            return FAILURE;
        }

        /** Tomcat's endpoint behind {@code remote}, or {@code null} if it is not Tomcat's. */
        static Object endpointOf(RemoteEndpoint.Async remote) {
            if (ASYNC_ENDPOINT == null || !ASYNC_ENDPOINT.isInstance(remote)) {
                return null;
            }
            try {
                return ENDPOINT.invoke(remote);
            }
            catch (Throwable ex) {
                return null;
            }
        }

        /** Sends {@code utf8} as one text frame, failing after {@code timeoutMillis}. */
        static void send(Object endpoint, ByteBuffer utf8, long timeoutMillis) throws IOException {
            try {
                SEND_MESSAGE_BLOCK.invoke(endpoint, OPCODE_TEXT, utf8, true, System.currentTimeMillis() + timeoutMillis);
            }
            catch (IOException | RuntimeException | Error ex) {
                throw ex;
            }
            catch (Throwable ex) {
                throw new IllegalStateException(ex);
            }
        }
    }
}
