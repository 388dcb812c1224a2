package dev.parley.config;

import java.io.IOException;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.nio.ByteBuffer;
import java.util.concurrent.Executor;
import java.util.function.Consumer;

import jakarta.websocket.RemoteEndpoint;
import jakarta.websocket.Session;

import org.springframework.web.socket.TextMessage;
import org.springframework.web.socket.WebSocketSession;
import org.springframework.web.socket.adapter.standard.StandardWebSocketSession;

/**
 * How one batch of STOMP frames (UTF-8) reaches one client as a WebSocket text message. A
 * writer writes one batch at a time: {@link ClientSessionDecorator} starts the next only after
 * {@code done} has run.
 */
@FunctionalInterface
interface ClientFrameWriter {

    /**
     * Starts writing {@code batch} and returns without waiting for the client; {@code done}
     * runs on another thread once the write has completed, with {@code null} or the failure.
     */
    void write(byte[] batch, Consumer<Throwable> done);

    /**
     * A writer that makes the session's blocking sends on {@code executor}: a thread of a small
     * pool that writes one batch after another, woken once for many frames rather than once per
     * frame. Plain WebSocket sessions on Tomcat write the UTF-8 bytes as they are, and give up
     * (closing the session) after {@code sendTimeLimitMillis}; any other session (SockJS) sends a
     * {@link TextMessage}.
     */
    static ClientFrameWriter forSession(WebSocketSession session, Executor executor, long sendTimeLimitMillis) {
        BlockingSend send = blockingSend(session, sendTimeLimitMillis);
        return (batch, done) -> executor.execute(() -> {
            try {
                send.send(batch);
                done.accept(null);
            }
            catch (IOException | RuntimeException ex) {
                done.accept(ex);
            }
        });
    }

    private static BlockingSend blockingSend(WebSocketSession session, long sendTimeLimitMillis) {
        if (session instanceof StandardWebSocketSession standard) {
            Session nativeSession = standard.getNativeSession();
            Object tomcatEndpoint = TomcatTextFrames.endpointOf(nativeSession.getAsyncRemote());
            if (tomcatEndpoint != null) {
                nativeSession.getUserProperties().put(TomcatTextFrames.BLOCKING_SEND_TIMEOUT, sendTimeLimitMillis);
                return batch -> TomcatTextFrames.send(tomcatEndpoint, ByteBuffer.wrap(batch));
            }
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
     * and {@code ClientFrameWriterTests} fails so that the change is noticed.
     */
    final class TomcatTextFrames {

        private static final byte OPCODE_TEXT = 0x01;

        private static final Class<?> ASYNC_ENDPOINT;

        private static final MethodHandle ENDPOINT;

        private static final MethodHandle SEND_MESSAGE_BLOCK;

        /** Tomcat's session property: how long a blocking send may wait before the session is closed. */
        static final String BLOCKING_SEND_TIMEOUT = "org.apache.tomcat.websocket.BLOCKING_SEND_TIMEOUT";

        static {
            Class<?> asyncEndpoint = null;
            MethodHandle endpoint = null;
            MethodHandle sendMessageBlock = null;
            try {
                ClassLoader loader = TomcatTextFrames.class.getClassLoader();
                Class<?> base = Class.forName("org.apache.tomcat.websocket.WsRemoteEndpointBase", false, loader);
                Class<?> impl = Class.forName("org.apache.tomcat.websocket.WsRemoteEndpointImplBase", false, loader);
                asyncEndpoint = Class.forName("org.apache.tomcat.websocket.WsRemoteEndpointAsync", false, loader);
                endpoint = MethodHandles.privateLookupIn(base, MethodHandles.lookup()).findGetter(base, "base", impl);
                sendMessageBlock = MethodHandles.privateLookupIn(impl, MethodHandles.lookup()).findVirtual(impl,
                        "sendMessageBlock", MethodType.methodType(void.class, byte.class, ByteBuffer.class,
                                boolean.class));
            }
            catch (ReflectiveOperationException | RuntimeException | LinkageError ex) {
                asyncEndpoint = null;
            }
            ASYNC_ENDPOINT = asyncEndpoint;
            ENDPOINT = endpoint;
            SEND_MESSAGE_BLOCK = sendMessageBlock;
        }

        private TomcatTextFrames() {
        }

        static boolean available() {
            return ASYNC_ENDPOINT != null;
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

        static void send(Object endpoint, ByteBuffer utf8) throws IOException {
            try {
                SEND_MESSAGE_BLOCK.invoke(endpoint, OPCODE_TEXT, utf8, true);
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
