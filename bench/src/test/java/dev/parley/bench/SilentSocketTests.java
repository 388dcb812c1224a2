package dev.parley.bench;

import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SilentSocketTests {

    @Test
    void theHandshakeIsAWebSocketUpgradeForStomp() {
        String request = SilentSocket.handshake(URI.create("ws://127.0.0.1:8450/ws/websocket"), "dGhlIHNhbXBsZSBub25jZQ==");
        assertTrue(request.startsWith("GET /ws/websocket HTTP/1.1\r\nHost: 127.0.0.1:8450\r\n"));
        assertTrue(request.contains("Upgrade: websocket\r\n"));
        assertTrue(request.contains("Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"));
        assertTrue(request.contains("Sec-WebSocket-Version: 13\r\n"));
        assertTrue(request.endsWith("\r\n\r\n"));
    }

    @Test
    void readsTheServersCloseFrameAndItsStatus() throws IOException {
        // unmasked close, status 1008 (policy violation), then the TCP connection ends
        byte[] bytes = { (byte) 0x88, 0x02, 0x03, (byte) 0xf0 };
        DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes));
        SilentSocket.Frame frame = SilentSocket.readFrame(in);
        assertEquals(SilentSocket.OPCODE_CLOSE, frame.opcode());
        assertEquals(1008, SilentSocket.closeStatus(frame.payload()));
        assertThrows(EOFException.class, () -> SilentSocket.readFrame(in));
        assertEquals(-1, SilentSocket.closeStatus(new byte[0]));
    }

    @Test
    void theClientsCloseIsMaskedAndCarriesTheStatus() throws IOException {
        byte[] close = SilentSocket.maskedClose(1008);
        assertEquals((byte) 0x88, close[0]);
        assertEquals((byte) 0x82, close[1]);
        SilentSocket.Frame frame = SilentSocket.readFrame(new DataInputStream(new ByteArrayInputStream(close)));
        assertArrayEquals(new byte[] { 0x03, (byte) 0xf0 }, frame.payload());
    }

    @Test
    void readsTheResponseHeadUpToTheBlankLine() throws IOException {
        InputStream in = new ByteArrayInputStream("HTTP/1.1 101 \r\nUpgrade: websocket\r\n\r\n\u0088\u0000".getBytes(StandardCharsets.ISO_8859_1));
        assertEquals("HTTP/1.1 101 \r\nUpgrade: websocket\r\n\r\n", SilentSocket.readHead(in));
        assertEquals(0x88, in.read());
    }

    @Test
    void measuresWhenAServerClosesAWebSocketThatNeverSentConnect() throws Exception {
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            CompletableFuture<byte[]> answered = CompletableFuture.supplyAsync(() -> {
                try (Socket socket = server.accept()) {
                    InputStream in = socket.getInputStream();
                    SilentSocket.readHead(in);
                    OutputStream out = socket.getOutputStream();
                    out.write("HTTP/1.1 101 \r\nUpgrade: websocket\r\nConnection: upgrade\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                    out.flush();
                    TimeUnit.MILLISECONDS.sleep(300); // the server's deadline, in miniature
                    out.write(new byte[] { (byte) 0x88, 0x02, 0x03, (byte) 0xf0 });
                    out.flush();
                    byte[] reply = in.readNBytes(8);
                    return reply;
                }
                catch (IOException | InterruptedException ex) {
                    throw new IllegalStateException(ex);
                }
            });
            URI ws = URI.create("ws://127.0.0.1:" + server.getLocalPort() + "/ws/websocket");
            SilentSocket.Outcome outcome = SilentSocket.upgradedWithoutConnect(ws, Duration.ofSeconds(10));
            assertTrue(outcome.upgraded());
            assertEquals(1008, outcome.closeStatus());
            assertTrue(outcome.closeFrameSeconds() >= 0.25 && outcome.closeFrameSeconds() < 5, outcome.toString());
            assertTrue(outcome.endSeconds() >= outcome.closeFrameSeconds(), outcome.toString());
            // the client answered the close, masked, with the same status
            SilentSocket.Frame reply = SilentSocket.readFrame(new DataInputStream(new ByteArrayInputStream(answered.get(10, TimeUnit.SECONDS))));
            assertEquals(1008, SilentSocket.closeStatus(reply.payload()));
        }
    }

    @Test
    void aSocketTheServerKeepsIsReportedStillOpen() throws Exception {
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            CompletableFuture<Socket> accepted = CompletableFuture.supplyAsync(() -> {
                try {
                    return server.accept();
                }
                catch (IOException ex) {
                    throw new IllegalStateException(ex);
                }
            });
            URI ws = URI.create("ws://127.0.0.1:" + server.getLocalPort() + "/ws/websocket");
            SilentSocket.Outcome outcome = SilentSocket.bareTcp(ws, Duration.ofMillis(300));
            assertFalse(outcome.upgraded());
            assertEquals(-1, outcome.endSeconds());
            assertTrue(outcome.note().startsWith("still open"), outcome.note());
            accepted.get(10, TimeUnit.SECONDS).close();
        }
    }
}
