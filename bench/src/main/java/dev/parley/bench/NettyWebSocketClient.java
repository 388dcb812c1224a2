package dev.parley.bench;

import java.net.URI;
import java.nio.channels.ClosedChannelException;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketClientProtocolConfig;
import io.netty.handler.codec.http.websocketx.WebSocketClientProtocolHandler;
import io.netty.handler.codec.http.websocketx.WebSocketClientProtocolHandler.ClientHandshakeStateEvent;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrameAggregator;
import io.netty.handler.codec.http.websocketx.WebSocketVersion;

/**
 * WebSockets on Netty ({@code --client netty}, the default since session 21): a few event-loop
 * threads (--io-threads) read and write every connection, and a message arrives as one
 * {@code String} decoded from the socket's buffer. In a reconnect storm the generator spent about
 * twice the CPU per reconnect with the JDK's client (docs/performance.md, session 21), CPU that
 * the server on the same machine then lacked.
 * <p>Differences from {@link JdkWebSocketClient} a reader of the figures should know: a slow
 * reader pauses Netty's socket reads, so the messages of the last read (up to its buffer) are
 * still delivered, where the JDK's client stops at the next message; fragmented messages are
 * joined before delivery (up to 1 MiB); no {@code Origin} header is sent (nor does the JDK's).
 */
final class NettyWebSocketClient implements WebSocketClient {

    private static final int MAX_MESSAGE = 1 << 20;

    private final EventLoopGroup group;

    private final Bootstrap bootstrap;

    NettyWebSocketClient(int threads) {
        AtomicInteger count = new AtomicInteger();
        ThreadFactory factory = runnable -> {
            Thread thread = new Thread(runnable, "bench-netty-" + count.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        };
        this.group = new MultiThreadIoEventLoopGroup(threads, factory, NioIoHandler.newFactory());
        this.bootstrap = new Bootstrap().group(this.group).channel(NioSocketChannel.class)
                .option(ChannelOption.TCP_NODELAY, true);
    }

    @Override
    public CompletableFuture<Void> open(URI uri, Duration timeout, Map<String, String> headers,
            ChatConnection connection) {
        HttpHeaders extra = new DefaultHttpHeaders();
        headers.forEach(extra::add);
        WebSocketClientProtocolConfig config = WebSocketClientProtocolConfig.newBuilder()
                .webSocketUri(uri)
                .version(WebSocketVersion.V13)
                .customHeaders(extra)
                .maxFramePayloadLength(MAX_MESSAGE)
                .handleCloseFrames(false)
                .dropPongFrames(true)
                .generateOriginHeader(false)
                .withUTF8Validator(false)
                .handshakeTimeoutMillis(timeout.toMillis())
                .build();
        CompletableFuture<Void> opened = new CompletableFuture<>();
        NettyLink link = new NettyLink(connection, opened);
        connection.attach(link);
        int port = (uri.getPort() > 0) ? uri.getPort() : 80;
        this.bootstrap.clone()
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.min(Integer.MAX_VALUE, timeout.toMillis()))
                .handler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel channel) {
                        link.channel = channel;
                        channel.pipeline().addLast(new HttpClientCodec(), new HttpObjectAggregator(64 * 1024),
                                new WebSocketClientProtocolHandler(config), new WebSocketFrameAggregator(MAX_MESSAGE),
                                link);
                    }
                })
                .connect(uri.getHost(), port)
                .addListener((ChannelFutureListener) future -> {
                    if (!future.isSuccess()) {
                        opened.completeExceptionally(future.cause());
                    }
                });
        return opened;
    }

    @Override
    public void close() {
        this.group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
    }

    /** One connection's end of the pipeline: hands messages to the connection, writes its frames. */
    private static final class NettyLink extends SimpleChannelInboundHandler<WebSocketFrame> implements Link {

        private final ChatConnection connection;

        private final CompletableFuture<Void> opened;

        private volatile Channel channel;

        NettyLink(ChatConnection connection, CompletableFuture<Void> opened) {
            this.connection = connection;
            this.opened = opened;
            this.sent = future -> {
                ChatConnection.QUEUED.decrementAndGet();
                if (!future.isSuccess()) {
                    connection.sendFailed(future.cause());
                }
            };
        }

        /**
         * One for every send of this connection. A send that fails after this side closed is not
         * counted (the connection is no longer open); one the server's close cut off is, as with
         * the JDK's client.
         */
        private final ChannelFutureListener sent;

        @Override
        public void send(String text) {
            this.channel.writeAndFlush(new TextWebSocketFrame(text)).addListener(this.sent);
        }

        @Override
        public void close() {
            Channel current = this.channel;
            if (current == null) {
                return;
            }
            current.writeAndFlush(new CloseWebSocketFrame(1000, ""));
            current.eventLoop().schedule(() -> current.close(), 5, TimeUnit.SECONDS);
        }

        @Override
        public void abort() {
            Channel current = this.channel;
            if (current != null) {
                current.close();
            }
        }

        @Override
        public void pauseReading() {
            this.channel.config().setAutoRead(false);
        }

        @Override
        public void resumeReading() {
            this.channel.config().setAutoRead(true);
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object event) throws Exception {
            if (event == ClientHandshakeStateEvent.HANDSHAKE_COMPLETE) {
                this.opened.complete(null);
            }
            else if (event == ClientHandshakeStateEvent.HANDSHAKE_TIMEOUT) {
                this.opened.completeExceptionally(new java.util.concurrent.TimeoutException("WebSocket handshake timed out"));
            }
            super.userEventTriggered(ctx, event);
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, WebSocketFrame frame) {
            if (frame instanceof TextWebSocketFrame text) {
                this.connection.received(text.text(), true);
            }
            else if (frame instanceof CloseWebSocketFrame close) {
                String reason = close.reasonText();
                this.connection.closed("closed by the server: " + close.statusCode()
                        + ((reason == null || reason.isEmpty()) ? "" : " " + reason));
                ctx.close();
            }
            else if (frame instanceof BinaryWebSocketFrame) {
                this.connection.closed("unexpected binary message");
            }
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) throws Exception {
            if (!this.opened.isDone()) {
                this.opened.completeExceptionally(new ClosedChannelException());
            }
            this.connection.closed("closed: the connection ended");
            super.channelInactive(ctx);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            if (!this.opened.completeExceptionally(cause)) {
                this.connection.closed("error: " + cause);
            }
            ctx.close();
        }
    }
}
