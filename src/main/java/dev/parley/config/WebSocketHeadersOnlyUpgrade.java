package dev.parley.config;

import java.security.Principal;
import java.util.Collections;
import java.util.Enumeration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import org.jspecify.annotations.Nullable;

import org.springframework.http.server.ServerHttpRequest;
import org.springframework.http.server.ServerHttpResponse;
import org.springframework.http.server.ServletServerHttpRequest;
import org.springframework.web.socket.WebSocketExtension;
import org.springframework.web.socket.WebSocketHandler;
import org.springframework.web.socket.server.HandshakeFailureException;
import org.springframework.web.socket.server.standard.StandardWebSocketUpgradeStrategy;

/**
 * Spring's upgrade to a WebSocket on Tomcat, shown only the request headers of the WebSocket
 * handshake itself ({@link #KEPT}).
 * <p>
 * At the upgrade Tomcat ({@code WsHandshakeRequest}, held by the connection's upgrade handler)
 * and Spring ({@code StandardWebSocketSession}) each copy every request header and keep the
 * copies as long as the connection lives: a browser's user agent, languages and cookies, twice
 * per connection, for hours, read by nothing here (STOMP authenticates at CONNECT). Spring has
 * checked the handshake, origin included, on the whole request before this runs.
 * <p>
 * <b>Compression.</b> Tomcat negotiates the extensions the client asks for in
 * {@code Sec-WebSocket-Extensions}, whatever Spring selected; hiding that header is how
 * {@code permessage-deflate} is declined unless {@code chat.transport.per-message-deflate} is on.
 * Every browser offers it, and Tomcat would accept it. The connection then holds its own zlib
 * deflater and inflater for as long as it is open, and every frame is compressed for every
 * subscriber separately, since each connection's compression context is its own: an idle STOMP
 * connection took 125 KB of the server's memory instead of 16 KB ({@code bench/offer-deflate.py},
 * {@code docs/performance.md}). Chat frames are a few hundred bytes, so compression saves little
 * on the wire; Socket.IO leaves it off by default too.
 * <p>
 * Caveat: a session's {@code getHandshakeHeaders()} holds only these headers.
 */
final class WebSocketHeadersOnlyUpgrade extends StandardWebSocketUpgradeStrategy {

    /** What Tomcat reads to upgrade, and the origin. */
    static final Set<String> KEPT = caseInsensitive("Connection", "Upgrade", "Origin", "Sec-WebSocket-Key",
            "Sec-WebSocket-Version", "Sec-WebSocket-Protocol");

    private static final String EXTENSIONS = "Sec-WebSocket-Extensions";

    private final Set<String> kept;

    /**
     * @param perMessageDeflate whether Tomcat may see the extensions the client offers, and so
     *        accept {@code permessage-deflate}
     */
    WebSocketHeadersOnlyUpgrade(boolean perMessageDeflate) {
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
        ServerHttpRequest handshakeOnly = new ServletServerHttpRequest(
                new HandshakeHeadersOnly(getHttpServletRequest(request), this.kept));
        super.upgrade(handshakeOnly, response, selectedProtocol, selectedExtensions, user, wsHandler, attributes);
    }

    private static Set<String> caseInsensitive(String... names) {
        Set<String> set = new TreeSet<>(String.CASE_INSENSITIVE_ORDER);
        Collections.addAll(set, names);
        return Collections.unmodifiableSet(set);
    }

    /** The request with every header but the {@code kept} ones hidden. */
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
            return Collections.enumeration(Collections.list(super.getHeaderNames()).stream()
                    .filter(this.kept::contains)
                    .toList());
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
