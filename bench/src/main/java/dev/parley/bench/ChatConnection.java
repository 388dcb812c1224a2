package dev.parley.bench;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One JDK {@link WebSocket} carrying a chat protocol as text: what both protocols the bench speaks
 * ({@link StompConnection}, {@link SocketIoConnection}) share, so that they are measured through
 * the same client code and differ only in decoding. Sends one WebSocket text message per
 * {@link #send(String)}, queued, since the JDK allows one outstanding send per WebSocket; what
 * arrives goes to {@link #received(CharSequence, boolean)} (called by the HttpClient's executor, one
 * call at a time per connection).
 */
abstract class ChatConnection implements WebSocket.Listener {

    /** Messages queued for sending on all connections: the generator's backlog. */
    static final AtomicLong QUEUED = new AtomicLong();

    private final Queue<String> outbox = new ConcurrentLinkedQueue<>();

    private final AtomicBoolean sending = new AtomicBoolean();

    private final AtomicBoolean closed = new AtomicBoolean();

    private final AtomicInteger sendFailures = new AtomicInteger();

    /**
     * A slow reader asks the WebSocket for one message at a time while this is true, and for
     * nothing more once it is false: the JDK client then stops reading the socket.
     */
    private final boolean readOneByOne;

    private volatile boolean reading = true;

    private volatile WebSocket webSocket;

    ChatConnection(boolean readOneByOne) {
        this.readOneByOne = readOneByOne;
    }

    /**
     * Opens the WebSocket with {@code connection} as its listener; completes once it is open.
     * @param headers added to the handshake request (see {@link Options#BROWSER_HEADERS})
     */
    static <C extends ChatConnection> CompletableFuture<C> open(HttpClient client, URI uri, Duration timeout,
            C connection, Map<String, String> headers) {
        ChatConnection listener = connection;
        WebSocket.Builder builder = client.newWebSocketBuilder().connectTimeout(timeout);
        headers.forEach(builder::header);
        return builder
                .buildAsync(uri, listener)
                .thenApply(ws -> {
                    listener.webSocket = ws;
                    return connection;
                });
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
        this.outbox.add(message);
        pump();
        return true;
    }

    boolean isOpen() {
        return !this.closed.get();
    }

    /**
     * A slow reader stops asking for messages: at most the one already requested is still
     * delivered; what follows stays in the socket, and TCP back-pressure reaches the server.
     * Closes and errors are not noticed either until reading resumes.
     */
    void stopReading() {
        this.reading = false;
    }

    /** Reads everything again, the backlog first (and then a close, if the server closed). */
    void resumeReading() {
        this.reading = true;
        WebSocket ws = this.webSocket;
        if (ws != null) {
            ws.request(Long.MAX_VALUE);
        }
    }

    int sendFailures() {
        return this.sendFailures.get();
    }

    private void pump() {
        while (this.sending.compareAndSet(false, true)) {
            String next = this.outbox.poll();
            if (next == null) {
                this.sending.set(false);
                if (this.outbox.isEmpty()) {
                    return;
                }
                continue;
            }
            QUEUED.decrementAndGet();
            WebSocket ws = this.webSocket;
            CompletableFuture<WebSocket> sent = sendText(ws, next);
            if (sent.isDone()) {
                afterSend(sent);
                this.sending.set(false);
                continue;
            }
            sent.whenComplete((w, ex) -> {
                afterSend(sent);
                this.sending.set(false);
                pump();
            });
            return;
        }
    }

    private static CompletableFuture<WebSocket> sendText(WebSocket ws, String text) {
        try {
            return ws.sendText(text, true);
        }
        catch (RuntimeException ex) {
            return CompletableFuture.failedFuture(ex);
        }
    }

    private void afterSend(CompletableFuture<WebSocket> sent) {
        if (sent.isCompletedExceptionally()) {
            this.sendFailures.incrementAndGet();
            String reason = sent.handle((w, ex) -> String.valueOf(ex)).join();
            closed("send failed: " + reason);
        }
    }

    /** Closes politely; the socket is aborted if the server does not answer in time. */
    void close() {
        WebSocket ws = this.webSocket;
        if (ws == null || !this.closed.compareAndSet(false, true)) {
            return;
        }
        dropQueued();
        ws.sendClose(WebSocket.NORMAL_CLOSURE, "").orTimeout(5, java.util.concurrent.TimeUnit.SECONDS)
                .whenComplete((w, ex) -> ws.abort());
    }

    void abort() {
        WebSocket ws = this.webSocket;
        this.closed.set(true);
        dropQueued();
        if (ws != null) {
            ws.abort();
        }
    }

    private void dropQueued() {
        while (this.outbox.poll() != null) {
            QUEUED.decrementAndGet();
        }
    }

    /** Ends the connection from this side for a reason the handler is told (once). */
    void closed(String reason) {
        if (this.closed.compareAndSet(false, true)) {
            dropQueued();
            onClosed(reason);
            WebSocket ws = this.webSocket;
            if (ws != null) {
                ws.abort();
            }
        }
    }

    @Override
    public void onOpen(WebSocket webSocket) {
        this.webSocket = webSocket;
        webSocket.request(this.readOneByOne ? 1 : Long.MAX_VALUE);
    }

    /** After each received message (or part of one): a slow reader asks for the next while reading. */
    private void readNext(WebSocket webSocket) {
        if (this.readOneByOne && this.reading) {
            webSocket.request(1);
        }
    }

    @Override
    public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
        received(data, last);
        readNext(webSocket);
        return null;
    }

    // the Listener's defaults request(1) after a ping or pong: a slow reader must not read on
    @Override
    public CompletionStage<?> onPing(WebSocket webSocket, ByteBuffer message) {
        readNext(webSocket);
        return null;
    }

    @Override
    public CompletionStage<?> onPong(WebSocket webSocket, ByteBuffer message) {
        readNext(webSocket);
        return null;
    }

    @Override
    public CompletionStage<?> onBinary(WebSocket webSocket, ByteBuffer data, boolean last) {
        closed("unexpected binary message");
        return null;
    }

    @Override
    public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
        closed("closed by the server: " + statusCode + (reason.isEmpty() ? "" : " " + reason));
        return null;
    }

    @Override
    public void onError(WebSocket webSocket, Throwable error) {
        // an error without a message (the JDK's InternalError) says more with where it came from
        StackTraceElement[] trace = error.getStackTrace();
        String where = (error.getMessage() == null && trace.length > 0) ? " at " + trace[0] : "";
        closed("error: " + error + where);
    }
}
