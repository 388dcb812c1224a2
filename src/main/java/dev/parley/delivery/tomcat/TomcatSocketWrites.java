package dev.parley.delivery.tomcat;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.nio.ByteBuffer;
import java.nio.channels.CompletionHandler;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import jakarta.websocket.Session;
import org.apache.tomcat.util.net.SocketWrapperBase;
import org.apache.tomcat.util.net.SocketWrapperBase.BlockingMode;
import org.apache.tomcat.util.net.SocketWrapperBase.CompletionState;
import org.jspecify.annotations.Nullable;

/**
 * Whole WebSocket text frames written to a Tomcat connection's socket without blocking, below
 * Tomcat's WebSocket API.
 * <p>
 * Why below it: Tomcat's blocking send needs a thread that may wait, so every frame used to be
 * handed to a writer thread and each broadcast woke some; its asynchronous send hands every
 * completion to another thread. Tomcat's socket itself can attempt a write on the calling
 * thread and report whether it finished there ({@link Outcome#WRITTEN}, the usual case: a client
 * that reads keeps room in its socket buffer), or finish it later from its poller when the
 * client has read ({@link Outcome#UNDER_WAY}). Writes from Tomcat itself (pongs, the close
 * frame) and these take turns through the socket's own write semaphore; when Tomcat holds it,
 * the write is not attempted ({@link Outcome#SOCKET_BUSY}) and the caller sends another way.
 * <p>
 * The socket is Tomcat's internal {@code socketWrapper} field of its server endpoint, looked up
 * once. If a Tomcat version lacks it, {@link #socketOf} returns {@code null}, every write blocks
 * on a writer thread as before (slower, same result), {@link TomcatFastPaths} says so at
 * start-up, and {@code TomcatSocketWritesTests} fails.
 */
final class TomcatSocketWrites {

    /** What became of a write. */
    enum Outcome {

        /** Written before returning; the completion callback is not called. */
        WRITTEN,

        /** The callback runs when Tomcat has finished the write, or failed it. */
        UNDER_WAY,

        /** Tomcat is writing to the socket itself: nothing was written, no callback will run. */
        SOCKET_BUSY
    }

    private static final byte FIN_TEXT = (byte) 0x81;

    private static final Class<?> SERVER_ENDPOINT;

    private static final MethodHandle SOCKET_WRAPPER;

    /** Why the lookup failed, or {@code null} when the fast path is on. */
    private static final @Nullable Throwable FAILURE;

    static {
        Class<?> serverEndpoint = null;
        MethodHandle socketWrapper = null;
        Throwable failure = null;
        try {
            serverEndpoint = Class.forName("org.apache.tomcat.websocket.server.WsRemoteEndpointImplServer", false,
                    TomcatSocketWrites.class.getClassLoader());
            socketWrapper = MethodHandles.privateLookupIn(serverEndpoint, MethodHandles.lookup())
                .findGetter(serverEndpoint, "socketWrapper", SocketWrapperBase.class);
        }
        catch (ReflectiveOperationException | RuntimeException | LinkageError ex) {
            serverEndpoint = null;
            failure = ex;
        }
        FAILURE = failure;
        SERVER_ENDPOINT = serverEndpoint;
        SOCKET_WRAPPER = socketWrapper;
    }

    private TomcatSocketWrites() {
    }

    static boolean available() {
        return SERVER_ENDPOINT != null;
    }

    /** Why the socket cannot be reached, or {@code null} if it can. */
    static @Nullable Throwable failure() {
        return FAILURE;
    }

    /**
     * The socket of a server-side Tomcat session, or {@code null} if it is not one, or if it
     * negotiated an extension ({@code permessage-deflate}), which Tomcat applies above the socket.
     */
    static @Nullable SocketWrapperBase<?> socketOf(Session session) {
        Object endpoint = TomcatTextFrames.endpointOf(session.getAsyncRemote());
        if (SERVER_ENDPOINT == null || !SERVER_ENDPOINT.isInstance(endpoint)
                || !session.getNegotiatedExtensions().isEmpty()) {
            return null;
        }
        try {
            return (SocketWrapperBase<?>) SOCKET_WRAPPER.invoke(endpoint);
        }
        catch (Throwable ex) {
            return null;
        }
    }

    /**
     * Starts writing {@code utf8} as one final text frame. A write not finished at once is
     * failed by Tomcat with a {@code SocketTimeoutException} after {@code timeoutMillis}.
     */
    static Outcome write(SocketWrapperBase<?> socket, byte[] utf8, long timeoutMillis, Consumer<Throwable> done) {
        CompletionState state = socket.write(BlockingMode.NON_BLOCK, timeoutMillis, TimeUnit.MILLISECONDS, null,
                SocketWrapperBase.COMPLETE_WRITE, new Completion(done), header(utf8.length), ByteBuffer.wrap(utf8));
        return switch (state) {
            case INLINE -> Outcome.WRITTEN;
            case NOT_DONE -> Outcome.SOCKET_BUSY;
            // PENDING; DONE or ERROR once Tomcat has finished or failed it, and called back
            default -> Outcome.UNDER_WAY;
        };
    }

    /** A server's frame header (RFC 6455 section 5.2): FIN, text, unmasked, the length. */
    static ByteBuffer header(int length) {
        ByteBuffer header;
        if (length < 126) {
            header = ByteBuffer.allocate(2).put(FIN_TEXT).put((byte) length);
        }
        else if (length <= 0xFFFF) {
            header = ByteBuffer.allocate(4).put(FIN_TEXT).put((byte) 126).putShort((short) length);
        }
        else {
            header = ByteBuffer.allocate(10).put(FIN_TEXT).put((byte) 127).putLong(length);
        }
        return header.flip();
    }

    private record Completion(Consumer<Throwable> done) implements CompletionHandler<Long, Void> {

        @Override
        public void completed(Long bytes, Void attachment) {
            this.done.accept(null);
        }

        @Override
        public void failed(Throwable failure, Void attachment) {
            this.done.accept(failure);
        }
    }
}
