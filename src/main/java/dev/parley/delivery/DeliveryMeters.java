package dev.parley.delivery;

import java.util.Map;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.ToDoubleFunction;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.BaseUnits;
import io.micrometer.core.instrument.binder.MeterBinder;

import dev.parley.delivery.session.ClientSessionDecorator;
import dev.parley.delivery.session.ClientWriters;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.web.socket.config.WebSocketMessageBrokerStats;
import org.springframework.web.socket.messaging.StompSubProtocolHandler;
import org.springframework.web.socket.messaging.SubProtocolWebSocketHandler;

/**
 * The delivery engine's meters (docs/metrics.md), and Spring's broker statistics, which Spring
 * Boot does not bind. Everything is read when the meters are scraped: the engine itself only
 * adds to two {@link LongAdder}s, once per fan-out and once per cut-off.
 * <p>
 * Spring's inbound and outbound channels have no thread pools here (a frame is handled and queued
 * on the thread that has it, {@link WebSocketConfiguration}), so their executor statistics would
 * be empty; the pool that does the blocking writes, {@link ClientWriters}, is measured instead.
 */
final class DeliveryMeters implements MeterBinder {

    private final Map<String, ClientSessionDecorator> connections;

    private final ClientWriters writers;

    private final LongAdder deliveries;

    private final LongAdder cutOffs;

    private final ObjectProvider<WebSocketMessageBrokerStats> brokerStats;

    DeliveryMeters(Map<String, ClientSessionDecorator> connections, ClientWriters writers, LongAdder deliveries,
            LongAdder cutOffs, ObjectProvider<WebSocketMessageBrokerStats> brokerStats) {
        this.connections = connections;
        this.writers = writers;
        this.deliveries = deliveries;
        this.cutOffs = cutOffs;
        this.brokerStats = brokerStats;
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        // how many clients this instance serves: a load balancer's spread shows in it
        connections(registry, "websocket", SubProtocolWebSocketHandler.Stats::getWebSocketSessions);
        connections(registry, "xhr-streaming", SubProtocolWebSocketHandler.Stats::getHttpStreamingSessions);
        connections(registry, "xhr-polling", SubProtocolWebSocketHandler.Stats::getHttpPollingSessions);

        FunctionCounter.builder("parley.deliveries", this.deliveries, LongAdder::sum)
            .description("Frames of room events (/topic) queued on client connections, one per subscriber")
            .register(registry);
        FunctionCounter.builder("parley.slow.client.cutoffs", this.cutOffs, LongAdder::sum)
            .description("Connections closed (4500) for falling behind: chat.transport.send-buffer-size-limit "
                    + "queued or a write longer than chat.transport.send-time-limit")
            .register(registry);
        Gauge.builder("parley.outbound.queued", this.connections, DeliveryMeters::queuedBytes)
            .description("Bytes queued for clients behind a write under way, summed over the connections")
            .baseUnit(BaseUnits.BYTES)
            .register(registry);

        Gauge.builder("parley.writers.threads", this.writers, ClientWriters::poolSize)
            .description("Threads of the writer pool (blocking writes to SockJS and some WebSocket clients)")
            .register(registry);
        Gauge.builder("parley.writers.active", this.writers, ClientWriters::activeThreads)
            .description("Writer threads making a write now; near parley.writers.threads, slow clients hold them")
            .register(registry);
        Gauge.builder("parley.writers.queued", this.writers, ClientWriters::queuedWrites)
            .description("Writes waiting for a writer thread")
            .register(registry);

        sessionsEnded(registry);
        stompFrames(registry);
    }

    private void connections(MeterRegistry registry, String transport,
            ToDoubleFunction<SubProtocolWebSocketHandler.Stats> count) {
        Gauge.builder("parley.connections", this.brokerStats, stats -> count.applyAsDouble(sessionStats(stats)))
            .description("Client connections open on this instance, by transport (websocket counts plain "
                    + "WebSocket and SockJS's websocket transport)")
            .tag("transport", transport)
            .strongReference(true)
            .register(registry);
    }

    /** Spring's counts of sessions it ended itself, since the start. */
    private void sessionsEnded(MeterRegistry registry) {
        sessionsEnded(registry, "limit-exceeded", SubProtocolWebSocketHandler.Stats::getLimitExceededSessions);
        sessionsEnded(registry, "no-messages-received",
                SubProtocolWebSocketHandler.Stats::getNoMessagesReceivedSessions);
        sessionsEnded(registry, "transport-error", SubProtocolWebSocketHandler.Stats::getTransportErrorSessions);
        FunctionCounter
            .builder("websocket.sessions.opened", this.brokerStats,
                    stats -> sessionStats(stats).getTotalSessions())
            .description("WebSocket and SockJS sessions opened since the start (Spring's broker statistics)")
            .register(registry);
    }

    private void sessionsEnded(MeterRegistry registry, String reason,
            ToDoubleFunction<SubProtocolWebSocketHandler.Stats> count) {
        FunctionCounter
            .builder("websocket.sessions.ended", this.brokerStats, stats -> count.applyAsDouble(sessionStats(stats)))
            .description("Sessions Spring's handler ended itself, by reason (Spring's broker statistics)")
            .tag("reason", reason)
            .register(registry);
    }

    private void stompFrames(MeterRegistry registry) {
        stompFrames(registry, "connect", StompSubProtocolHandler.Stats::getTotalConnect);
        stompFrames(registry, "connected", StompSubProtocolHandler.Stats::getTotalConnected);
        stompFrames(registry, "disconnect", StompSubProtocolHandler.Stats::getTotalDisconnect);
    }

    private void stompFrames(MeterRegistry registry, String command,
            ToDoubleFunction<StompSubProtocolHandler.Stats> count) {
        FunctionCounter
            .builder("websocket.stomp.frames", this.brokerStats, stats -> {
                StompSubProtocolHandler.Stats stomp = stats.getObject().getStompSubProtocolStats();
                return (stomp != null) ? count.applyAsDouble(stomp) : 0;
            })
            .description("STOMP CONNECT and DISCONNECT frames received and CONNECTED frames sent "
                    + "(Spring's broker statistics)")
            .tag("command", command)
            .register(registry);
    }

    private static SubProtocolWebSocketHandler.Stats sessionStats(ObjectProvider<WebSocketMessageBrokerStats> stats) {
        SubProtocolWebSocketHandler.Stats sessions = stats.getObject().getWebSocketSessionStats();
        if (sessions == null) {
            throw new IllegalStateException("Spring's broker statistics have no WebSocket handler");
        }
        return sessions;
    }

    private static double queuedBytes(Map<String, ClientSessionDecorator> connections) {
        long bytes = 0;
        for (ClientSessionDecorator connection : connections.values()) {
            bytes += connection.queuedBytes();
        }
        return bytes;
    }
}
