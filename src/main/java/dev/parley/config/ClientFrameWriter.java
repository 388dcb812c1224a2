package dev.parley.config;

import java.io.IOException;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executor;
import java.util.function.Consumer;

import jakarta.websocket.RemoteEndpoint;
import jakarta.websocket.SendHandler;
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
     * The asynchronous writer for a plain WebSocket session, or a writer that runs the session's
     * blocking sends on {@code executor} for any other (SockJS) session.
     */
    static ClientFrameWriter forSession(WebSocketSession session, Executor executor) {
        if (session instanceof StandardWebSocketSession standard) {
            return asynchronous(standard.getNativeSession());
        }
        return (batch, done) -> executor.execute(() -> {
            try {
                session.sendMessage(new TextMessage(batch));
                done.accept(null);
            }
            catch (IOException | RuntimeException ex) {
                done.accept(ex);
            }
        });
    }

    private static ClientFrameWriter asynchronous(Session session) {
        RemoteEndpoint.Async remote = session.getAsyncRemote();
        Object tomcatEndpoint = TomcatTextFrames.endpointOf(remote);
        if (tomcatEndpoint != null) {
            return (batch, done) -> TomcatTextFrames.send(tomcatEndpoint, ByteBuffer.wrap(batch), handler(done));
        }
        return (batch, done) -> remote.sendText(new String(batch, StandardCharsets.UTF_8), handler(done));
    }

    private static SendHandler handler(Consumer<Throwable> done) {
        return result -> done.accept(result.isOK() ? null : result.getException());
    }

    /**
     * Tomcat's own asynchronous text write of bytes already in UTF-8. The public API takes a
     * {@code String}, which Tomcat encodes again one char at a time (a fifth of the server's CPU
     * at 25,000 deliveries/s); the package-private method behind it takes the bytes. Looked up
     * once; if a Tomcat version lacks it, the public API is used instead (slower, same result),
     * and {@code ClientFrameWriterTests} fails so that the change is noticed.
     */
    final class TomcatTextFrames {

        private static final byte OPCODE_TEXT = 0x01;

        private static final Class<?> ASYNC_ENDPOINT;

        private static final MethodHandle ENDPOINT;

        private static final MethodHandle START_MESSAGE;

        static {
            Class<?> asyncEndpoint = null;
            MethodHandle endpoint = null;
            MethodHandle startMessage = null;
            try {
                ClassLoader loader = TomcatTextFrames.class.getClassLoader();
                Class<?> base = Class.forName("org.apache.tomcat.websocket.WsRemoteEndpointBase", false, loader);
                Class<?> impl = Class.forName("org.apache.tomcat.websocket.WsRemoteEndpointImplBase", false, loader);
                asyncEndpoint = Class.forName("org.apache.tomcat.websocket.WsRemoteEndpointAsync", false, loader);
                endpoint = MethodHandles.privateLookupIn(base, MethodHandles.lookup()).findGetter(base, "base", impl);
                startMessage = MethodHandles.privateLookupIn(impl, MethodHandles.lookup()).findVirtual(impl,
                        "startMessage", MethodType.methodType(void.class, byte.class, ByteBuffer.class,
                                boolean.class, SendHandler.class));
            }
            catch (ReflectiveOperationException | RuntimeException | LinkageError ex) {
                asyncEndpoint = null;
            }
            ASYNC_ENDPOINT = asyncEndpoint;
            ENDPOINT = endpoint;
            START_MESSAGE = startMessage;
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

        static void send(Object endpoint, ByteBuffer utf8, SendHandler handler) {
            try {
                START_MESSAGE.invoke(endpoint, OPCODE_TEXT, utf8, true, handler);
            }
            catch (RuntimeException | Error ex) {
                throw ex;
            }
            catch (Throwable ex) {
                throw new IllegalStateException(ex);
            }
        }
    }
}
