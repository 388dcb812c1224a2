package dev.parley.bench;

import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One WebSocket carrying a chat protocol as text: what both protocols the bench speaks
 * ({@link StompConnection}, {@link SocketIoConnection}) share, so that they are measured through
 * the same client code and differ only in decoding. The socket itself is a
 * {@link WebSocketClient.Link} (the JDK's or Netty's). Sends one WebSocket text message per
 * {@link #send(String)}, in order; what arrives goes to {@link #received(CharSequence, boolean)}
 * (called by the client's threads, one call at a time per connection).
 */
abstract class ChatConnection {

    /** Messages queued for sending on all connections: the generator's backlog. */
    static final AtomicLong QUEUED = new AtomicLong();

    private final AtomicBoolean closed = new AtomicBoolean();

    private final AtomicInteger sendFailures = new AtomicInteger();

    /**
     * A slow reader: the JDK's client asks for one message at a time while reading, so that
     * {@link #stopReading()} stops at the next message (Netty's stops at its next socket read).
     */
    private final boolean readOneByOne;

    private volatile WebSocketClient.Link link;

    ChatConnection(boolean readOneByOne) {
        this.readOneByOne = readOneByOne;
    }

    /**
     * Opens the WebSocket for {@code connection}; completes once it is open.
     * @param headers added to the handshake request (see {@link Options#BROWSER_HEADERS})
     */
    static <C extends ChatConnection> CompletableFuture<C> open(WebSocketClient client, URI uri, Duration timeout,
            C connection, Map<String, String> headers) {
        return client.open(uri, timeout, headers, connection).thenApply(ignored -> connection);
    }

    /** Called by the client before anything arrives on the link. */
    void attach(WebSocketClient.Link link) {
        this.link = link;
    }

    boolean readsOneByOne() {
        return this.readOneByOne;
    }

    /** Some text arrived: a whole WebSocket message, or a part of one ({@code last} false). */
    abstract void received(CharSequence data, boolean last);

    /** The connection ended: closed by the server, failed, or broken by a protocol error (called once). */
    abstract void onClosed(String reason);

    /** Queues a message (already encoded); false if the connection is closed. */
    boolean send(String message) {
        if (this.closed.get()) {
            return false;
        }
        QUEUED.incrementAndGet();
        this.link.send(message);
        return true;
    }

    boolean isOpen() {
        return !this.closed.get();
    }

    /**
     * A slow reader stops reading: what follows stays in the socket, and TCP back-pressure reaches
     * the server. Closes and errors are not noticed either until reading resumes.
     */
    void stopReading() {
        this.link.pauseReading();
    }

    /** Reads everything again, the backlog first (and then a close, if the server closed). */
    void resumeReading() {
        WebSocketClient.Link current = this.link;
        if (current != null) {
            current.resumeReading();
        }
    }

    int sendFailures() {
        return this.sendFailures.get();
    }

    /** A message could not be sent: the connection is closed for it (unless it already was). */
    void sendFailed(Object reason) {
        if (isOpen()) {
            this.sendFailures.incrementAndGet();
            closed("send failed: " + reason);
        }
    }

    /** Closes politely; the socket is aborted if the server does not answer in time. */
    void close() {
        WebSocketClient.Link current = this.link;
        if (current == null || !this.closed.compareAndSet(false, true)) {
            return;
        }
        current.close();
    }

    void abort() {
        this.closed.set(true);
        WebSocketClient.Link current = this.link;
        if (current != null) {
            current.abort();
        }
    }

    /** Ends the connection from this side for a reason the handler is told (once). */
    void closed(String reason) {
        if (this.closed.compareAndSet(false, true)) {
            onClosed(reason);
            WebSocketClient.Link current = this.link;
            if (current != null) {
                current.abort();
            }
        }
    }
}
