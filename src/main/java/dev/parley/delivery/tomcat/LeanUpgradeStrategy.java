package dev.parley.delivery.tomcat;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.security.Principal;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Enumeration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Supplier;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.websocket.Extension;
import jakarta.websocket.Session;
import org.apache.tomcat.websocket.Constants;
import org.jspecify.annotations.Nullable;

import org.springframework.http.HttpHeaders;
import org.springframework.http.server.ServerHttpRequest;
import org.springframework.http.server.ServerHttpResponse;
import org.springframework.web.socket.TextMessage;
import org.springframework.web.socket.WebSocketExtension;
import org.springframework.web.socket.WebSocketHandler;
import org.springframework.web.socket.adapter.standard.StandardWebSocketHandlerAdapter;
import org.springframework.web.socket.adapter.standard.StandardWebSocketSession;
import org.springframework.web.socket.adapter.standard.WebSocketToStandardExtensionAdapter;
import org.springframework.web.socket.server.HandshakeFailureException;
import org.springframework.web.socket.server.standard.ServerEndpointRegistration;
import org.springframework.web.socket.server.standard.StandardWebSocketUpgradeStrategy;

/**
 * Spring's upgrade to a WebSocket on Tomcat, changed in what each open connection costs. It is
 * Spring's {@code upgrade} (Spring Framework 7.0.9) with three differences.
 * <p>
 * <b>Headers.</b> The connection keeps none of the handshake's request headers. At the upgrade
 * Tomcat ({@code WsHandshakeRequest}, held by the connection's upgrade handler) and Spring
 * ({@code StandardWebSocketSession}) would each copy every request header and keep the copies as
 * long as the connection lives: a browser's user agent, languages and cookies, twice per
 * connection, for hours, read by nothing here (STOMP authenticates at CONNECT). Tomcat reads the
 * handshake's own headers ({@link #KEPT}) by name while it upgrades; every other header is hidden,
 * and no header's name is listed, so the copy Tomcat keeps is empty; Spring's session gets none
 * ({@link HttpHeaders#EMPTY}). The two copies of only these headers took 2.6 KB of heap per
 * idle connection ({@code docs/performance.md}, session 20). Spring has checked the handshake,
 * origin included, on the whole request before this runs. Caveat: a session's
 * {@code getHandshakeHeaders()} is empty, and so are the headers of the {@code HandshakeRequest}
 * a {@code ServerEndpointConfig.Configurator} would be shown.
 * <p>
 * <b>Compression.</b> Tomcat negotiates the extensions the client asks for in
 * {@code Sec-WebSocket-Extensions}, whatever Spring selected; hiding that header is how
 * {@code permessage-deflate} is declined unless {@code chat.transport.per-message-deflate} is on.
 * Every browser offers it, and Tomcat would accept it. The connection then holds its own zlib
 * deflater and inflater for as long as it is open, and every frame is compressed for every
 * subscriber separately, since each connection's compression context is its own: an idle STOMP
 * connection took 74-104 KB more of the server's memory ({@code bench/offer-deflate.py},
 * {@code docs/performance.md}). Chat frames are a few hundred bytes, so compression saves little
 * on the wire; Socket.IO leaves it off by default too.
 * <p>
 * <b>Text out.</b> The session sends a whole text message as its UTF-8 bytes, in one WebSocket
 * frame, through Tomcat's own byte path ({@link TomcatTextFrames}). Tomcat's
 * {@code sendText} would encode it through a buffer of {@code DEFAULT_BUFFER_SIZE} bytes
 * allocated for every connection and send one frame per buffer-full; this way that buffer can
 * be small ({@link dev.parley.delivery.ConnectionMemoryConfiguration}) without SockJS messages
 * leaving in pieces. Caveat: with compression on, Tomcat's compressor still cuts each message into
 * frames of that size.
 */
public final class LeanUpgradeStrategy extends StandardWebSocketUpgradeStrategy {

    /** What Tomcat reads to upgrade, and the origin. */
    static final Set<String> KEPT = caseInsensitive("Connection", "Upgrade", "Origin", "Sec-WebSocket-Key",
            "Sec-WebSocket-Version", "Sec-WebSocket-Protocol");

    private static final String EXTENSIONS = "Sec-WebSocket-Extensions";

    private final Set<String> kept;

    /**
     * @param perMessageDeflate whether Tomcat may see the extensions the client offers, and so
     *        accept {@code permessage-deflate}
     */
    public LeanUpgradeStrategy(boolean perMessageDeflate) {
        Set<String> kept = new TreeSet<>(String.CASE_INSENSITIVE_ORDER);
        kept.addAll(KEPT);
        if (perMessageDeflate) {
            kept.add(EXTENSIONS);
        }
        this.kept = Collections.unmodifiableSet(kept);
    }

    @Override
    public void upgrade(ServerHttpRequest request, ServerHttpResponse response, @Nullable String selectedProtocol,
            List<WebSocketExtension> selectedExtensions, @Nullable Principal user, WebSocketHandler wsHandler,
            Map<String, Object> attributes) throws HandshakeFailureException {
        HttpServletRequest servletRequest = new HandshakeHeadersOnly(getHttpServletRequest(request), this.kept);
        Utf8TextSession session = new Utf8TextSession(HttpHeaders.EMPTY, attributes, address(request::getLocalAddress),
                address(request::getRemoteAddress), user);
        StandardWebSocketHandlerAdapter endpoint = new StandardWebSocketHandlerAdapter(wsHandler, session);
        List<Extension> extensions = new ArrayList<>();
        for (WebSocketExtension extension : selectedExtensions) {
            extensions.add(new WebSocketToStandardExtensionAdapter(extension));
        }
        ServerEndpointRegistration endpointConfig = new ServerEndpointRegistration(servletRequest.getRequestURI(),
                endpoint);
        endpointConfig.setSubprotocols(Collections.singletonList(selectedProtocol));
        endpointConfig.setExtensions(extensions);
        try {
            getContainer(servletRequest).upgradeHttpToWebSocket(servletRequest,
                    getHttpServletResponse(response), endpointConfig, Collections.emptyMap());
        }
        catch (Exception ex) {
            throw new HandshakeFailureException(
                    "Servlet request failed to upgrade to WebSocket: " + servletRequest.getRequestURL(), ex);
        }
    }

    /** The address, or {@code null} where the request cannot tell it (as Spring's upgrade). */
    private static @Nullable InetSocketAddress address(Supplier<@Nullable InetSocketAddress> source) {
        try {
            return source.get();
        }
        catch (RuntimeException ex) {
            return null;
        }
    }

    private static Set<String> caseInsensitive(String... names) {
        Set<String> set = new TreeSet<>(String.CASE_INSENSITIVE_ORDER);
        Collections.addAll(set, names);
        return Collections.unmodifiableSet(set);
    }

    /** A session that sends each whole text message as UTF-8 bytes in one frame. */
    static final class Utf8TextSession extends StandardWebSocketSession {

        private @Nullable Object tomcatEndpoint;

        Utf8TextSession(HttpHeaders headers, Map<String, Object> attributes, @Nullable InetSocketAddress localAddress,
                @Nullable InetSocketAddress remoteAddress, @Nullable Principal user) {
            super(headers, attributes, localAddress, remoteAddress, user);
        }

        @Override
        public void initializeNativeSession(Session session) {
            super.initializeNativeSession(session);
            this.tomcatEndpoint = TomcatTextFrames.endpointOf(session.getAsyncRemote());
        }

        @Override
        protected void sendTextMessage(TextMessage message) throws IOException {
            if (message.isLast()) {
                Object timeout = getNativeSession().getUserProperties()
                    .get(TomcatTextFrames.BLOCKING_SEND_TIMEOUT);
                sendUtf8(message.asBytes(), (timeout instanceof Long millis) ? millis : Constants.DEFAULT_BLOCKING_SEND_TIMEOUT);
            }
            else {
                super.sendTextMessage(message);
            }
        }

        /**
         * Sends a whole text message already encoded in UTF-8, blocking until it is written or
         * {@code timeoutMillis} have passed.
         */
        void sendUtf8(byte[] utf8, long timeoutMillis) throws IOException {
            Object endpoint = this.tomcatEndpoint;
            if (endpoint != null) {
                TomcatTextFrames.send(endpoint, ByteBuffer.wrap(utf8), timeoutMillis);
            }
            else {
                super.sendTextMessage(new TextMessage(utf8));
            }
        }
    }

    /**
     * The request with every header but the {@code kept} ones hidden, and no header's name listed:
     * Tomcat asks for the headers it upgrades with by name, and copies those listed.
     */
    static final class HandshakeHeadersOnly extends HttpServletRequestWrapper {

        private final Set<String> kept;

        /** @param kept header names, in a set that ignores case */
        HandshakeHeadersOnly(HttpServletRequest request, Set<String> kept) {
            super(request);
            this.kept = kept;
        }

        @Override
        public @Nullable String getHeader(String name) {
            return this.kept.contains(name) ? super.getHeader(name) : null;
        }

        @Override
        public Enumeration<String> getHeaders(String name) {
            return this.kept.contains(name) ? super.getHeaders(name) : Collections.emptyEnumeration();
        }

        @Override
        public Enumeration<String> getHeaderNames() {
            return Collections.emptyEnumeration();
        }

        @Override
        public long getDateHeader(String name) {
            return this.kept.contains(name) ? super.getDateHeader(name) : -1;
        }

        @Override
        public int getIntHeader(String name) {
            return this.kept.contains(name) ? super.getIntHeader(name) : -1;
        }
    }
}
