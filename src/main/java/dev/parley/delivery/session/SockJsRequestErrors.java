package dev.parley.delivery.session;

import java.io.IOException;
import java.util.Map;

import jakarta.servlet.AsyncEvent;
import jakarta.servlet.AsyncListener;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import org.springframework.web.filter.OncePerRequestFilter;
import org.springframework.web.util.DisconnectedClientHelper;

/**
 * Failures on SockJS's HTTP requests end there, logged once with their cause, instead of reaching
 * the application's error page, and never while a write of Parley's to that request is failing.
 * <p>
 * Why: an xhr-streaming or xhr-polling response is written long after its request was handled.
 * When such a write fails (the client has gone), Tomcat tells the request's listeners and, if
 * none of them ends the request, dispatches it to the error page, which tried to write a problem
 * document into a response that was already streaming SockJS frames, and logged a misleading
 * warning about a missing message converter. A failure while the request is handled went the
 * same way. The SockJS session itself learns of the failure from its own write and closes. Before
 * the request is ended, a send or close of Parley's that may still be failing on it is waited for
 * ({@link ClientSessionDecorator#awaitTransport()} says why).
 * <p>
 * A client that went away is logged at DEBUG (it is how every closed tab ends); anything else at
 * WARN.
 */
public final class SockJsRequestErrors extends OncePerRequestFilter {

    private static final Log logger = LogFactory.getLog(SockJsRequestErrors.class);

    /** {@code /ws/{server}/{session}/{transport}}: the session id is the path's last but one part. */
    private static final int SESSION_FROM_END = 2;

    private final Map<String, ClientSessionDecorator> connections;

    /**
     * @param connections the open connections by session id
     */
    public SockJsRequestErrors(Map<String, ClientSessionDecorator> connections) {
        this.connections = connections;
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        try {
            chain.doFilter(request, response);
        }
        catch (IOException | ServletException | RuntimeException ex) {
            log(request.getRequestURI(), ex);
            if (!response.isCommitted()) {
                response.resetBuffer();
                response.setStatus(HttpServletResponse.SC_INTERNAL_SERVER_ERROR);
            }
            return;
        }
        if (request.isAsyncStarted()) {
            String uri = request.getRequestURI();
            request.getAsyncContext().addListener(new EndOnError(uri, this.connections.get(sessionId(uri))));
        }
    }

    private static String sessionId(String uri) {
        String[] parts = uri.split("/");
        return (parts.length > SESSION_FROM_END) ? parts[parts.length - SESSION_FROM_END] : "";
    }

    private static void log(String uri, @Nullable Throwable ex) {
        if (DisconnectedClientHelper.isClientDisconnectedException(ex)) {
            if (logger.isDebugEnabled()) {
                logger.debug("SockJS request " + uri + " ended: the client has gone", ex);
            }
        }
        else {
            logger.warn("SockJS request " + uri + " failed", ex);
        }
    }

    /** Ends the request on an error, so that Tomcat does not dispatch it to the error page. */
    private record EndOnError(String uri, @Nullable ClientSessionDecorator connection) implements AsyncListener {

        @Override
        public void onError(AsyncEvent event) {
            log(this.uri, event.getThrowable());
            if (this.connection != null) {
                this.connection.awaitTransport();
            }
            try {
                event.getAsyncContext().complete();
            }
            catch (IllegalStateException ex) {
                // ended already
            }
        }

        @Override
        public void onComplete(AsyncEvent event) {
        }

        @Override
        public void onTimeout(AsyncEvent event) {
        }

        @Override
        public void onStartAsync(AsyncEvent event) {
        }
    }
}
