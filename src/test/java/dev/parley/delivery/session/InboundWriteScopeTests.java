package dev.parley.delivery.session;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;
import java.util.stream.IntStream;

import org.junit.jupiter.api.Test;

import org.springframework.messaging.Message;
import org.springframework.messaging.MessageChannel;
import org.springframework.messaging.support.MessageBuilder;
import org.springframework.scheduling.TaskScheduler;
import org.springframework.web.socket.WebSocketSession;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.when;

class InboundWriteScopeTests {

    private final List<Runnable> toWorkers = new ArrayList<>();

    /**
     * Whether the frame is handled on Tomcat's poller: the hand-off stands in for
     * {@code PollerReads.toWorkers}, which takes the writes only there ({@code PollerReadsTests}).
     */
    private boolean onPoller;

    private final InboundWriteScope scope = new InboundWriteScope(
            writes -> this.onPoller && this.toWorkers.add(writes));

    private final Message<byte[]> clientFrame = MessageBuilder.withPayload(new byte[0]).build();

    private final MessageChannel inbound = mock(MessageChannel.class);

    /** Connections written to, in the order their writes started. */
    private final List<String> written = new ArrayList<>();

    @Test
    void aLargeBroadcastHandledOnThePollerIsWrittenByAWorker() {
        List<ClientSessionDecorator> room = connections(InboundWriteScope.WRITES_ON_POLLER + 1);
        this.onPoller = true;

        handleFrameBroadcastingTo(room);

        assertThat(this.written).as("written on the poller").isEmpty();
        assertThat(this.toWorkers).hasSize(1);
        this.toWorkers.get(0).run();
        assertThat(this.written).as("written by the worker").hasSize(room.size());
    }

    @Test
    void aSmallBroadcastHandledOnThePollerIsWrittenThere() {
        List<ClientSessionDecorator> room = connections(InboundWriteScope.WRITES_ON_POLLER);
        this.onPoller = true;

        handleFrameBroadcastingTo(room);

        assertThat(this.written).hasSize(room.size());
        assertThat(this.toWorkers).isEmpty();
    }

    @Test
    void aLargeBroadcastHandledByAWorkerIsWrittenThere() {
        List<ClientSessionDecorator> room = connections(InboundWriteScope.WRITES_ON_POLLER + 1);

        handleFrameBroadcastingTo(room);

        assertThat(this.written).hasSize(room.size());
        assertThat(this.toWorkers).isEmpty();
    }

    private void handleFrameBroadcastingTo(List<ClientSessionDecorator> room) {
        this.scope.preSend(this.clientFrame, this.inbound);
        for (ClientSessionDecorator connection : room) {
            connection.sendFrame("MESSAGE\n\n{}\0".getBytes());
        }
        this.scope.afterSendCompletion(this.clientFrame, this.inbound, true, null);
    }

    /** Connections whose writes complete at once. */
    private List<ClientSessionDecorator> connections(int count) {
        return IntStream.range(0, count).mapToObj(i -> {
            WebSocketSession delegate = mock(WebSocketSession.class);
            when(delegate.getId()).thenReturn("s" + i);
            ClientFrameWriter atOnce = (byte[] batch, Consumer<Throwable> done) -> {
                this.written.add("s" + i);
                return true;
            };
            return new ClientSessionDecorator(delegate, atOnce, 60_000, 1000, () -> mock(TaskScheduler.class),
                    new LongAdder());
        }).toList();
    }
}
