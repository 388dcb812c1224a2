package dev.parley.delivery.tomcat;

import java.io.IOException;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.nio.ByteBuffer;

import jakarta.websocket.RemoteEndpoint;
import org.apache.tomcat.websocket.Constants;
import org.jspecify.annotations.Nullable;

/**
 * Tomcat's own blocking text write of bytes already in UTF-8. The public API takes a
 * {@code String}, which Tomcat encodes again one char at a time (a fifth of the server's CPU at
 * 25,000 deliveries/s); the package-private method behind it takes the bytes. Its asynchronous
 * counterpart hands every completion to another thread, which cost more than the write itself.
 * Looked up once; if a Tomcat version lacks it, the public API is used instead (slower, same
 * result), {@link TomcatFastPaths} says so at start-up, and {@code TomcatTextFramesTests} fails.
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
