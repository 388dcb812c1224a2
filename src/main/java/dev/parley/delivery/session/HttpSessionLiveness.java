package dev.parley.delivery.session;

import java.io.IOException;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ScheduledFuture;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import org.springframework.context.SmartLifecycle;
import org.springframework.scheduling.TaskScheduler;
import org.springframework.web.socket.CloseStatus;
import org.springframework.web.socket.sockjs.transport.session.AbstractHttpSockJsSession;
import org.springframework.web.socket.sockjs.transport.session.StreamingSockJsSession;

/**
 * Ends SockJS sessions over HTTP (xhr-streaming, xhr-polling) whose client has gone, within
 * seconds, as a closed WebSocket ends at once.
 * <p>
 * Why: Tomcat does not read from a connection while it holds an asynchronous response open, so
 * a client that closed its connection (a closed tab, an aborted request, a process that exited)
 * is noticed only when a write to it fails: the first write after the close is taken by the
 * operating system and answered with a reset, the second fails. Spring's SockJS heart-beat,
 * which would make those writes, is turned off once STOMP heart-beats are agreed, and those
 * stop with the STOMP session (after a DISCONNECT the broker forgets the session, and nothing
 * ever wrote to it again: its socket, SockJS session and connection stayed until the server
 * stopped).
 * <p>
 * So every {@link #CHECK_INTERVAL}, for each SockJS session over HTTP:
 * <ul>
 * <li>an xhr-streaming response on which nothing was written for {@code streamingProbe} gets a
 * STOMP heart-beat, so that a client that closed its connection is found by the second such
 * write, within about twice that interval;</li>
 * <li>an open xhr-polling request gets one after half the heart-beat interval, which answers the
 * poll: a client that is there polls again at once, and one that has gone makes no request
 * after it;</li>
 * <li>a session with no open request for longer than the disconnect delay is closed (Spring's
 * own check does the same, but only every disconnect delay, so up to twice as late).</li>
 * </ul>
 * A heart-beat is a newline to STOMP, which clients ignore, and more frequent ones than agreed
 * are allowed. Plain WebSocket connections need none of this: Tomcat reads them all the time.
 */
public final class HttpSessionLiveness implements SmartLifecycle {

    static final Duration CHECK_INTERVAL = Duration.ofMillis(250);

    private static final Log logger = LogFactory.getLog(HttpSessionLiveness.class);

    private final Map<String, ClientSessionDecorator> connections;

    private final TaskScheduler scheduler;

    private final long streamingProbeNanos;

    private final long pollingProbeNanos;

    private final long disconnectDelayMillis;

    private @Nullable ScheduledFuture<?> task;

    /**
     * @param connections the open connections by session id
     * @param streamingProbe how long an xhr-streaming response may stay quiet
     * @param pollingProbe how long an xhr-polling request may stay open without an answer
     * ({@link Duration#ZERO}: as long as the client likes)
     * @param disconnectDelay how long a session may be without an open request
     */
    public HttpSessionLiveness(Map<String, ClientSessionDecorator> connections, TaskScheduler scheduler,
            Duration streamingProbe, Duration pollingProbe, Duration disconnectDelay) {
        this.connections = connections;
        this.scheduler = scheduler;
        this.streamingProbeNanos = streamingProbe.toNanos();
        this.pollingProbeNanos = pollingProbe.isZero() ? Long.MAX_VALUE : pollingProbe.toNanos();
        this.disconnectDelayMillis = disconnectDelay.toMillis();
    }

    /** Probes or closes the SockJS sessions over HTTP that need it. */
    void check() {
        for (ClientSessionDecorator connection : this.connections.values()) {
            if (!(connection.getDelegate() instanceof AbstractHttpSockJsSession session) || !session.isOpen()) {
                continue;
            }
            if (session.isActive()) {
                connection.probeIfQuiet((session instanceof StreamingSockJsSession)
                        ? this.streamingProbeNanos : this.pollingProbeNanos);
            }
            else if (session.getTimeSinceLastActive() > this.disconnectDelayMillis) {
                logger.debug("SockJS session " + session.getId() + " has had no request for "
                        + session.getTimeSinceLastActive() + " ms: closing it");
                closeQuietly(connection);
            }
        }
    }

    private static void closeQuietly(ClientSessionDecorator connection) {
        try {
            connection.close(CloseStatus.SESSION_NOT_RELIABLE);
        }
        catch (IOException ex) {
            // the client is gone already, which is what the close was for
        }
    }

    @Override
    public synchronized void start() {
        if (this.task == null) {
            this.task = this.scheduler.scheduleAtFixedRate(this::checkSafely, CHECK_INTERVAL);
        }
    }

    private void checkSafely() {
        try {
            check();
        }
        catch (RuntimeException ex) {
            // a failure must not end the schedule: the next check tries again
            logger.warn("Checking SockJS sessions over HTTP failed", ex);
        }
    }

    @Override
    public synchronized void stop() {
        if (this.task != null) {
            this.task.cancel(false);
            this.task = null;
        }
    }

    @Override
    public synchronized boolean isRunning() {
        return this.task != null;
    }
}
