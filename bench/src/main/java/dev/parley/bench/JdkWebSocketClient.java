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
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * WebSockets of the JDK's {@link HttpClient} (the bench's client until session 21, {@code --client
 * jdk}): its listener callbacks run on the client's executor.
 */
final class JdkWebSocketClient implements WebSocketClient {

    private final HttpClient client;

    /** @param client shared with the bench's REST calls; closed by its owner */
    JdkWebSocketClient(HttpClient client) {
        this.client = client;
    }

    @Override
    public CompletableFuture<Void> open(URI uri, Duration timeout, Map<String, String> headers,
            ChatConnection connection) {
        JdkLink link = new JdkLink(connection);
        connection.attach(link);
        WebSocket.Builder builder = this.client.newWebSocketBuilder().connectTimeout(timeout);
        headers.forEach(builder::header);
        return builder.buildAsync(uri, link).thenAccept(ws -> link.webSocket = ws);
    }

    @Override
    public void close() {
        // the HttpClient is its owner's
    }

    /**
     * The JDK allows one outstanding send per WebSocket: messages wait in an outbox. A slow
     * reader asks for one message at a time while reading, and for nothing more once paused: the
     * JDK client then stops reading the socket.
     */
    private static final class JdkLink implements Link, WebSocket.Listener {

        private final ChatConnection connection;

        private final Queue<String> outbox = new ConcurrentLinkedQueue<>();

        private final AtomicBoolean sending = new AtomicBoolean();

        private volatile boolean reading = true;

        private volatile WebSocket webSocket;

        JdkLink(ChatConnection connection) {
            this.connection = connection;
        }

        @Override
        public void send(String text) {
            this.outbox.add(text);
            pump();
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
                ChatConnection.QUEUED.decrementAndGet();
                CompletableFuture<WebSocket> sent = sendText(this.webSocket, next);
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
                this.connection.sendFailed(sent.handle((w, ex) -> String.valueOf(ex)).join());
            }
        }

        @Override
        public void close() {
            WebSocket ws = this.webSocket;
            dropQueued();
            if (ws == null) {
                return;
            }
            ws.sendClose(WebSocket.NORMAL_CLOSURE, "").orTimeout(5, TimeUnit.SECONDS)
                    .whenComplete((w, ex) -> ws.abort());
        }

        @Override
        public void abort() {
            dropQueued();
            WebSocket ws = this.webSocket;
            if (ws != null) {
                ws.abort();
            }
        }

        private void dropQueued() {
            while (this.outbox.poll() != null) {
                ChatConnection.QUEUED.decrementAndGet();
            }
        }

        @Override
        public void pauseReading() {
            this.reading = false;
        }

        @Override
        public void resumeReading() {
            this.reading = true;
            WebSocket ws = this.webSocket;
            if (ws != null) {
                ws.request(Long.MAX_VALUE);
            }
        }

        @Override
        public void onOpen(WebSocket webSocket) {
            this.webSocket = webSocket;
            webSocket.request(this.connection.readsOneByOne() ? 1 : Long.MAX_VALUE);
        }

        /** After each received message (or part of one): a slow reader asks for the next while reading. */
        private void readNext(WebSocket webSocket) {
            if (this.connection.readsOneByOne() && this.reading) {
                webSocket.request(1);
            }
        }

        @Override
        public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
            this.connection.received(data, last);
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
            this.connection.closed("unexpected binary message");
            return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
            this.connection.closed("closed by the server: " + statusCode + (reason.isEmpty() ? "" : " " + reason));
            return null;
        }

        @Override
        public void onError(WebSocket webSocket, Throwable error) {
            // an error without a message (the JDK's InternalError) says more with where it came from
            StackTraceElement[] trace = error.getStackTrace();
            String where = (error.getMessage() == null && trace.length > 0) ? " at " + trace[0] : "";
            this.connection.closed("error: " + error + where);
        }
    }
}
