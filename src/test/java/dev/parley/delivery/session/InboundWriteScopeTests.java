package dev.parley.delivery.session;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
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

    /** What each write took, by connection. */
    private final Map<String, List<String>> writes = new HashMap<>();

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

    @Test
    void aBatchsBroadcastsReachEachConnectionInOneWriteInTheirOrder() {
        List<ClientSessionDecorator> room = connections(10);

        InboundWriteScope.batch(() -> {
            for (String text : List.of("first", "second", "third")) {
                room.forEach(connection -> connection.sendFrame(bytes(text)));
            }
        }, this.toWorkers::add);

        assertThat(this.written).as("one write per connection").hasSize(room.size()).doesNotHaveDuplicates();
        assertThat(this.writes.get("s3")).containsExactly(frame("first") + frame("second") + frame("third"));
        assertThat(this.toWorkers).isEmpty();
    }

    @Test
    void aConnectionWrittenAfterABatchIsWrittenAtOnceAgain() {
        List<ClientSessionDecorator> room = connections(1);
        InboundWriteScope.batch(() -> room.get(0).sendFrame(bytes("in the batch")), this.toWorkers::add);

        room.get(0).sendFrame(bytes("after it"));

        assertThat(this.writes.get("s0")).containsExactly(frame("in the batch"), frame("after it"));
    }

    @Test
    void aLargeBatchIsHandedOffInPartsThatEachWriteTheirConnectionsOnce() {
        List<ClientSessionDecorator> room = connections(2 * InboundWriteScope.WRITES_ON_POLLER + 1);

        InboundWriteScope.batch(() -> {
            room.forEach(connection -> connection.sendFrame(bytes("one")));
            room.forEach(connection -> connection.sendFrame(bytes("two")));
        }, this.toWorkers::add);

        assertThat(this.written).as("written on the publishing thread").isEmpty();
        assertThat(this.toWorkers).hasSize(3);
        this.toWorkers.forEach(Runnable::run);
        assertThat(this.written).hasSize(room.size()).doesNotHaveDuplicates();
        assertThat(this.writes.values()).allSatisfy(
                taken -> assertThat(taken).containsExactly(frame("one") + frame("two")));
    }

    @Test
    void aBatchHandledWithinAClientFrameIsWrittenWhenTheFrameIsDone() {
        List<ClientSessionDecorator> room = connections(3);

        this.scope.preSend(this.clientFrame, this.inbound);
        InboundWriteScope.batch(() -> room.forEach(connection -> connection.sendFrame(bytes("x"))),
                this.toWorkers::add);
        assertThat(this.written).as("written before the frame is done").isEmpty();
        this.scope.afterSendCompletion(this.clientFrame, this.inbound, true, null);

        assertThat(this.written).hasSize(room.size());
    }

    @Test
    void aConnectionWhoseWriteFailsBadlyLeavesTheOthersOfTheBatchWritten() {
        WebSocketSession delegate = mock(WebSocketSession.class);
        when(delegate.getId()).thenReturn("broken");
        ClientFrameWriter failing = (byte[] batch, Consumer<Throwable> done) -> {
            throw new IllegalStateException("socket gone");
        };
        ClientSessionDecorator broken = new ClientSessionDecorator(delegate, failing, 60_000, 1000, () -> {
            throw new IllegalStateException("no scheduler: the server is stopping");
        }, new LongAdder());
        List<ClientSessionDecorator> others = connections(2);

        InboundWriteScope.batch(() -> {
            broken.sendFrame(bytes("x"));
            others.forEach(connection -> connection.sendFrame(bytes("x")));
        }, this.toWorkers::add);

        assertThat(this.written).containsExactly("s0", "s1");
    }

    private static byte[] bytes(String text) {
        return frame(text).getBytes(StandardCharsets.UTF_8);
    }

    private static String frame(String text) {
        return "MESSAGE\n\n" + text + "\0";
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
                this.writes.computeIfAbsent("s" + i, id -> new ArrayList<>())
                    .add(new String(batch, StandardCharsets.UTF_8));
                return true;
            };
            return new ClientSessionDecorator(delegate, atOnce, 60_000, 1000, () -> mock(TaskScheduler.class),
                    new LongAdder());
        }).toList();
    }
}
