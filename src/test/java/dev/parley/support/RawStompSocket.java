package dev.parley.support;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;

import static dev.parley.support.Destinations.send;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * STOMP over a WebSocket spoken by hand on a plain {@link Socket}, so that the test decides
 * exactly when bytes are read: the socket's receive buffer is shrunk before connecting (the
 * TCP window is agreed then), and nothing reads between {@link #next()} and {@link #drain}.
 */
public final class RawStompSocket {

    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    private static final int RECEIVE_BUFFER = 4096;

    private final Socket socket;

    private final DataInputStream in;

    private final OutputStream out;

    /** Text received after the last complete STOMP frame. */
    private final StringBuilder partialFrame = new StringBuilder();

    private final List<RawFrame> frames = new ArrayList<>();

    private long bytesRead;

    private RawStompSocket(Socket socket) throws IOException {
        this.socket = socket;
        this.in = new DataInputStream(new CountingInput(new BufferedInputStream(socket.getInputStream())));
        this.out = socket.getOutputStream();
    }

    /**
     * Connects, upgrades to WebSocket and sends CONNECT without heart-beats; returns at
     * CONNECTED. The client joins {@code registry} at once, to be closed after the test.
     */
    public static RawStompSocket connect(int port, ParleyApi.Claim claim, List<RawStompSocket> registry) {
        RawStompSocket client = open(port, registry);
        // no heart-beats: silence must not end the connection, only the server's send limits
        client.send("CONNECT\naccept-version:1.2\nhost:localhost\nheart-beat:0,0\nlogin:" + claim.nickname()
                + "\npasscode:" + claim.token() + "\n\n\0");
        RawFrame connected = client.next();
        assertThat(connected.command()).as("answer to CONNECT: %s", connected).isEqualTo("CONNECTED");
        return client;
    }

    /**
     * Connects and upgrades to WebSocket, and sends nothing more. The client joins
     * {@code registry} at once, to be closed after the test.
     */
    public static RawStompSocket open(int port, List<RawStompSocket> registry) {
        try {
            Socket socket = new Socket();
            socket.setReceiveBufferSize(RECEIVE_BUFFER);
            socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), (int) TIMEOUT.toMillis());
            socket.setSoTimeout((int) TIMEOUT.toMillis());
            RawStompSocket client = new RawStompSocket(socket);
            registry.add(client);
            client.handshake(port);
            return client;
        }
        catch (IOException ex) {
            throw new AssertionError("Cannot connect a raw WebSocket to port " + port, ex);
        }
    }

    private void handshake(int port) throws IOException {
        byte[] nonce = new byte[16];
        ThreadLocalRandom.current().nextBytes(nonce);
        String request = "GET /ws/websocket HTTP/1.1\r\nHost: localhost:" + port + "\r\nUpgrade: websocket\r\n"
                + "Connection: Upgrade\r\nSec-WebSocket-Key: " + Base64.getEncoder().encodeToString(nonce)
                + "\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Protocol: v12.stomp\r\n\r\n";
        this.out.write(request.getBytes(StandardCharsets.US_ASCII));
        this.out.flush();
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        while (!head.toString(StandardCharsets.US_ASCII).endsWith("\r\n\r\n")) {
            int b = this.in.read();
            if (b < 0) {
                throw new EOFException("Connection closed during the handshake: " + head);
            }
            head.write(b);
        }
        String response = head.toString(StandardCharsets.US_ASCII);
        assertThat(response).as("handshake response").startsWith("HTTP/1.1 101");
        this.bytesRead = 0;
    }

    /** Sends one STOMP frame (with its NUL) as one masked WebSocket text message. */
    public void send(String frame) {
        try {
            this.out.write(RawWebSocketFrames.maskedText(frame));
            this.out.flush();
        }
        catch (IOException ex) {
            throw new AssertionError("Sending a frame failed", ex);
        }
    }

    /** Sends a WebSocket ping; throws once the server has closed the connection. */
    public void ping(byte[] payload) throws IOException {
        this.out.write(RawWebSocketFrames.maskedPing(payload));
        this.out.flush();
    }

    /** Reads until the next STOMP frame (heart-beats skipped); fails after 10 s. */
    public RawFrame next() {
        try {
            while (this.frames.isEmpty()) {
                if (readMessage() != null) {
                    throw new AssertionError("The server closed the connection; received: " + this.partialFrame);
                }
            }
            return this.frames.remove(0);
        }
        catch (IOException ex) {
            throw new AssertionError("No STOMP frame within " + TIMEOUT, ex);
        }
    }

    /** Reads everything the server sent, until the connection ends or {@code timeout} passes. */
    public Drained drain(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        this.bytesRead = 0;
        Ending ending = Ending.STILL_OPEN;
        Integer closeCode = null;
        try {
            while (System.nanoTime() < deadline) {
                Integer code = readMessage();
                if (code != null) {
                    ending = Ending.CLOSE_FRAME;
                    closeCode = (code >= 0) ? code : null;
                    break;
                }
            }
        }
        catch (EOFException ex) {
            ending = Ending.END_OF_STREAM;
        }
        catch (SocketTimeoutException ex) {
            ending = Ending.STILL_OPEN;
        }
        catch (SocketException ex) {
            ending = Ending.RESET;
        }
        catch (IOException ex) {
            throw new AssertionError("Reading the stalled connection failed", ex);
        }
        List<JsonNode> events = this.frames.stream().filter(frame -> frame.command().equals("MESSAGE"))
                .map(RawFrame::json).toList();
        this.frames.clear();
        return new Drained(events, this.bytesRead, ending, closeCode);
    }

    /**
     * Reads one whole WebSocket message and queues its STOMP frames.
     * @return {@code null}, or the status code of a close frame (-1 if it has none)
     */
    private @Nullable Integer readMessage() throws IOException {
        ByteArrayOutputStream text = new ByteArrayOutputStream();
        while (true) {
            RawWebSocketFrames.Frame frame = RawWebSocketFrames.read(this.in);
            byte[] payload = frame.payload();
            int opcode = frame.opcode();
            if (opcode == RawWebSocketFrames.OPCODE_CLOSE) {
                return (payload.length >= 2) ? ((payload[0] & 0xff) << 8 | (payload[1] & 0xff)) : -1;
            }
            if (opcode == RawWebSocketFrames.OPCODE_TEXT || opcode == RawWebSocketFrames.OPCODE_CONTINUATION) {
                text.writeBytes(payload);
                if (frame.fin()) {
                    addFrames(text.toString(StandardCharsets.UTF_8));
                    return null;
                }
            }
            else if (opcode == RawWebSocketFrames.OPCODE_PING) {
                throw new IOException("Unexpected ping from the server");
            }
        }
    }

    /** A message holds one or more STOMP frames, each ended by NUL; newlines between are heart-beats. */
    private void addFrames(String message) {
        this.partialFrame.append(message);
        int end;
        while ((end = this.partialFrame.indexOf("\0")) >= 0) {
            String frame = this.partialFrame.substring(0, end).replaceFirst("^[\r\n]+", "");
            this.partialFrame.delete(0, end + 1);
            if (!frame.isEmpty()) {
                this.frames.add(RawFrame.parse(frame));
            }
        }
    }

    public void close() {
        try {
            this.socket.close();
        }
        catch (IOException ex) {
            // already gone
        }
    }

    /** Counts the bytes read, to say how much the stalled client had in its buffers. */
    private final class CountingInput extends FilterInputStream {

        CountingInput(InputStream in) {
            super(in);
        }

        @Override
        public int read() throws IOException {
            int b = super.read();
            if (b >= 0) {
                RawStompSocket.this.bytesRead++;
            }
            return b;
        }

        @Override
        public int read(byte[] buffer, int offset, int length) throws IOException {
            int count = super.read(buffer, offset, length);
            if (count > 0) {
                RawStompSocket.this.bytesRead += count;
            }
            return count;
        }
    }

    public enum Ending {
        /** The server's WebSocket close frame arrived. */
        CLOSE_FRAME,
        /** The TCP stream ended (FIN) without a close frame. */
        END_OF_STREAM,
        /** The TCP connection was reset. */
        RESET,
        /** Still open when the drain gave up. */
        STILL_OPEN
    }

    /**
     * What a stalled client finds once it reads again.
     * @param events the room events it received (JSON bodies of whole MESSAGE frames)
     * @param bytes every byte read after the client stopped reading
     * @param ending how the stream ended
     * @param closeCode the close frame's status code, or {@code null} without one
     */
    public record Drained(List<JsonNode> events, long bytes, Ending ending, @Nullable Integer closeCode) {

        public long highestMessageId() {
            return this.events.stream()
                .filter(event -> "MESSAGE".equals(event.path("type").asString()))
                .mapToLong(event -> event.get("id").asLong())
                .max()
                .orElse(0);
        }

        @Override
        public String toString() {
            return this.bytes + " bytes, message ids up to " + highestMessageId() + ", ended by " + this.ending
                    + ((this.closeCode != null) ? " " + this.closeCode : "");
        }
    }
}
