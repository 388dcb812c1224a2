package dev.parley.delivery.tomcat;

import java.util.Map;

import jakarta.servlet.ServletContext;
import jakarta.websocket.Session;

import org.springframework.context.Lifecycle;
import org.springframework.http.server.ServerHttpRequest;
import org.springframework.http.server.ServerHttpResponse;
import org.springframework.web.context.ServletContextAware;
import org.springframework.web.socket.adapter.NativeWebSocketSession;
import org.springframework.web.socket.WebSocketHandler;
import org.springframework.web.socket.WebSocketSession;
import org.springframework.web.socket.handler.WebSocketHandlerDecorator;
import org.springframework.web.socket.server.HandshakeHandler;
import org.springframework.web.socket.server.HandshakeFailureException;
import org.springframework.web.socket.server.support.DefaultHandshakeHandler;

/**
 * Sizes each WebSocket connection's receive buffers for what its handler needs, because Tomcat
 * allocates them for every connection up front and they dominate an idle connection's memory.
 * <p>
 * Plain STOMP connections take partial messages (the STOMP decoder reassembles frames up to the
 * frame limit), so they keep the container's small default, which Spring's STOMP handler would
 * otherwise raise to 16 Ki + 256 chars at connect. SockJS over WebSocket needs each
 * message whole to parse it, so its connections get buffers for the largest allowed frame;
 * Tomcat reallocates them at the next message.
 * <p>
 * The handshake itself is {@code delegate}'s (with {@link LeanUpgradeStrategy}).
 */
public final class ReceiveBuffers implements HandshakeHandler, Lifecycle, ServletContextAware {

    private final DefaultHandshakeHandler delegate;

    private final int wholeMessageBufferSize;

    public ReceiveBuffers(DefaultHandshakeHandler delegate, int wholeMessageBufferSize) {
        this.delegate = delegate;
        this.wholeMessageBufferSize = wholeMessageBufferSize;
    }

    @Override
    public boolean doHandshake(ServerHttpRequest request, ServerHttpResponse response, WebSocketHandler handler,
            Map<String, Object> attributes) throws HandshakeFailureException {
        return this.delegate.doHandshake(request, response, new Sizing(handler), attributes);
    }

    @Override
    public void setServletContext(ServletContext servletContext) {
        this.delegate.setServletContext(servletContext);
    }

    @Override
    public void start() {
        this.delegate.start();
    }

    @Override
    public void stop() {
        this.delegate.stop();
    }

    @Override
    public boolean isRunning() {
        return this.delegate.isRunning();
    }

    private final class Sizing extends WebSocketHandlerDecorator {

        Sizing(WebSocketHandler handler) {
            super(handler);
        }

        @Override
        public void afterConnectionEstablished(WebSocketSession session) throws Exception {
            Session tomcatSession = (session instanceof NativeWebSocketSession nativeSession
                    && nativeSession.getNativeSession() instanceof Session nativeTomcatSession)
                            ? nativeTomcatSession : null;
            if (tomcatSession != null && !supportsPartialMessages()) {
                tomcatSession.setMaxTextMessageBufferSize(ReceiveBuffers.this.wholeMessageBufferSize);
                tomcatSession.setMaxBinaryMessageBufferSize(ReceiveBuffers.this.wholeMessageBufferSize);
            }
            super.afterConnectionEstablished(session);
            if (tomcatSession != null && supportsPartialMessages()) {
                // Spring's StompSubProtocolHandler has just raised the text buffer to 16 Ki + 256
                // chars (MINIMUM_WEBSOCKET_MESSAGE_SIZE, for handlers that need whole messages), and
                // Tomcat would reallocate it at the first frame: 33 KB per idle connection. A
                // handler taking parts needs no such buffer: back to the container's default.
                tomcatSession.setMaxTextMessageBufferSize(
                        tomcatSession.getContainer().getDefaultMaxTextMessageBufferSize());
            }
        }
    }
}
