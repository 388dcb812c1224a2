package dev.parley.delivery;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.reflect.Field;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import org.springframework.test.context.TestPropertySource;

import dev.parley.delivery.tomcat.LeanUpgradeStrategy;
import dev.parley.support.ParleyApi;
import dev.parley.support.ParleyIntegrationTest;
import dev.parley.support.ParleyIntegrationTestBase;
import dev.parley.support.RawWebSocketFrames;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What {@link LeanUpgradeStrategy} changes, seen from a client over a raw socket (the JDK's and
 * Spring's clients offer no extensions and hide how a message was framed). A browser offers
 * {@code permessage-deflate} at every WebSocket handshake; by default Parley declines it, and
 * {@code chat.transport.per-message-deflate=true} accepts it. Text messages leave in one
 * WebSocket frame, however small Tomcat's per-connection buffers are.
 */
@ParleyIntegrationTest
class WebSocketUpgradeIntegrationTests extends ParleyIntegrationTestBase {

    /** Tomcat reads the size once, when its WebSocket classes load: too late a setting is lost. */
    @Test
    void tomcatAllocatesTheSmallWebSocketBuffers() throws ReflectiveOperationException {
        Field size = Class.forName("org.apache.tomcat.websocket.Constants").getDeclaredField("DEFAULT_BUFFER_SIZE");
        size.setAccessible(true);

        assertThat(size.getInt(null)).isEqualTo(ConnectionMemoryConfiguration.WEBSOCKET_BUFFER);
    }

    /**
     * The JDK's client opens a WebSocket on a kept-alive connection of its pool, and refuses a
     * 101 whose {@code Connection} header says more than {@code upgrade}. Tomcat adds
     * {@code close} to the response to the last request it allows on one connection (100 by
     * default), the handshake's 101 included.
     */
    @Test
    void aHandshakeOnAConnectionThatServedManyRequestsIsAClean101() throws Exception {
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        HttpRequest health = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + this.port + "/actuator/health"))
            .build();
        for (int i = 1; i < 100; i++) {
            assertThat(client.send(health, HttpResponse.BodyHandlers.discarding()).statusCode()).isEqualTo(200);
        }

        WebSocket socket = client.newWebSocketBuilder()
            .buildAsync(URI.create("ws://127.0.0.1:" + this.port + "/ws/websocket"), new WebSocket.Listener() {
            })
            .get(10, TimeUnit.SECONDS);

        socket.abort();
    }

    @ParameterizedTest
    @ValueSource(strings = { "/ws/websocket", "sockjs" })
    void aLongChatMessageArrivesInOneWebSocketFrame(String path) throws IOException {
        String room = ParleyApi.uniqueName("frames");
        String text = "long ".repeat(380).strip();
        try (RawConnection connection = RawConnection.open(this.port, path)) {
            connection.connectStomp(this.api.claim(ParleyApi.uniqueName("frames")));
            connection.sendStomp("SUBSCRIBE\nid:0\ndestination:/topic/room." + room + "\n\n\0");
            connection.sendStomp("SEND\ndestination:/app/room." + room + ".join\n\n\0");
            connection.sendStomp("SEND\ndestination:/app/room." + room + ".send\ncontent-type:application/json\n\n"
                    + "{\"text\":\"" + text + "\"}\0");

            String received = "";
            while (!received.contains(text)) {
                received = connection.readText();
            }

            assertThat(connection.fragmentsSeen).isZero();
            assertThat(connection.lastMessageLength).isGreaterThan(text.length());
        }
    }

    @ParameterizedTest
    @ValueSource(strings = { "/ws/websocket", "sockjs" })
    void offeredCompressionIsDeclinedAndFramesArriveUncompressed(String path) throws IOException {
        try (RawConnection connection = RawConnection.open(this.port, path)) {
            assertThat(connection.handshake).startsWith("HTTP/1.1 101")
                    .doesNotContainIgnoringCase("Sec-WebSocket-Extensions");

            String connected = connection.connectStomp(this.api.claim(ParleyApi.uniqueName("plain")));

            assertThat(connection.lastFrameCompressed).isFalse();
            assertThat(connected).contains("CONNECTED");
        }
    }

    @Nested
    @TestPropertySource(properties = "chat.transport.per-message-deflate=true")
    class WhenEnabled extends ParleyIntegrationTestBase {

        @ParameterizedTest
        @ValueSource(strings = { "/ws/websocket", "sockjs" })
        void offeredCompressionIsAcceptedAndFramesArriveCompressed(String path) throws IOException {
            try (RawConnection connection = RawConnection.open(this.port, path)) {
                assertThat(connection.handshake).startsWith("HTTP/1.1 101")
                        .containsIgnoringCase("Sec-WebSocket-Extensions: permessage-deflate");

                String connected = connection.connectStomp(this.api.claim(ParleyApi.uniqueName("deflate")));

                assertThat(connection.lastFrameCompressed).isTrue();
                assertThat(connected).contains("CONNECTED");
            }
        }
    }

    /** A WebSocket client offering {@code permessage-deflate} as Chromium does. */
    private static final class RawConnection implements AutoCloseable {

        private static final SecureRandom RANDOM = new SecureRandom();

        private final Socket socket;

        private final DataInputStream in;

        private final OutputStream out;

        private final String handshake;

        private final boolean sockJs;

        private final Inflater inflater = new Inflater(true);

        private boolean lastFrameCompressed;

        private int lastMessageLength;

        /** Frames that continued a message begun in an earlier frame. */
        private int fragmentsSeen;

        private RawConnection(Socket socket, String handshake, boolean sockJs) throws IOException {
            this.socket = socket;
            this.in = new DataInputStream(socket.getInputStream());
            this.out = socket.getOutputStream();
            this.handshake = handshake;
            this.sockJs = sockJs;
        }

        static RawConnection open(int port, String path) throws IOException {
            boolean sockJs = path.equals("sockjs");
            String target = sockJs ? "/ws/000/" + UUID.randomUUID().toString().replace("-", "") + "/websocket" : path;
            byte[] key = new byte[16];
            RANDOM.nextBytes(key);
            Socket socket = new Socket("127.0.0.1", port);
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write(("GET " + target + " HTTP/1.1\r\n" + "Host: 127.0.0.1:" + port + "\r\n"
                    + "Connection: Upgrade\r\n" + "Upgrade: websocket\r\n" + "Sec-WebSocket-Version: 13\r\n"
                    + "Sec-WebSocket-Key: " + Base64.getEncoder().encodeToString(key) + "\r\n"
                    + (sockJs ? "" : "Sec-WebSocket-Protocol: v12.stomp\r\n")
                    + "Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII));
            InputStream in = socket.getInputStream();
            ByteArrayOutputStream head = new ByteArrayOutputStream();
            while (!head.toString(StandardCharsets.US_ASCII).endsWith("\r\n\r\n")) {
                int b = in.read();
                if (b < 0) {
                    break;
                }
                head.write(b);
            }
            return new RawConnection(socket, head.toString(StandardCharsets.US_ASCII), sockJs);
        }

        /** Sends CONNECT (SockJS: after its open frame) and returns the text of the answer. */
        String connectStomp(ParleyApi.Claim claim) throws IOException {
            String connect = "CONNECT\naccept-version:1.2\nhost:localhost\nlogin:" + claim.nickname() + "\npasscode:"
                    + claim.token() + "\nheart-beat:0,0\n\n\0";
            if (this.sockJs) {
                assertThat(readText()).isEqualTo("o");
                connect = "[" + ParleyApi.JSON.writeValueAsString(connect) + "]";
            }
            writeMaskedText(connect);
            return readText();
        }

        /** Sends one STOMP frame (SockJS: as a one-element array). */
        void sendStomp(String frame) throws IOException {
            writeMaskedText(this.sockJs ? "[" + ParleyApi.JSON.writeValueAsString(frame) + "]" : frame);
        }

        private void writeMaskedText(String text) throws IOException {
            this.out.write(RawWebSocketFrames.maskedText(text));
            this.out.flush();
        }

        /**
         * The next text message: its frames joined (each frame after the first counts in
         * {@link #fragmentsSeen}), and inflated if the server compressed it.
         */
        private String readText() throws IOException {
            ByteArrayOutputStream message = new ByteArrayOutputStream();
            int frames = 0;
            RawWebSocketFrames.Frame frame;
            do {
                frame = RawWebSocketFrames.read(this.in);
                if (frames++ == 0) {
                    this.lastFrameCompressed = frame.rsv1();
                }
                else {
                    this.fragmentsSeen++;
                }
                message.write(frame.payload());
            }
            while (!frame.fin());
            byte[] payload = message.toByteArray();
            this.lastMessageLength = payload.length;
            if (!this.lastFrameCompressed) {
                return new String(payload, StandardCharsets.UTF_8);
            }
            this.inflater.setInput(concat(payload, new byte[] { 0, 0, (byte) 0xff, (byte) 0xff }));
            byte[] out = new byte[64 * 1024];
            try {
                int inflated = this.inflater.inflate(out);
                return new String(out, 0, inflated, StandardCharsets.UTF_8);
            }
            catch (DataFormatException ex) {
                throw new IOException(ex);
            }
        }

        private static byte[] concat(byte[] a, byte[] b) {
            byte[] joined = new byte[a.length + b.length];
            System.arraycopy(a, 0, joined, 0, a.length);
            System.arraycopy(b, 0, joined, a.length, b.length);
            return joined;
        }

        @Override
        public void close() throws IOException {
            this.inflater.end();
            this.socket.close();
        }
    }
}
