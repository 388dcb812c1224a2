package dev.parley.config;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;

import org.springframework.scheduling.TaskScheduler;
import org.springframework.web.socket.CloseStatus;
import org.springframework.web.socket.WebSocketHandler;
import org.springframework.web.socket.WebSocketSession;
import org.springframework.web.socket.handler.WebSocketHandlerDecorator;
import org.springframework.web.socket.handler.WebSocketHandlerDecoratorFactory;
import org.springframework.web.socket.handler.WebSocketSessionDecorator;
import org.springframework.web.socket.sockjs.transport.session.AbstractHttpSockJsSession;

/**
 * Lets an xhr-polling client read the last frames before its session closes. Spring closes a
 * STOMP session right after sending it an ERROR frame; a SockJS session between two polls holds
 * that frame in its cache, and closing it discards the cache, so the client would only see
 * "Go away!" and never learn why. The close of such a session is put off by a moment, long enough
 * for the client's next poll (which it makes at once) to fetch what is waiting.
 */
final class SockJsFlushBeforeClose implements WebSocketHandlerDecoratorFactory {

    private static final Duration GRACE = Duration.ofMillis(500);

    private final TaskScheduler scheduler;

    SockJsFlushBeforeClose(TaskScheduler scheduler) {
        this.scheduler = scheduler;
    }

    @Override
    public WebSocketHandler decorate(WebSocketHandler handler) {
        return new WebSocketHandlerDecorator(handler) {
            @Override
            public void afterConnectionEstablished(WebSocketSession session) throws Exception {
                super.afterConnectionEstablished((session instanceof AbstractHttpSockJsSession)
                        ? new DeferredCloseSession(session) : session);
            }
        };
    }

    private final class DeferredCloseSession extends WebSocketSessionDecorator {

        DeferredCloseSession(WebSocketSession session) {
            super(session);
        }

        @Override
        public void close(CloseStatus status) throws IOException {
            if (getDelegate() instanceof AbstractHttpSockJsSession http && http.isOpen() && !http.isActive()) {
                SockJsFlushBeforeClose.this.scheduler.schedule(() -> closeQuietly(status), Instant.now().plus(GRACE));
                return;
            }
            super.close(status);
        }

        private void closeQuietly(CloseStatus status) {
            try {
                getDelegate().close(status);
            }
            catch (IOException ex) {
                // the client is gone already, which is all a close was for
            }
        }
    }
}
