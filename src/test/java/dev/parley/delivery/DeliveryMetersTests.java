package dev.parley.delivery;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import dev.parley.delivery.session.ClientSessionDecorator;
import dev.parley.delivery.session.ClientWriters;
import dev.parley.delivery.session.ManualFrameWriter;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.scheduling.TaskScheduler;
import org.springframework.web.socket.WebSocketSession;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.when;

/** The engine's meters read what the engine counted and queued, when they are read. */
class DeliveryMetersTests {

    private final Map<String, ClientSessionDecorator> connections = new ConcurrentHashMap<>();

    private final ClientWriters writers = new ClientWriters(1, 2);

    private final LongAdder deliveries = new LongAdder();

    private final LongAdder cutOffs = new LongAdder();

    private final MeterRegistry meters = new SimpleMeterRegistry();

    @SuppressWarnings("unchecked")
    DeliveryMetersTests() {
        new DeliveryMeters(this.connections, this.writers, this.deliveries, this.cutOffs,
                mock(ObjectProvider.class)).bindTo(this.meters);
    }

    @AfterEach
    void stopWriters() {
        this.writers.shutdown();
    }

    @Test
    void queuedBytesAreSummedOverTheConnectionsWhenRead() {
        ClientSessionDecorator first = connection("a");
        ClientSessionDecorator second = connection("b");
        assertThat(queuedBytes()).isZero();

        // the first frame of each is being written (never completes here); the rest wait behind it
        first.sendFrame(bytes("under way\0"));
        first.sendFrame(bytes("12345\0"));
        second.sendFrame(bytes("under way\0"));
        second.sendFrame(bytes("1234567\0"));
        second.sendFrame(bytes("89\0"));

        assertThat(queuedBytes()).isEqualTo(6 + 8 + 3);
    }

    @Test
    void deliveriesAndCutOffsAreWhatTheEngineAdded() {
        this.deliveries.add(500);
        this.deliveries.add(2);
        this.cutOffs.increment();

        assertThat(this.meters.get("parley.deliveries").functionCounter().count()).isEqualTo(502);
        assertThat(this.meters.get("parley.slow.client.cutoffs").functionCounter().count()).isEqualTo(1);
    }

    private double queuedBytes() {
        return this.meters.get("parley.outbound.queued").gauge().value();
    }

    private ClientSessionDecorator connection(String id) {
        WebSocketSession session = mock(WebSocketSession.class);
        when(session.getId()).thenReturn(id);
        when(session.isOpen()).thenReturn(true);
        ClientSessionDecorator connection = new ClientSessionDecorator(session, new ManualFrameWriter(), 60_000,
                64 * 1024, () -> mock(TaskScheduler.class), this.cutOffs);
        this.connections.put(id, connection);
        return connection;
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
