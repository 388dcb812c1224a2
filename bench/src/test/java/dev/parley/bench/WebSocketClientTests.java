package dev.parley.bench;

import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import java.util.stream.Stream;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolHandler;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Both WebSocket clients of the bench against one in-process server (Netty's own WebSocket
 * server): they must behave alike, so that a figure does not depend on which one measured it
 * except in the client's own CPU.
 */
class WebSocketClientTests {

    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    private static EventLoopGroup serverGroup;

    private static Channel server;

    private static int port;

    /** The handshake headers of the connections the server accepted, in order. */
    private static final List<HttpHeaders> HANDSHAKES = new CopyOnWriteArrayList<>();

    private static HttpClient http;

    @BeforeAll
    static void startServer() throws InterruptedException {
        serverGroup = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        server = new ServerBootstrap().group(serverGroup).channel(NioServerSocketChannel.class)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel channel) {
                        channel.pipeline().addLast(new HttpServerCodec(), new HttpObjectAggregator(65536),
                                new WebSocketServerProtocolHandler("/ws"), new Echo(), new Refuse());
                    }
                })
                .bind("127.0.0.1", 0).sync().channel();
        port = ((InetSocketAddress) server.localAddress()).getPort();
        http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    }

    @AfterAll
    static void stopServer() {
        server.close();
        serverGroup.shutdownGracefully(0, 1, TimeUnit.SECONDS);
    }

    static Stream<String> clients() {
        return Stream.of("netty", "jdk");
    }

    private static WebSocketClient client(String kind) {
        Options options = new Options();
        options.client = kind;
        options.ioThreads = 1;
        return WebSocketClient.of(options, http);
    }

    private static URI uri(String path) {
        return URI.create("ws://127.0.0.1:" + port + path);
    }

    private static Recorder opened(WebSocketClient client, Map<String, String> headers) throws Exception {
        Recorder connection = new Recorder();
        ChatConnection.open(client, uri("/ws"), TIMEOUT, connection, headers).get(10, TimeUnit.SECONDS);
        return connection;
    }

    @ParameterizedTest
    @MethodSource("clients")
    void messagesArriveInTheOrderTheyWereSentAndLeaveTheQueue(String kind) throws Exception {
        try (WebSocketClient client = client(kind)) {
            Recorder connection = opened(client, Map.of());
            List<String> sent = IntStream.range(0, 200).mapToObj(i -> "message " + i).toList();
            sent.forEach(connection::send);
            connection.awaitReceived(sent.size());
            assertEquals(sent.stream().map(text -> "echo " + text).toList(), connection.received);
            assertEquals(0, ChatConnection.QUEUED.get());
            assertTrue(connection.isOpen());
            connection.close();
        }
    }

    @ParameterizedTest
    @MethodSource("clients")
    void theHandshakeCarriesTheGivenHeaders(String kind) throws Exception {
        try (WebSocketClient client = client(kind)) {
            int before = HANDSHAKES.size();
            Recorder connection = opened(client, Map.of("X-Bench", kind));
            connection.send("hello");
            connection.awaitReceived(1);
            assertEquals(kind, HANDSHAKES.get(before).get("X-Bench"));
            connection.abort();
        }
    }

    @ParameterizedTest
    @MethodSource("clients")
    void aCloseFrameFromTheServerEndsTheConnectionWithItsStatus(String kind) throws Exception {
        try (WebSocketClient client = client(kind)) {
            Recorder connection = opened(client, Map.of());
            connection.send("close");
            String reason = connection.closedReason.get(10, TimeUnit.SECONDS);
            assertTrue(reason.contains("4000") && reason.contains("bye"), reason);
            assertFalse(connection.isOpen());
            assertFalse(connection.send("after the close"));
        }
    }

    @ParameterizedTest
    @MethodSource("clients")
    void aRefusedHandshakeFailsTheOpen(String kind) {
        try (WebSocketClient client = client(kind)) {
            Recorder connection = new Recorder();
            CompletableFuture<Recorder> opened = ChatConnection.open(client, uri("/elsewhere"), TIMEOUT, connection,
                    Map.of());
            assertThrows(ExecutionException.class, () -> opened.get(10, TimeUnit.SECONDS));
        }
    }

    /** Records what arrives. */
    private static final class Recorder extends ChatConnection {

        final List<String> received = new CopyOnWriteArrayList<>();

        final CompletableFuture<String> closedReason = new CompletableFuture<>();

        Recorder() {
            super(false);
        }

        @Override
        void received(CharSequence data, boolean last) {
            this.received.add(data.toString());
            synchronized (this) {
                notifyAll();
            }
        }

        @Override
        void onClosed(String reason) {
            this.closedReason.complete(reason);
        }

        synchronized void awaitReceived(int count) throws InterruptedException {
            long deadline = System.nanoTime() + TIMEOUT.toNanos();
            while (this.received.size() < count) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new AssertionError("received " + this.received.size() + " of " + count);
                }
                TimeUnit.NANOSECONDS.timedWait(this, left);
            }
        }
    }

    /** Echoes each text message, prefixed; answers "close" with a close frame (4000, "bye"). */
    private static final class Echo extends SimpleChannelInboundHandler<TextWebSocketFrame> {

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, TextWebSocketFrame frame) {
            if (frame.text().equals("close")) {
                ctx.writeAndFlush(new CloseWebSocketFrame(4000, "bye"));
                return;
            }
            ctx.writeAndFlush(new TextWebSocketFrame("echo " + frame.text()));
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object event) throws Exception {
            if (event instanceof WebSocketServerProtocolHandler.HandshakeComplete handshake) {
                HANDSHAKES.add(handshake.requestHeaders());
            }
            super.userEventTriggered(ctx, event);
        }
    }

    /** Any HTTP request that is not a handshake to /ws: 403. */
    private static final class Refuse extends SimpleChannelInboundHandler<FullHttpRequest> {

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
            ctx.writeAndFlush(new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.FORBIDDEN,
                    Unpooled.EMPTY_BUFFER)).addListener(ChannelFutureListener.CLOSE);
        }
    }
}
