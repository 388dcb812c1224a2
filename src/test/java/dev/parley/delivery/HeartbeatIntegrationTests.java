package dev.parley.delivery;

import java.security.Principal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import dev.parley.delivery.broker.FanOutBroker;
import dev.parley.support.ParleyApi;
import dev.parley.support.ParleyIntegrationTest;
import dev.parley.support.ParleyIntegrationTestBase;
import dev.parley.support.RawStompSocket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.messaging.Message;
import org.springframework.messaging.MessageChannel;
import org.springframework.messaging.simp.SimpMessageHeaderAccessor;
import org.springframework.messaging.simp.SimpMessageType;
import org.springframework.messaging.support.AbstractSubscribableChannel;
import org.springframework.messaging.support.ChannelInterceptor;
import org.springframework.test.context.TestPropertySource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The server's heart-beats on the wire: one per interval to a quiet connection (docs/protocol.md,
 * section 10), at a one-second interval here so that a few seconds show several.
 */
@ParleyIntegrationTest
@TestPropertySource(properties = "chat.transport.heartbeat=1s")
class HeartbeatIntegrationTests extends ParleyIntegrationTestBase {

    /** A heart-beat is a WebSocket text frame of one byte: two bytes of header and the newline. */
    private static final int HEARTBEAT_BYTES = 3;

    private static final Duration WATCHED = Duration.ofSeconds(6);

    private final List<RawStompSocket> sockets = new ArrayList<>();

    @Autowired
    AbstractSubscribableChannel clientInboundChannel;

    @Autowired
    AbstractSubscribableChannel clientOutboundChannel;

    @Autowired
    FanOutBroker broker;

    @AfterEach
    void close() {
        this.sockets.forEach(RawStompSocket::close);
    }

    @Test
    void aQuietConnectionGetsOneHeartbeatPerInterval() {
        ParleyApi.Claim claim = this.api.claim(ParleyApi.uniqueName("beat"));
        RawStompSocket socket = RawStompSocket.open(this.port, this.sockets);
        // the client sends none (0) and wants one every second from the server
        socket.send("CONNECT\naccept-version:1.2\nhost:localhost\nheart-beat:0,1000\nlogin:" + claim.nickname()
                + "\npasscode:" + claim.token() + "\n\n\0");
        assertThat(socket.next().command()).isEqualTo("CONNECTED");

        RawStompSocket.Drained watched = socket.drain(WATCHED);

        assertThat(watched.ending()).isEqualTo(RawStompSocket.Ending.STILL_OPEN);
        assertThat(watched.events()).isEmpty();
        // one per interval, each within 1.25 s of the last write: 4 to 6 in 6 s. The broker checks
        // four times per interval and, left to itself, sent one at every check: about 20
        long heartbeats = watched.bytes() / HEARTBEAT_BYTES;
        assertThat(watched.bytes() % HEARTBEAT_BYTES).as("only heart-beats were sent").isZero();
        assertThat(heartbeats).isBetween(3L, 7L);
    }

    @Test
    void theBrokerMakesAHeartbeatMessageOnlyWhenOneIsDue() {
        assertThat(this.broker.learnsWrites()).as("Spring's broker internals found").isTrue();
        ParleyApi.Claim claim = this.api.claim(ParleyApi.uniqueName("beat"));
        List<Message<?>> made = new CopyOnWriteArrayList<>();
        ChannelInterceptor counter = new ChannelInterceptor() {
            @Override
            public Message<?> preSend(Message<?> message, MessageChannel channel) {
                Principal user = SimpMessageHeaderAccessor.getUser(message.getHeaders());
                if (SimpMessageHeaderAccessor.getMessageType(message.getHeaders()) == SimpMessageType.HEARTBEAT
                        && user != null && claim.nickname().equals(user.getName())) {
                    made.add(message);
                }
                return message;
            }
        };
        // first, before the engine's interceptors drop what is not due
        this.clientOutboundChannel.addInterceptor(0, counter);
        try {
            RawStompSocket socket = RawStompSocket.open(this.port, this.sockets);
            socket.send("CONNECT\naccept-version:1.2\nhost:localhost\nheart-beat:0,1000\nlogin:" + claim.nickname()
                    + "\npasscode:" + claim.token() + "\n\n\0");
            assertThat(socket.next().command()).isEqualTo("CONNECTED");

            RawStompSocket.Drained watched = socket.drain(WATCHED);

            assertThat(watched.bytes() / HEARTBEAT_BYTES).as("heart-beats on the wire").isBetween(3L, 7L);
            // one per interval: 4 to 7 in 6 s; told nothing, the broker made one at each of its
            // four checks per interval, about 20
            assertThat(made).hasSizeBetween(3, 8);
        }
        finally {
            this.clientOutboundChannel.removeInterceptor(counter);
        }
    }

    @Test
    void aClientsHeartbeatsKeepItsConnectionOpenWithoutPassingSpringsInboundChannel() {
        List<Message<?>> inboundHeartbeats = new CopyOnWriteArrayList<>();
        ChannelInterceptor counter = new ChannelInterceptor() {
            @Override
            public Message<?> preSend(Message<?> message, MessageChannel channel) {
                if (SimpMessageHeaderAccessor.getMessageType(message.getHeaders()) == SimpMessageType.HEARTBEAT) {
                    inboundHeartbeats.add(message);
                }
                return message;
            }
        };
        this.clientInboundChannel.addInterceptor(counter);
        try {
            // it also wants the server's each second, so that the drain below reads every second
            RawStompSocket beating = connect("500,1000");
            RawStompSocket silent = connect("500,0");

            // the broker expects one within 3 s (three times the server's 1 s): send them for 5 s
            ScheduledExecutorService heart = Executors.newSingleThreadScheduledExecutor();
            try {
                heart.scheduleAtFixedRate(() -> beating.send("\n"), 0, 500, TimeUnit.MILLISECONDS);
                assertThat(beating.drain(Duration.ofSeconds(5)).ending()).isEqualTo(RawStompSocket.Ending.STILL_OPEN);
            }
            finally {
                heart.shutdownNow();
            }

            assertThat(silent.drain(Duration.ofSeconds(2)).ending()).as("a client that sends none")
                .isNotEqualTo(RawStompSocket.Ending.STILL_OPEN);
            assertThat(inboundHeartbeats).isEmpty();
        }
        finally {
            this.clientInboundChannel.removeInterceptor(counter);
        }
    }

    /** A connected client that promises heart-beats ({@code heartbeat}: what it sends, what it wants). */
    private RawStompSocket connect(String heartbeat) {
        ParleyApi.Claim claim = this.api.claim(ParleyApi.uniqueName("beat"));
        RawStompSocket socket = RawStompSocket.open(this.port, this.sockets);
        socket.send("CONNECT\naccept-version:1.2\nhost:localhost\nheart-beat:" + heartbeat + "\nlogin:"
                + claim.nickname() + "\npasscode:" + claim.token() + "\n\n\0");
        assertThat(socket.next().command()).isEqualTo("CONNECTED");
        return socket;
    }
}
