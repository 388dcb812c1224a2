package dev.parley.delivery.session;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.LongAdder;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import org.springframework.messaging.Message;
import org.springframework.messaging.MessageChannel;
import org.springframework.messaging.simp.stomp.BufferingStompDecoder;
import org.springframework.messaging.support.MessageBuilder;
import org.springframework.scheduling.concurrent.ThreadPoolTaskScheduler;
import org.springframework.web.socket.CloseStatus;
import org.springframework.web.socket.PongMessage;
import org.springframework.web.socket.TextMessage;
import org.springframework.web.socket.WebSocketSession;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.timeout;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;

class ClientSessionDecoratorTests {

    private static final int BUFFER_LIMIT = 1000;

    private final WebSocketSession delegate = mock(WebSocketSession.class);

    private final ManualFrameWriter writer = new ManualFrameWriter();

    private final ThreadPoolTaskScheduler scheduler = new ThreadPoolTaskScheduler();

    private final LongAdder cutOffs = new LongAdder();

    private final ClientSessionDecorator session;

    private final BufferingStompDecoder decoder = new BufferingStompDecoder(new CompleteFramesDecoder(), 64 * 1024);

    private final List<Message<byte[]>> decoded = new ArrayList<>();

    ClientSessionDecoratorTests() {
        when(this.delegate.getId()).thenReturn("s1");
        when(this.delegate.isOpen()).thenReturn(true);
        this.scheduler.initialize();
        this.session = new ClientSessionDecorator(this.delegate, this.writer, 60_000, BUFFER_LIMIT,
                () -> this.scheduler, this.cutOffs);
    }

    @AfterEach
    void stopScheduler() {
        this.scheduler.shutdown();
    }

    @Test
    void idleConnectionWritesAFrameAtOnce() throws Exception {
        this.session.sendMessage(new TextMessage("first\0"));

        assertThat(this.writer.texts()).containsExactly("first\0");
    }

    @Test
    void framesQueuedBehindAWriteLeaveTogetherInOrder() throws Exception {
        this.session.sendMessage(new TextMessage("1\0"));
        this.session.sendMessage(new TextMessage("2\0"));
        this.session.sendMessage(new TextMessage("3\0"));

        assertThat(this.writer.texts()).containsExactly("1\0");
        this.writer.complete(null);

        assertThat(this.writer.texts()).containsExactly("1\0", "2\0" + "3\0");
        assertThat(this.session.queuedBytes()).isZero();
    }

    @Test
    void aHeartBeatQueuedBehindAWriteIsLeftOutWhenFramesFollowIt() throws Exception {
        this.session.sendMessage(new TextMessage("1\0"));
        this.session.sendMessage(new TextMessage("\n"));
        this.session.sendMessage(new TextMessage("2\0"));
        this.session.sendMessage(new TextMessage("3\0"));

        this.writer.complete(null);

        assertThat(this.writer.texts()).containsExactly("1\0", "2\0" + "3\0");
        assertThat(this.session.queuedBytes()).isZero();
    }

    @Test
    void aHeartBeatQueuedBehindFramesIsDropped() throws Exception {
        this.session.sendMessage(new TextMessage("1\0"));
        this.session.sendMessage(new TextMessage("2\0"));
        this.session.sendMessage(new TextMessage("\n"));
        this.session.sendMessage(new TextMessage("\n"));

        this.writer.complete(null);

        assertThat(this.writer.texts()).containsExactly("1\0", "2\0");
        assertThat(this.session.queuedBytes()).isZero();
    }

    @Test
    void aHeartBeatQueuedBehindAWriteWithNothingAfterItIsSent() throws Exception {
        this.session.sendMessage(new TextMessage("1\0"));
        this.session.sendMessage(new TextMessage("\n"));

        this.writer.complete(null);

        assertThat(this.writer.texts()).containsExactly("1\0", "\n");
        this.writer.complete(null);
        assertThat(this.session.queuedBytes()).isZero();
    }

    @Test
    void aQuietConnectionIsProbedWithAHeartBeat() throws Exception {
        long quiet = Duration.ofMillis(50).toNanos();
        this.session.sendMessage(new TextMessage("1\0"));
        this.writer.complete(null);
        assertThat(this.session.probeIfQuiet(quiet)).as("just written").isFalse();

        await().atMost(Duration.ofSeconds(5)).until(() -> this.session.probeIfQuiet(quiet));
        assertThat(this.writer.texts()).containsExactly("1\0", "\n");
    }

    @Test
    void noProbeWhileAWriteIsUnderWayOrAfterClose() throws Exception {
        this.session.sendMessage(new TextMessage("1\0"));
        assertThat(this.session.probeIfQuiet(0)).as("a write under way").isFalse();
        this.writer.complete(null);
        assertThat(this.session.probeIfQuiet(0)).isTrue();
        this.writer.complete(null);

        this.session.close();
        assertThat(this.session.probeIfQuiet(0)).as("closed").isFalse();
        assertThat(this.writer.texts()).containsExactly("1\0", "\n");
    }

    @Test
    void framesQueuedWhileAClientFrameIsHandledLeaveTogetherAfterIt() throws Exception {
        InboundWriteScope scope = new InboundWriteScope(writes -> false);
        Message<byte[]> clientFrame = MessageBuilder.withPayload(new byte[0]).build();
        MessageChannel inbound = mock(MessageChannel.class);

        scope.preSend(clientFrame, inbound);
        this.session.sendMessage(new TextMessage("MESSAGE 1\0"));
        this.session.sendMessage(new TextMessage("RECEIPT\0"));
        assertThat(this.writer.texts()).isEmpty();
        scope.afterSendCompletion(clientFrame, inbound, true, null);

        assertThat(this.writer.texts()).containsExactly("MESSAGE 1\0" + "RECEIPT\0");
        this.writer.complete(null);
        this.session.sendMessage(new TextMessage("heart-beat\n"));
        assertThat(this.writer.texts()).as("outside a handling, at once").hasSize(2);
    }

    @Test
    void writesCompletedAtOnceLeaveOneAfterAnotherInOrder() throws Exception {
        List<String> written = new ArrayList<>();
        ClientSessionDecorator[] session = new ClientSessionDecorator[1];
        ClientFrameWriter atOnce = (batch, done) -> {
            String text = new String(batch, StandardCharsets.UTF_8);
            written.add(text);
            if (text.equals("1\0")) {
                // queued by another publisher while this write is on the socket
                session[0].sendFrame("2\0".getBytes(StandardCharsets.UTF_8));
            }
            return true;
        };
        session[0] = new ClientSessionDecorator(this.delegate, atOnce, 60_000, BUFFER_LIMIT, () -> this.scheduler,
                this.cutOffs);

        session[0].sendMessage(new TextMessage("1\0"));
        session[0].sendMessage(new TextMessage("3\0"));

        assertThat(written).containsExactly("1\0", "2\0", "3\0");
        assertThat(session[0].queuedBytes()).isZero();
    }

    @Test
    void aCloseAfterWritesCompletedAtOnceIsImmediate() throws Exception {
        ClientSessionDecorator session = new ClientSessionDecorator(this.delegate, (batch, done) -> true, 60_000,
                BUFFER_LIMIT, () -> this.scheduler, this.cutOffs);
        session.sendMessage(new TextMessage("ERROR\0"));

        session.close(CloseStatus.PROTOCOL_ERROR);

        verify(this.delegate).close(CloseStatus.PROTOCOL_ERROR);
    }

    @Test
    void clientTooSlowToReadIsCutOffAndItsQueueDropped() throws Exception {
        this.session.sendMessage(new TextMessage("x".repeat(10)));
        for (int i = 0; i < 11; i++) {
            this.session.sendMessage(new TextMessage("y".repeat(100)));
        }

        verify(this.delegate, timeout(5_000)).close(any(CloseStatus.class));
        verify(this.delegate).close(CloseStatus.SESSION_NOT_RELIABLE.withReason("Too slow to read: send limit exceeded"));
        assertThat(this.session.queuedBytes()).isZero();
        assertThat(this.cutOffs.sum()).as("cut-offs counted").isEqualTo(1);
        this.writer.complete(null);
        assertThat(this.writer.texts()).containsExactly("x".repeat(10));
    }

    @Test
    void sendsAfterACutOffAreDropped() throws Exception {
        this.session.sendMessage(new TextMessage("x"));
        this.session.sendMessage(new TextMessage("y".repeat(BUFFER_LIMIT + 1)));
        this.session.sendMessage(new TextMessage("z"));

        assertThat(this.session.queuedBytes()).isZero();
        assertThat(this.cutOffs.sum()).as("one cut-off, however many sends follow it").isEqualTo(1);
    }

    @Test
    void closeWaitsForTheFramesQueuedBeforeIt() throws Exception {
        this.session.sendMessage(new TextMessage("MESSAGE\0"));
        this.session.sendMessage(new TextMessage("ERROR\0"));
        this.session.close(CloseStatus.PROTOCOL_ERROR);

        verify(this.delegate, never()).close(any());
        this.writer.complete(null);
        assertThat(this.writer.texts()).containsExactly("MESSAGE\0", "ERROR\0");
        this.writer.complete(null);

        verify(this.delegate).close(CloseStatus.PROTOCOL_ERROR);
    }

    @Test
    void closeGivesUpWaitingForAStuckWrite() throws Exception {
        this.session.sendMessage(new TextMessage("stuck\0"));
        this.session.close(CloseStatus.PROTOCOL_ERROR);

        verify(this.delegate, timeout(5_000)).close(CloseStatus.PROTOCOL_ERROR);
    }

    @Test
    void closeOfAnIdleConnectionIsImmediate() throws Exception {
        this.session.close(CloseStatus.NORMAL);

        verify(this.delegate).close(CloseStatus.NORMAL);
    }

    @Test
    void failedWriteClosesTheConnection() throws Exception {
        this.session.sendMessage(new TextMessage("a"));
        this.session.sendMessage(new TextMessage("b"));
        this.writer.complete(new java.io.IOException("broken pipe"));

        verify(this.delegate, timeout(5_000)).close(CloseStatus.SESSION_NOT_RELIABLE);
        await().atMost(Duration.ofSeconds(5)).until(() -> this.session.queuedBytes() == 0);
        assertThat(this.writer.texts()).containsExactly("a");
    }

    @Test
    void connectionsStillCloseOnceTheSchedulerHasShutDown() throws Exception {
        this.session.sendMessage(new TextMessage("stuck\0"));
        this.scheduler.shutdown();

        this.writer.complete(new java.io.IOException("server stopping"));

        verify(this.delegate).close(CloseStatus.SESSION_NOT_RELIABLE);
    }

    @Test
    void aCloseWaitingForWritesHappensAtOnceOnceTheSchedulerHasShutDown() throws Exception {
        this.session.sendMessage(new TextMessage("stuck\0"));
        this.scheduler.shutdown();

        this.session.close(CloseStatus.GOING_AWAY);

        verify(this.delegate).close(CloseStatus.GOING_AWAY);
    }

    @Test
    void endOfLinesBetweenFramesAreOnlyHeartbeats() throws Exception {
        assertThat(received("CONNECT\nlogin:a\n\n\0")).isFalse();

        assertThat(received("\n")).isTrue();
        assertThat(received("\r\n\n")).isTrue();
        assertThat(received("SEND\ndestination:/app/x\n\nhi\0\n")).isFalse();
        assertThat(received("\n")).isTrue();
    }

    @Test
    void endOfLinesBeforeTheFirstFrameAreLeftToSpring() throws Exception {
        assertThat(received("\n")).isFalse();
        assertThat(received("CONNECT\n\n\0")).isFalse();
        assertThat(received("\n")).isTrue();
    }

    @Test
    void endOfLinesWithinAFrameArrivingInPartsAreLeftToSpring() throws Exception {
        received("CONNECT\n\n\0");

        assertThat(received("SEND\ndestination:/app/x\n\nfirst line")).isFalse();
        assertThat(received("\n")).as("part of the body").isFalse();
        assertThat(received("second line\0")).isFalse();
        assertThat(lastDecodedBody()).isEqualTo("first line\nsecond line");
        assertThat(received("\n")).isTrue();
        // a part that ends one frame and starts the next
        assertThat(received("SEND\n\n\0SEND\ndest")).isFalse();
        assertThat(received("\n")).isFalse();
    }

    @Test
    void endOfLinesWithinABodyOfKnownLengthAreLeftToSpring() throws Exception {
        received("CONNECT\n\n\0");

        // STOMP 1.2: a body of content-length bytes may hold NULs and end-of-lines
        assertThat(received("SEND\ndestination:/app/x\ncontent-length:3\n\na\0")).isFalse();
        assertThat(received("\n")).as("the body's third byte").isFalse();
        assertThat(received("\0")).isFalse();

        assertThat(lastDecodedBody()).isEqualTo("a\0\n");
        assertThat(received("\n")).isTrue();
    }

    @Test
    void endOfLinesAfterANulInAFramesHeadersAreLeftToSpring() throws Exception {
        received("CONNECT\n\n\0");

        assertThat(received("SEND\0")).isFalse();
        assertThat(received("\n")).isFalse();
    }

    @Test
    void aCarriageReturnWithoutItsLineFeedIsNotAHeartbeat() throws Exception {
        received("CONNECT\n\n\0");

        // Spring's decoder refuses them (the client gets an ERROR)
        assertThat(this.session.receivedOnlyHeartbeats(new TextMessage("\r"))).isFalse();
        assertThat(this.session.receivedOnlyHeartbeats(new TextMessage("\n\r"))).isFalse();
        assertThat(this.session.receivedOnlyHeartbeats(new TextMessage(""))).isFalse();
        assertThat(received("\n")).isTrue();
    }

    @Test
    void aPongLeavesWhatIsKnownAsItWas() throws Exception {
        received("CONNECT\n\n\0");

        PongMessage pong = new PongMessage();
        assertThat(this.session.receivedOnlyHeartbeats(pong)).isFalse();
        this.session.receive(pong, () -> { });

        assertThat(received("\n")).isTrue();
    }

    /** The body of the last frame Spring's decoder produced, as text. */
    private String lastDecodedBody() {
        return new String((byte[]) this.decoded.get(this.decoded.size() - 1).getPayload(), StandardCharsets.UTF_8);
    }

    /**
     * Receives {@code text} as the engine does: taken as heart-beats if the connection says so,
     * otherwise decoded by Spring's buffering decoder around Parley's, within {@code receive}.
     */
    private boolean received(String text) throws Exception {
        TextMessage message = new TextMessage(text);
        if (this.session.receivedOnlyHeartbeats(message)) {
            return true;
        }
        this.session.receive(message, () -> this.decoded.addAll(this.decoder.decode(ByteBuffer.wrap(message.asBytes()))));
        return false;
    }
}
