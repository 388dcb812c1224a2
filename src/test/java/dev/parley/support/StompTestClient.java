package dev.parley.support;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.reflect.Type;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;

import jakarta.websocket.ContainerProvider;
import jakarta.websocket.WebSocketContainer;
import org.jspecify.annotations.Nullable;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.JsonNodeFactory;

import org.springframework.core.task.SimpleAsyncTaskExecutor;
import org.springframework.http.client.SimpleClientHttpRequestFactory;
import org.springframework.messaging.Message;
import org.springframework.messaging.MessageHeaders;
import org.springframework.messaging.converter.MessageConverter;
import org.springframework.messaging.simp.stomp.StompCommand;
import org.springframework.messaging.simp.stomp.StompFrameHandler;
import org.springframework.messaging.simp.stomp.StompHeaders;
import org.springframework.messaging.simp.stomp.StompSession;
import org.springframework.messaging.simp.stomp.StompSessionHandlerAdapter;
import org.springframework.messaging.support.MessageBuilder;
import org.springframework.messaging.support.MessageHeaderAccessor;
import org.springframework.scheduling.concurrent.ThreadPoolTaskScheduler;
import org.springframework.util.MimeTypeUtils;
import org.springframework.web.client.RestTemplate;
import org.springframework.web.socket.CloseStatus;
import org.springframework.web.socket.TextMessage;
import org.springframework.web.socket.WebSocketHandler;
import org.springframework.web.socket.WebSocketHttpHeaders;
import org.springframework.web.socket.WebSocketSession;
import org.springframework.web.socket.client.WebSocketClient;
import org.springframework.web.socket.client.standard.StandardWebSocketClient;
import org.springframework.web.socket.handler.WebSocketHandlerDecorator;
import org.springframework.web.socket.messaging.WebSocketStompClient;
import org.springframework.web.socket.sockjs.client.RestTemplateXhrTransport;
import org.springframework.web.socket.sockjs.client.SockJsClient;
import org.springframework.web.socket.sockjs.client.WebSocketTransport;
import org.springframework.web.socket.sockjs.transport.TransportType;

/**
 * The STOMP client of Parley's integration tests: one instance is one connection (one browser
 * tab), over one of the {@link Transport transports} of contract section 3.
 *
 * <pre>{@code
 * ParleyApi.Claim alice = api.claim(ParleyApi.uniqueName("alice"));
 * try (StompTestClient client = StompTestClient.connect(port, Transport.WEBSOCKET, alice.nickname(), alice.token())) {
 *     StompTestClient.Subscription room = client.subscribe("/topic/room." + roomName); // confirmed by RECEIPT
 *     client.send("/app/room." + roomName + ".join", Map.of());                         // sent as {}
 *     JsonNode join = room.next();                                                      // fails after 10 s
 *     client.send("/app/room." + roomName + ".send", "not json");                       // raw body
 * }
 * }</pre>
 *
 * <h2>Bodies</h2>
 * {@link #send} sends a {@code String} (as UTF-8) or {@code byte[]} exactly as given, without a
 * {@code content-type}; anything else (a {@code Map}, a record) is serialised as JSON with
 * {@code content-type: application/json}. An empty {@code Map} is sent as {@code {}}.
 * Received bodies are parsed as JSON; a body that is not JSON arrives as a JSON string node
 * holding the raw text, an empty body as a JSON {@code null} node.
 *
 * <h2>Network</h2>
 * Every connection runs through its own small TCP proxy, so that {@link #dropAbruptly()} can cut
 * the connection the way a closed tab or a lost network does on every transport (Spring's XHR
 * client cannot abort a running request itself), and {@link #vanish()} can make a client go
 * silent without closing anything.
 *
 * <h2>Waiting</h2>
 * Every wait is bounded by {@link #TIMEOUT} (10 s) unless a duration is given, and fails the
 * test with a description of what did arrive. Prove absence with a later marker
 * ({@link Subscription#takeUntil}) where possible; {@link Subscription#awaitNone} is for the
 * rare case that needs a quiet window, keep it short (500 ms).
 *
 * <p>Close every client after a test: try-with-resources, or {@link #closeAll()} in an
 * {@code @AfterEach}.
 */
public final class StompTestClient implements AutoCloseable {

    /** How every transport of contract section 3 is reached. */
    public enum Transport {

        /** Plain WebSocket to {@code ws://HOST:PORT/ws/websocket}. */
        WEBSOCKET,

        /** SockJS at {@code /ws}, WebSocket transport only. */
        SOCKJS_WEBSOCKET,

        /** SockJS at {@code /ws}, {@code xhr_streaming} transport only (no fallback). */
        SOCKJS_XHR_STREAMING,

        /** SockJS at {@code /ws}, {@code xhr} (polling) transport only. */
        SOCKJS_XHR_POLLING;

        /** Whether this transport is SockJS over HTTP requests rather than a WebSocket. */
        public boolean isXhr() {
            return this == SOCKJS_XHR_STREAMING || this == SOCKJS_XHR_POLLING;
        }
    }

    /** The default bound of every wait. */
    public static final Duration TIMEOUT = Duration.ofSeconds(10);

    /**
     * A STOMP {@code ERROR} frame received on the connection.
     * @param message its {@code message} header, or {@code null} when absent
     * @param body its body as text ({@code ""} when empty)
     * @param headers all its headers
     */
    public record ErrorFrame(@Nullable String message, String body, StompHeaders headers) {
    }

    /**
     * The outcome of a refused {@code CONNECT}: the server sent an {@code ERROR} frame and then
     * closed the connection.
     * @param message the {@code message} header of the ERROR frame
     * @param frame the whole ERROR frame
     * @param closeStatus how the transport was closed
     */
    public record Refusal(@Nullable String message, ErrorFrame frame, CloseStatus closeStatus) {
    }

    private static final Set<StompTestClient> OPEN = ConcurrentHashMap.newKeySet();

    private static final AtomicInteger IDS = new AtomicInteger();

    private static final WebSocketContainer CONTAINER = createContainer();

    private final int id = IDS.incrementAndGet();

    private final Transport transport;

    private final @Nullable String login;

    private final TcpProxy proxy;

    private final ThreadPoolTaskScheduler scheduler;

    private final WebSocketStompClient stompClient;

    private final CompletableFuture<StompSession> connected;

    private final CompletableFuture<CloseStatus> closed = new CompletableFuture<>();

    private final BlockingQueue<ErrorFrame> errorFrames = new LinkedBlockingQueue<>();

    private final List<Throwable> failures = new CopyOnWriteArrayList<>();

    private final AtomicInteger receiptIds = new AtomicInteger();

    private final AtomicBoolean released = new AtomicBoolean();

    private volatile @Nullable WebSocketSession webSocketSession;

    private StompTestClient(int port, Transport transport, StompHeaders connectHeaders) {
        this.transport = transport;
        this.login = connectHeaders.getLogin();
        try {
            this.proxy = new TcpProxy(port, "stomp-test-" + this.id);
        }
        catch (IOException ex) {
            throw new IllegalStateException("Cannot open the TCP proxy for the test client", ex);
        }
        this.scheduler = new ThreadPoolTaskScheduler();
        this.scheduler.setPoolSize(2);
        this.scheduler.setDaemon(true);
        this.scheduler.setThreadNamePrefix("stomp-test-" + this.id + "-");
        this.scheduler.initialize();

        this.stompClient = new WebSocketStompClient(new CapturingWebSocketClient(createTransportClient()));
        this.stompClient.setMessageConverter(new BodyConverter());
        this.stompClient.setTaskScheduler(this.scheduler);
        this.stompClient.setReceiptTimeLimit(TIMEOUT.toMillis() + 5_000);
        this.stompClient.setInboundMessageSizeLimit(1024 * 1024);
        this.stompClient.start();
        OPEN.add(this);

        String url = (transport == Transport.WEBSOCKET)
                ? "ws://127.0.0.1:" + this.proxy.port() + "/ws/websocket"
                : "http://127.0.0.1:" + this.proxy.port() + "/ws";
        this.connected = this.stompClient.connectAsync(url, new WebSocketHttpHeaders(), connectHeaders,
                new SessionHandler());
    }

    // ---------------------------------------------------------------- factories

    /**
     * Connect as {@code nickname} and wait for {@code CONNECTED}; fails the test when the
     * server refuses or does not answer within {@link #TIMEOUT}. The client offers heart-beats
     * of 10 s / 10 s, like a browser.
     * @param port the application's port
     * @param transport how to reach it
     * @param nickname the STOMP {@code login}
     * @param token the STOMP {@code passcode}
     */
    public static StompTestClient connect(int port, Transport transport, String nickname, String token) {
        return connect(port, transport, credentials(nickname, token));
    }

    /**
     * Connect with a claimed nickname; see {@link #connect(int, Transport, String, String)}.
     */
    public static StompTestClient connect(int port, Transport transport, ParleyApi.Claim claim) {
        return connect(port, transport, claim.nickname(), claim.token());
    }

    /**
     * Connect with CONNECT headers of your own (e.g. a different {@code heart-beat}) and wait for
     * {@code CONNECTED}.
     */
    public static StompTestClient connect(int port, Transport transport, StompHeaders connectHeaders) {
        StompTestClient client = new StompTestClient(port, transport, connectHeaders);
        try {
            client.connected.get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            return client;
        }
        catch (TimeoutException ex) {
            client.release();
            throw new AssertionError(client + ": no CONNECTED within " + TIMEOUT + "; " + client.history());
        }
        catch (ExecutionException ex) {
            client.awaitQuietly(client.closed, Duration.ofSeconds(2));
            client.release();
            throw new AssertionError(client + ": CONNECT failed: " + ex.getCause() + "; " + client.history(),
                    ex.getCause());
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            client.release();
            throw new AssertionError("Interrupted", ex);
        }
    }

    /**
     * Send a {@code CONNECT} that the server must refuse: waits until the server has sent an
     * {@code ERROR} frame and closed the connection, and fails the test if it answers
     * {@code CONNECTED}, closes without an {@code ERROR} frame, or leaves the connection open.
     * @param login the {@code login} header, or {@code null} to leave it out
     * @param passcode the {@code passcode} header, or {@code null} to leave it out
     * @return the refusal, with the ERROR frame's {@code message} header
     */
    public static Refusal connectExpectingRefusal(int port, Transport transport, @Nullable String login,
            @Nullable String passcode) {
        return connectExpectingRefusal(port, transport, credentials(login, passcode));
    }

    /**
     * Send a {@code CONNECT} with headers of your own that the server must refuse; see
     * {@link #connectExpectingRefusal(int, Transport, String, String)}.
     */
    public static Refusal connectExpectingRefusal(int port, Transport transport, StompHeaders connectHeaders) {
        StompTestClient client = new StompTestClient(port, transport, connectHeaders);
        try {
            try {
                CompletableFuture.anyOf(client.closed, client.connected).get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            }
            catch (ExecutionException ex) {
                // the CONNECT failed: expected, look at what happened below
            }
            catch (TimeoutException ex) {
                throw new AssertionError(client + ": expected the CONNECT to be refused and the connection closed within "
                        + TIMEOUT + ", but it stayed open; " + client.history());
            }
            if (client.connected.isDone() && !client.connected.isCompletedExceptionally()) {
                throw new AssertionError(client + ": expected the CONNECT to be refused, but the server answered CONNECTED");
            }
            CloseStatus status = client.awaitClosed();
            ErrorFrame frame = client.errorFrames.poll(2, TimeUnit.SECONDS);
            if (frame == null) {
                throw new AssertionError(client + ": the connection closed (" + status + ") without an ERROR frame; "
                        + client.history());
            }
            return new Refusal(frame.message(), frame, status);
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            throw new AssertionError("Interrupted", ex);
        }
        finally {
            client.release();
        }
    }

    private static StompHeaders credentials(@Nullable String login, @Nullable String passcode) {
        StompHeaders headers = new StompHeaders();
        if (login != null) {
            headers.setLogin(login);
        }
        if (passcode != null) {
            headers.setPasscode(passcode);
        }
        return headers;
    }

    // ---------------------------------------------------------------- subscribing and sending

    /**
     * Subscribe and return once the server has confirmed the subscription with a
     * {@code RECEIPT} (so a message published afterwards is certain to reach it). Fails the test
     * when no RECEIPT comes within {@link #TIMEOUT}, or the server answers with an ERROR frame
     * or closes the connection instead.
     * @param destination e.g. {@code /topic/room.general}, {@code /user/queue/errors}
     */
    public Subscription subscribe(String destination) {
        StompHeaders headers = new StompHeaders();
        headers.setDestination(destination);
        headers.setReceipt(nextReceiptId("subscribe"));
        Subscription subscription = new Subscription(destination);
        StompSession.Subscription handle = session().subscribe(headers, subscription.handler);
        subscription.handle = handle;
        awaitReceipt(handle, "SUBSCRIBE " + destination);
        return subscription;
    }

    /**
     * Send a {@code SUBSCRIBE} without waiting for anything: for a subscription the server must
     * refuse (follow with {@link #awaitErrorThenClose()}), or for a test
     * of the race itself.
     */
    public Subscription subscribeWithoutReceipt(String destination) {
        Subscription subscription = new Subscription(destination);
        subscription.handle = session().subscribe(destination, subscription.handler);
        return subscription;
    }

    /**
     * Send a {@code SEND} frame.
     * @param destination e.g. {@code /app/room.general.send}
     * @param body a {@code String} or {@code byte[]} sent as is (no content-type), or an object
     * sent as JSON with {@code content-type: application/json}; {@code null} for an empty body
     */
    public void send(String destination, @Nullable Object body) {
        StompHeaders headers = new StompHeaders();
        headers.setDestination(destination);
        send(headers, body);
    }

    /**
     * Send a {@code SEND} frame with headers of your own (they must include the destination).
     * See {@link #send(String, Object)} for the body.
     */
    public void send(StompHeaders headers, @Nullable Object body) {
        byte[] bytes = BodyConverter.toBytes(body);
        if (body != null && !(body instanceof String) && !(body instanceof byte[]) && headers.getContentType() == null) {
            headers.setContentType(MimeTypeUtils.APPLICATION_JSON);
        }
        session().send(headers, bytes);
    }

    /**
     * Send raw text as one WebSocket (or SockJS) message, bypassing the STOMP client: for
     * frames the STOMP client cannot produce (a second CONNECT, odd headers, huge frames).
     * Include the terminating NUL ({@code "\0"}) yourself.
     */
    public void sendRawFrame(String frame) {
        WebSocketSession session = this.webSocketSession;
        if (session == null) {
            throw new IllegalStateException(this + ": no transport session");
        }
        try {
            session.sendMessage(new TextMessage(frame));
        }
        catch (IOException ex) {
            throw new AssertionError(this + ": sending a raw frame failed", ex);
        }
    }

    // ---------------------------------------------------------------- connection state

    /**
     * The ERROR frames received so far, oldest first (taking them removes them).
     */
    public BlockingQueue<ErrorFrame> errorFrames() {
        return this.errorFrames;
    }

    /**
     * Wait up to {@link #TIMEOUT} for the next ERROR frame.
     */
    public ErrorFrame awaitErrorFrame() {
        try {
            ErrorFrame frame = this.errorFrames.poll(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            if (frame == null) {
                throw new AssertionError(this + ": no ERROR frame within " + TIMEOUT + "; " + history());
            }
            return frame;
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            throw new AssertionError("Interrupted", ex);
        }
    }

    /**
     * Wait for what the server does on a protocol violation (contract section 3): an ERROR
     * frame, then the connection closes. Fails the test when the connection is not closed
     * within {@link #TIMEOUT}, or closes without an ERROR frame first.
     * @return the ERROR frame
     */
    public ErrorFrame awaitErrorThenClose() {
        CloseStatus status = awaitClosed();
        ErrorFrame frame = this.errorFrames.poll();
        if (frame == null) {
            throw new AssertionError(this + ": the connection closed (" + status + ") without an ERROR frame first; "
                    + history());
        }
        return frame;
    }

    /**
     * Wait up to {@link #TIMEOUT} for the transport to be closed (by either side).
     * @return how it was closed
     */
    public CloseStatus awaitClosed() {
        return awaitClosed(TIMEOUT);
    }

    /**
     * Wait up to {@code timeout} for the transport to be closed (by either side).
     */
    public CloseStatus awaitClosed(Duration timeout) {
        try {
            return this.closed.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        }
        catch (TimeoutException ex) {
            throw new AssertionError(this + ": the connection was not closed within " + timeout + "; " + history());
        }
        catch (ExecutionException ex) {
            throw new AssertionError(ex.getCause());
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            throw new AssertionError("Interrupted", ex);
        }
    }

    /**
     * Completes with the transport's close status when the connection closes, for either reason.
     */
    public CompletableFuture<CloseStatus> closed() {
        return this.closed;
    }

    /**
     * Whether the STOMP session is connected and its transport still open.
     */
    public boolean isConnected() {
        StompSession session = this.connected.getNow(null);
        return session != null && session.isConnected() && !this.closed.isDone();
    }

    /** The {@code login} this client connected with ({@code null} if none was sent). */
    public @Nullable String nickname() {
        return this.login;
    }

    /** The transport of this connection. */
    public Transport transport() {
        return this.transport;
    }

    /** The underlying Spring {@link StompSession}, for anything this class does not offer. */
    public StompSession stompSession() {
        return session();
    }

    // ---------------------------------------------------------------- ending

    /**
     * End the connection cleanly: a STOMP {@code DISCONNECT} (with a receipt request, so the
     * server does not answer with an ERROR), then the transport is closed. Returns once the
     * server has the DISCONNECT and the transport is closed (WebSocket: the close handshake is
     * done; XHR: the xhr_send request has returned, then the receive request is cut). Harmless
     * when already closed.
     */
    public void disconnect() {
        StompSession session = this.connected.getNow(null);
        if (session != null && session.isConnected() && !this.closed.isDone()) {
            StompHeaders headers = new StompHeaders();
            headers.setReceipt(nextReceiptId("disconnect"));
            try {
                session.disconnect(headers);
            }
            catch (RuntimeException ex) {
                this.failures.add(ex);
            }
            if (!this.transport.isXhr()) {
                awaitQuietly(this.closed, Duration.ofSeconds(5));
            }
            // Over XHR the server has received the DISCONNECT once its xhr_send request returned; Spring's
            // XHR client cannot end its own receive request (it stops reading and then drains it),
            // so release() cuts it.
        }
        release();
    }

    /**
     * End the connection the way a closed browser tab or a dead link does: every TCP connection
     * of this client is closed at once, with no STOMP {@code DISCONNECT}, no WebSocket close
     * frame and no SockJS close. Returns once the client side has noticed.
     */
    public void dropAbruptly() {
        this.proxy.close();
        awaitQuietly(this.closed, TIMEOUT);
        release();
    }

    /**
     * Make this client vanish silently: from now on nothing it sends reaches the server and
     * nothing the server sends reaches it, but no connection is closed (a dead network, a
     * suspended laptop). Only heart-beats and SockJS timeouts can notice. {@link #close()}
     * releases the client afterwards.
     */
    public void vanish() {
        this.proxy.blackhole();
    }

    /**
     * {@link #disconnect()} if still connected, then release every resource. Idempotent.
     */
    @Override
    public void close() {
        if (isConnected() && !this.proxy.isBlackhole()) {
            disconnect();
        }
        else {
            release();
        }
    }

    /**
     * Close every client not closed yet; call it in an {@code @AfterEach}.
     */
    public static void closeAll() {
        for (StompTestClient client : new ArrayList<>(OPEN)) {
            try {
                client.close();
            }
            catch (RuntimeException | AssertionError ex) {
                // best effort: the test already has its outcome
            }
        }
    }

    @Override
    public String toString() {
        return "StompTestClient#" + this.id + "[" + this.login + " over " + this.transport + "]";
    }

    // ---------------------------------------------------------------- internals

    private StompSession session() {
        StompSession session = this.connected.getNow(null);
        if (session == null) {
            throw new IllegalStateException(this + " is not connected");
        }
        return session;
    }

    private String nextReceiptId(String what) {
        return what + "-" + this.receiptIds.incrementAndGet();
    }

    private void awaitReceipt(StompSession.Receiptable receiptable, String what) {
        CompletableFuture<Void> receipt = new CompletableFuture<>();
        receiptable.addReceiptTask(() -> receipt.complete(null));
        receiptable.addReceiptLostTask(() -> receipt.completeExceptionally(new TimeoutException("receipt lost")));
        try {
            CompletableFuture.anyOf(receipt, this.closed).get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        }
        catch (TimeoutException | ExecutionException ex) {
            // described below
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            throw new AssertionError("Interrupted", ex);
        }
        if (receipt.isDone() && !receipt.isCompletedExceptionally()) {
            return;
        }
        if (this.closed.isDone()) {
            throw new AssertionError(this + ": the connection closed instead of confirming " + what + "; " + history());
        }
        throw new AssertionError(this + ": no RECEIPT for " + what + " within " + TIMEOUT
                + " (the server must answer a frame's `receipt` header, STOMP 1.2; Spring's simple broker"
                + " does not do that by itself); " + history());
    }

    private void awaitQuietly(CompletableFuture<?> future, Duration timeout) {
        try {
            future.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        }
        catch (TimeoutException | ExecutionException ex) {
            // best effort
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
        }
    }

    private void release() {
        if (!this.released.compareAndSet(false, true)) {
            return;
        }
        OPEN.remove(this);
        this.proxy.close();
        awaitQuietly(this.closed, Duration.ofSeconds(2));
        try {
            this.stompClient.stop();
        }
        catch (RuntimeException ex) {
            // ignore
        }
        this.scheduler.shutdown();
    }

    private String history() {
        return "ERROR frames: " + this.errorFrames + ", closed: " + this.closed.getNow(null)
                + ", transport failures: " + this.failures;
    }

    private WebSocketClient createTransportClient() {
        return switch (this.transport) {
            case WEBSOCKET -> new StandardWebSocketClient(CONTAINER);
            case SOCKJS_WEBSOCKET -> sockJs(new WebSocketTransport(new StandardWebSocketClient(CONTAINER)));
            case SOCKJS_XHR_STREAMING -> sockJs(xhrTransport(TransportType.XHR_STREAMING));
            case SOCKJS_XHR_POLLING -> sockJs(xhrTransport(TransportType.XHR));
        };
    }

    private SockJsClient sockJs(org.springframework.web.socket.sockjs.client.Transport sockJsTransport) {
        SockJsClient client = new SockJsClient(List.of(sockJsTransport));
        client.setInfoReceiver(xhrTransport(TransportType.XHR));
        client.start();
        return client;
    }

    private RestTemplateXhrTransport xhrTransport(TransportType only) {
        SimpleClientHttpRequestFactory requestFactory = new SimpleClientHttpRequestFactory();
        requestFactory.setConnectTimeout(TIMEOUT);
        requestFactory.setReadTimeout(Duration.ofSeconds(60));
        RestTemplateXhrTransport xhr = new RestTemplateXhrTransport(new RestTemplate(requestFactory)) {
            @Override
            public List<TransportType> getTransportTypes() {
                return List.of(only);
            }
        };
        xhr.setXhrStreamingDisabled(only == TransportType.XHR);
        SimpleAsyncTaskExecutor executor = new SimpleAsyncTaskExecutor("stomp-test-" + this.id + "-xhr-");
        executor.setDaemon(true);
        xhr.setTaskExecutor(executor);
        return xhr;
    }

    private static WebSocketContainer createContainer() {
        WebSocketContainer container = ContainerProvider.getWebSocketContainer();
        container.setDefaultMaxTextMessageBufferSize(1024 * 1024);
        container.setDefaultMaxBinaryMessageBufferSize(1024 * 1024);
        return container;
    }

    static JsonNode parseBody(byte @Nullable [] payload) {
        if (payload == null || payload.length == 0) {
            return JsonNodeFactory.instance.nullNode();
        }
        try {
            return ParleyApi.JSON.readTree(payload);
        }
        catch (JacksonException ex) {
            return JsonNodeFactory.instance.stringNode(new String(payload, StandardCharsets.UTF_8));
        }
    }

    /**
     * Handles what arrives outside subscriptions: ERROR frames and transport failures.
     */
    private final class SessionHandler extends StompSessionHandlerAdapter {

        @Override
        public Type getPayloadType(StompHeaders headers) {
            return byte[].class;
        }

        @Override
        public void handleFrame(StompHeaders headers, @Nullable Object payload) {
            String body = (payload != null) ? new String((byte[]) payload, StandardCharsets.UTF_8) : "";
            errorFrames.add(new ErrorFrame(headers.getFirst("message"), body, headers));
        }

        @Override
        public void handleException(StompSession session, @Nullable StompCommand command, StompHeaders headers,
                byte[] payload, Throwable exception) {
            failures.add(exception);
        }

        @Override
        public void handleTransportError(StompSession session, Throwable exception) {
            failures.add(exception);
        }
    }

    /**
     * Decorates the real WebSocket (or SockJS) client to keep the transport session and to learn
     * when it closes.
     */
    private final class CapturingWebSocketClient implements WebSocketClient {

        private final WebSocketClient delegate;

        CapturingWebSocketClient(WebSocketClient delegate) {
            this.delegate = delegate;
        }

        @Override
        public CompletableFuture<WebSocketSession> execute(WebSocketHandler handler, String uriTemplate,
                @Nullable Object... uriVariables) {
            throw new UnsupportedOperationException("not used by WebSocketStompClient");
        }

        @Override
        public CompletableFuture<WebSocketSession> execute(WebSocketHandler handler,
                @Nullable WebSocketHttpHeaders headers, java.net.URI uri) {
            WebSocketHandler capturing = new WebSocketHandlerDecorator(handler) {
                @Override
                public void afterConnectionEstablished(WebSocketSession session) throws Exception {
                    webSocketSession = session;
                    super.afterConnectionEstablished(session);
                }

                @Override
                public void afterConnectionClosed(WebSocketSession session, CloseStatus closeStatus) throws Exception {
                    try {
                        super.afterConnectionClosed(session, closeStatus);
                    }
                    finally {
                        closed.complete(closeStatus);
                    }
                }
            };
            CompletableFuture<WebSocketSession> future;
            try {
                future = this.delegate.execute(capturing, headers, uri);
            }
            catch (RuntimeException ex) {
                closed.complete(CloseStatus.NO_CLOSE_FRAME);
                throw ex;
            }
            return future.whenComplete((session, ex) -> {
                if (ex != null) {
                    failures.add(ex);
                    closed.complete(CloseStatus.NO_CLOSE_FRAME);
                }
            });
        }
    }

    /**
     * One subscription: its messages land in a queue, parsed as JSON.
     */
    public final class Subscription {

        private final String destination;

        private final StompFrameHandler handler = new StompFrameHandler() {

            @Override
            public Type getPayloadType(StompHeaders headers) {
                return byte[].class;
            }

            @Override
            public void handleFrame(StompHeaders headers, @Nullable Object payload) {
                messages.add(parseBody((byte[]) payload));
            }
        };

        private final BlockingQueue<JsonNode> messages = new LinkedBlockingQueue<>();

        private volatile StompSession.@Nullable Subscription handle;

        private Subscription(String destination) {
            this.destination = destination;
        }

        /** The subscribed destination. */
        public String destination() {
            return this.destination;
        }

        /** Every message received and not taken yet, oldest first. */
        public BlockingQueue<JsonNode> messages() {
            return this.messages;
        }

        /** The next message; fails the test when none arrives within {@link #TIMEOUT}. */
        public JsonNode next() {
            return next(TIMEOUT);
        }

        /** The next message; fails the test when none arrives within {@code timeout}. */
        public JsonNode next(Duration timeout) {
            JsonNode message = poll(timeout.toMillis());
            if (message == null) {
                throw new AssertionError(describe() + ": no message within " + timeout + "; " + history());
            }
            return message;
        }

        /**
         * The next message that matches, discarding the ones before it; fails the test when none
         * arrives within {@link #TIMEOUT} (the message lists what was discarded).
         */
        public JsonNode nextMatching(Predicate<? super JsonNode> predicate) {
            return nextMatching(predicate, TIMEOUT);
        }

        /** {@link #nextMatching(Predicate)} with a timeout of your own. */
        public JsonNode nextMatching(Predicate<? super JsonNode> predicate, Duration timeout) {
            List<JsonNode> taken = takeUntil(predicate, timeout);
            return taken.get(taken.size() - 1);
        }

        /**
         * Every message up to and including the first that matches: how to prove that something
         * did not arrive (send a marker after it, then assert on what came before the marker).
         * Fails the test when no match arrives within {@link #TIMEOUT}.
         */
        public List<JsonNode> takeUntil(Predicate<? super JsonNode> predicate) {
            return takeUntil(predicate, TIMEOUT);
        }

        /** {@link #takeUntil(Predicate)} with a timeout of your own. */
        public List<JsonNode> takeUntil(Predicate<? super JsonNode> predicate, Duration timeout) {
            long deadline = System.nanoTime() + timeout.toNanos();
            List<JsonNode> taken = new ArrayList<>();
            while (true) {
                long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
                JsonNode message = (left > 0) ? poll(left) : this.messages.poll();
                if (message == null) {
                    throw new AssertionError(describe() + ": no matching message within " + timeout
                            + "; received before: " + taken + "; " + history());
                }
                taken.add(message);
                if (predicate.test(message)) {
                    return taken;
                }
            }
        }

        /**
         * Assert that nothing arrives for {@code quiet} (keep it short, e.g. 500 ms; prefer
         * {@link #takeUntil} with a marker).
         */
        public void awaitNone(Duration quiet) {
            JsonNode message = poll(quiet.toMillis());
            if (message != null) {
                throw new AssertionError(describe() + ": expected nothing within " + quiet + " but got " + message);
            }
        }

        /** Forget every message received so far. */
        public void clear() {
            this.messages.clear();
        }

        /** Send {@code UNSUBSCRIBE} and wait for the server's RECEIPT. */
        public void unsubscribe() {
            StompSession.Subscription current = this.handle;
            if (current == null) {
                return;
            }
            StompHeaders headers = new StompHeaders();
            headers.setReceipt(nextReceiptId("unsubscribe"));
            awaitReceipt(current.unsubscribe(headers), "UNSUBSCRIBE " + this.destination);
        }

        private @Nullable JsonNode poll(long millis) {
            try {
                return this.messages.poll(millis, TimeUnit.MILLISECONDS);
            }
            catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
                throw new AssertionError("Interrupted", ex);
            }
        }

        private String describe() {
            return StompTestClient.this + " on " + this.destination;
        }

        @Override
        public String toString() {
            return describe();
        }
    }

    /**
     * Message bodies as the tests need them: bytes pass through unchanged, strings become
     * UTF-8, other objects JSON; received bodies convert to bytes, text or JSON.
     */
    private static final class BodyConverter implements MessageConverter {

        static byte[] toBytes(@Nullable Object body) {
            if (body == null) {
                return new byte[0];
            }
            if (body instanceof byte[] bytes) {
                return bytes;
            }
            if (body instanceof String text) {
                return text.getBytes(StandardCharsets.UTF_8);
            }
            return ParleyApi.JSON.writeValueAsBytes(body);
        }

        @Override
        public @Nullable Object fromMessage(Message<?> message, Class<?> targetClass) {
            Object payload = message.getPayload();
            byte[] bytes = (payload instanceof byte[] b) ? b : payload.toString().getBytes(StandardCharsets.UTF_8);
            if (targetClass == byte[].class) {
                return bytes;
            }
            if (targetClass == String.class) {
                return new String(bytes, StandardCharsets.UTF_8);
            }
            if (JsonNode.class.isAssignableFrom(targetClass)) {
                return parseBody(bytes);
            }
            return null;
        }

        @Override
        public Message<?> toMessage(Object payload, @Nullable MessageHeaders headers) {
            byte[] bytes = toBytes(payload);
            if (headers == null) {
                return MessageBuilder.withPayload(bytes).build();
            }
            if (!(payload instanceof byte[]) && !(payload instanceof String)) {
                MessageHeaderAccessor accessor = MessageHeaderAccessor.getAccessor(headers, MessageHeaderAccessor.class);
                if (accessor != null && accessor.isMutable()) {
                    accessor.setHeaderIfAbsent(MessageHeaders.CONTENT_TYPE, MimeTypeUtils.APPLICATION_JSON);
                }
            }
            return MessageBuilder.createMessage(bytes, headers);
        }
    }

    /**
     * A loopback TCP proxy in front of the application, one per client, so the test can cut or
     * silence the client's network on every transport.
     */
    private static final class TcpProxy {

        private final ServerSocket serverSocket;

        private final int targetPort;

        private final String name;

        private final Set<Socket> sockets = ConcurrentHashMap.newKeySet();

        private volatile boolean blackhole;

        private volatile boolean closed;

        TcpProxy(int targetPort, String name) throws IOException {
            this.targetPort = targetPort;
            this.name = name;
            this.serverSocket = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
            Thread acceptor = new Thread(this::acceptLoop, name + "-proxy");
            acceptor.setDaemon(true);
            acceptor.start();
        }

        int port() {
            return this.serverSocket.getLocalPort();
        }

        void blackhole() {
            this.blackhole = true;
        }

        boolean isBlackhole() {
            return this.blackhole;
        }

        void close() {
            this.closed = true;
            closeQuietly(this.serverSocket);
            for (Socket socket : this.sockets) {
                closeQuietly(socket);
            }
        }

        private void acceptLoop() {
            while (!this.closed) {
                Socket downstream;
                try {
                    downstream = this.serverSocket.accept();
                }
                catch (IOException ex) {
                    return;
                }
                Socket upstream = null;
                try {
                    upstream = new Socket(InetAddress.getLoopbackAddress(), this.targetPort);
                    downstream.setTcpNoDelay(true);
                    upstream.setTcpNoDelay(true);
                    this.sockets.add(downstream);
                    this.sockets.add(upstream);
                    if (this.closed || this.blackhole) {
                        closeQuietly(downstream);
                        closeQuietly(upstream);
                        continue;
                    }
                    pump(downstream, upstream, "up");
                    pump(upstream, downstream, "down");
                }
                catch (IOException ex) {
                    closeQuietly(downstream);
                    closeQuietly(upstream);
                }
            }
        }

        private void pump(Socket from, Socket to, String direction) {
            Thread thread = new Thread(() -> {
                byte[] buffer = new byte[16 * 1024];
                try {
                    InputStream in = from.getInputStream();
                    OutputStream out = to.getOutputStream();
                    int count;
                    while ((count = in.read(buffer)) != -1) {
                        if (!this.blackhole) {
                            out.write(buffer, 0, count);
                            out.flush();
                        }
                    }
                }
                catch (IOException ex) {
                    // the connection ended
                }
                finally {
                    if (!this.blackhole || this.closed) {
                        closeQuietly(from);
                        closeQuietly(to);
                    }
                }
            }, this.name + "-proxy-" + direction);
            thread.setDaemon(true);
            thread.start();
        }

        private void closeQuietly(java.io.@Nullable Closeable closeable) {
            if (closeable == null) {
                return;
            }
            try {
                closeable.close();
            }
            catch (IOException ex) {
                // ignore
            }
            if (closeable instanceof Socket socket) {
                this.sockets.remove(socket);
            }
        }
    }
}
