package dev.parley.web;

import java.io.IOException;
import java.util.regex.Pattern;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * The browser's security headers on every response of the service: the chat page, its scripts
 * and styles, REST answers and errors, SockJS. Set before anything is written, so that a
 * streaming response has them too.
 * <ul>
 * <li>{@code Content-Security-Policy}: everything from this service, no inline script or style,
 * so that user text can never run even if it reached markup; WebSocket connections to this
 * service ({@code connect-src 'self'} covers {@code ws:} and {@code wss:} to it). The one inline
 * script allowed, by its hash, is the bootstrap of SockJS's {@code iframe.html} (for the iframe
 * transports; {@code SecurityHeadersIntegrationTests} checks the hash against the page served).
 * Only this service may frame its pages ({@code frame-ancestors 'self'}): SockJS frames its
 * {@code iframe.html} from the chat page, nothing else needs framing.</li>
 * <li>{@code X-Frame-Options: SAMEORIGIN}: the same, for browsers without {@code frame-ancestors}.</li>
 * <li>{@code X-Content-Type-Options: nosniff}: a response is what its type says, never a script
 * guessed from its content.</li>
 * <li>{@code Referrer-Policy: no-referrer}: the page links nowhere else and nothing here reads
 * {@code Referer} (the WebSocket origin check reads {@code Origin}), so nothing is lost by
 * never sending it, and no room or query string leaks to another site.</li>
 * </ul>
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE)
class SecurityHeaders extends OncePerRequestFilter {

    /** SockJS's iframe.html bootstrap script (Spring Framework 7.0), by its SHA-256. */
    static final String SOCKJS_IFRAME_SCRIPT = "'sha256-zDZQ3v76eQUDEG4E4vyDZwRUEg5qy5iVJ6jsxCVRvtY='";

    static final String CONTENT_SECURITY_POLICY = "default-src 'self'; script-src 'self' " + SOCKJS_IFRAME_SCRIPT
            + "; style-src 'self'; img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none';"
            + " form-action 'self'; frame-ancestors 'self'";

    private static final Pattern SOCKJS_IFRAME_PAGE = Pattern.compile(".*/iframe[0-9.a-z_-]*\\.html");

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        response.setHeader("Content-Security-Policy", CONTENT_SECURITY_POLICY);
        response.setHeader("X-Content-Type-Options", "nosniff");
        // SockJS adds its own to its iframe page: one header, not two
        if (!SOCKJS_IFRAME_PAGE.matcher(request.getRequestURI()).matches()) {
            response.setHeader("X-Frame-Options", "SAMEORIGIN");
        }
        response.setHeader("Referrer-Policy", "no-referrer");
        chain.doFilter(request, response);
    }

    /** An error page rendered after a reset response gets them again. */
    @Override
    protected boolean shouldNotFilterErrorDispatch() {
        return false;
    }
}
