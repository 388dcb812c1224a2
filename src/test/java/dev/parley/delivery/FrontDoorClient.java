package dev.parley.delivery;

import java.io.BufferedInputStream;
import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;

import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;

import dev.parley.support.ParleyApi;
import dev.parley.support.RawFrame;
import dev.parley.support.RawWebSocketFrames;

/**
 * A client of the STOMP front door that sends exactly the bytes it is given, over one of the four
 * ways in: plain WebSocket ({@code /ws/websocket}) and SockJS's websocket, xhr-streaming and
 * xhr-polling transports ({@code /ws/{server}/{session}/...}). What the server answers (STOMP
 * frames, the close, and over xhr the status of each send) is collected on a reader thread of
 * the client's own, named {@code fuzz-reader-...}, which ends with the connection.
 */
abstract class FrontDoorClient implements AutoCloseable {

    /** The ways in of contract section 3. */
    enum Transport {
        WEBSOCKET, SOCKJS_WEBSOCKET, SOCKJS_XHR_STREAMING, SOCKJS_XHR_POLLING;

        boolean isSockJs() {
            return this != WEBSOCKET;
        }

        boolean isXhr() {
            return this == SOCKJS_XHR_STREAMING || this == SOCKJS_XHR_POLLING;
        }
    }

    /** How one transport message leaves the client (plain WebSocket only; SockJS sends JSON text). */
    enum Style {
        /** One text frame. */
        TEXT,
        /** One binary frame. */
        BINARY,
        /** A text message in three frames (a start and two continuations), cut anywhere. */
        FRAGMENTED_TEXT,
        /** One text frame written to the socket a few bytes at a time, its header cut too. */
        DRIBBLED_TEXT
    }

    static final String READER_THREAD_PREFIX = "fuzz-reader-";

    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);

    private static final HttpClient HTTP = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(CONNECT_TIMEOUT)
            .build();

    private static final AtomicInteger COUNTER = new AtomicInteger();

    private final Object lock = new Object();

    private final List<RawFrame> frames = new ArrayList<>();

    private final StringBuilder partial = new StringBuilder();

    private final List<String> transcript = new ArrayList<>();

    private boolean closed;

    private @Nullable String closeReason;

    static FrontDoorClient open(Transport transport, int port) throws IOException {
        return switch (transport) {
            case WEBSOCKET -> new WebSocketClient(port, "/ws/websocket", false);
            case SOCKJS_WEBSOCKET -> new WebSocketClient(port, sockJsBase() + "/websocket", true);
            case SOCKJS_XHR_STREAMING, SOCKJS_XHR_POLLING -> new XhrClient(port, transport);
        };
    }

    private static String sockJsBase() {
        return "/ws/" + ThreadLocalRandom.current().nextInt(100, 1000) + "/"
                + UUID.randomUUID().toString().replace("-", "").substring(0, 16);
    }

    /**
     * Sends one transport message; returns {@code false} if the server had closed the connection
     * before (which ends the case too).
     */
    abstract boolean send(byte[] stomp, Style style);

    /** A raw WebSocket frame, for transport-level misbehaviour (plain and SockJS WebSocket only). */
    abstract boolean sendRawFrame(byte[] frame);

    /** A SockJS message as it is, broken JSON included (SockJS transports only). */
    abstract boolean sendSockJs(byte[] body);

    /** Drops the connection without a word, as a closed tab or a dead process. */
    abstract void abort();

    @Override
    public void close() {
        abort();
    }

    /** Waits up to {@code timeout} for a received frame that matches; returns it or {@code null}. */
    @Nullable RawFrame awaitFrame(Predicate<RawFrame> predicate, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (this.lock) {
            while (true) {
                for (RawFrame frame : this.frames) {
                    if (predicate.test(frame)) {
                        return frame;
                    }
                }
                long left = deadline - System.nanoTime();
                if (left <= 0 || this.closed) {
                    return null;
                }
                waitOnLock(left);
            }
        }
    }

    /** Waits up to {@code timeout} for the server to close the connection; whether it did. */
    boolean awaitClosed(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (this.lock) {
            while (!this.closed) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                waitOnLock(left);
            }
            return true;
        }
    }

    boolean isClosed() {
        synchronized (this.lock) {
            return this.closed;
        }
    }

    List<RawFrame> frames() {
        synchronized (this.lock) {
            return List.copyOf(this.frames);
        }
    }

    /** What was received, for a failure's message. */
    String transcript() {
        synchronized (this.lock) {
            return "received " + this.frames + (this.closed ? ", closed (" + this.closeReason + ")" : ", still open")
                    + (this.transcript.isEmpty() ? "" : ", " + this.transcript);
        }
    }

    private void waitOnLock(long nanos) {
        try {
            this.lock.wait(Math.max(1, nanos / 1_000_000));
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(ex);
        }
    }

    /** Text of STOMP frames as received: complete frames end with NUL; EOLs between are heart-beats. */
    void received(String stomp) {
        synchronized (this.lock) {
            this.partial.append(stomp);
            int end;
            while ((end = this.partial.indexOf("\0")) >= 0) {
                String frame = this.partial.substring(0, end).replaceFirst("^[\r\n]+", "");
                this.partial.delete(0, end + 1);
                if (!frame.isEmpty()) {
                    this.frames.add(RawFrame.parse(frame));
                }
            }
            this.lock.notifyAll();
        }
    }

    /** What the client noticed besides frames: failed sends, the status of an xhr_send. */
    List<String> notes() {
        synchronized (this.lock) {
            return List.copyOf(this.transcript);
        }
    }

    void note(String event) {
        synchronized (this.lock) {
            this.transcript.add(event);
        }
    }

    void closedBy(String reason) {
        synchronized (this.lock) {
            if (!this.closed) {
                this.closed = true;
                this.closeReason = reason;
                this.lock.notifyAll();
            }
        }
    }

    /** SockJS frames: {@code o}, {@code h}, {@code a[...]}, {@code c[code,"reason"]}. */
    void receivedSockJs(String sockJsFrame) {
        if (sockJsFrame.startsWith("a")) {
            for (JsonNode element : ParleyApi.JSON.readTree(sockJsFrame.substring(1))) {
                received(element.asString());
            }
        }
        else if (sockJsFrame.startsWith("c")) {
            closedBy("SockJS " + sockJsFrame);
        }
    }

    static Thread reader(String name, Runnable body) {
        Thread thread = new Thread(body, READER_THREAD_PREFIX + name + "-" + COUNTER.incrementAndGet());
        thread.setDaemon(true);
        thread.start();
        return thread;
    }

    /** Plain WebSocket or SockJS over WebSocket, spoken on a raw socket. */
    private static final class WebSocketClient extends FrontDoorClient {

        private final Socket socket;

        private final OutputStream out;

        private final boolean sockJs;

        WebSocketClient(int port, String path, boolean sockJs) throws IOException {
            this.sockJs = sockJs;
            this.socket = new Socket();
            this.socket.setTcpNoDelay(true);
            this.socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port),
                    (int) CONNECT_TIMEOUT.toMillis());
            this.socket.setSoTimeout((int) CONNECT_TIMEOUT.toMillis());
            this.out = this.socket.getOutputStream();
            DataInputStream in = new DataInputStream(new BufferedInputStream(this.socket.getInputStream()));
            handshake(port, path, in);
            // no read timeout once open: the reader waits for as long as the connection lives
            this.socket.setSoTimeout(0);
            reader(sockJs ? "sockjs-ws" : "ws", () -> read(in));
            if (sockJs && !awaitOpen()) {
                throw new IOException("No SockJS open frame: " + transcript());
            }
        }

        private volatile boolean open;

        private boolean awaitOpen() {
            long deadline = System.nanoTime() + CONNECT_TIMEOUT.toNanos();
            while (!this.open && !isClosed() && System.nanoTime() < deadline) {
                Thread.onSpinWait();
                try {
                    Thread.sleep(1);
                }
                catch (InterruptedException ex) {
                    Thread.currentThread().interrupt();
                    return false;
                }
            }
            return this.open;
        }

        private void handshake(int port, String path, DataInputStream in) throws IOException {
            byte[] nonce = new byte[16];
            ThreadLocalRandom.current().nextBytes(nonce);
            String request = "GET " + path + " HTTP/1.1\r\nHost: localhost:" + port + "\r\nUpgrade: websocket\r\n"
                    + "Connection: Upgrade\r\nSec-WebSocket-Key: " + Base64.getEncoder().encodeToString(nonce)
                    + "\r\nSec-WebSocket-Version: 13\r\n"
                    + (this.sockJs ? "" : "Sec-WebSocket-Protocol: v12.stomp\r\n") + "\r\n";
            this.out.write(request.getBytes(StandardCharsets.US_ASCII));
            this.out.flush();
            ByteArrayOutputStream head = new ByteArrayOutputStream();
            while (!head.toString(StandardCharsets.US_ASCII).endsWith("\r\n\r\n")) {
                int b = in.read();
                if (b < 0) {
                    throw new EOFException("Connection closed during the handshake: " + head);
                }
                head.write(b);
            }
            String response = head.toString(StandardCharsets.US_ASCII);
            if (!response.startsWith("HTTP/1.1 101")) {
                throw new IOException("Handshake refused: " + response);
            }
        }

        private void read(DataInputStream in) {
            ByteArrayOutputStream message = new ByteArrayOutputStream();
            try {
                while (true) {
                    RawWebSocketFrames.Frame frame = RawWebSocketFrames.read(in);
                    int opcode = frame.opcode();
                    if (opcode == RawWebSocketFrames.OPCODE_CLOSE) {
                        byte[] payload = frame.payload();
                        int code = (payload.length >= 2) ? ((payload[0] & 0xff) << 8 | (payload[1] & 0xff)) : -1;
                        closedBy("close frame " + code);
                        return;
                    }
                    if (opcode == RawWebSocketFrames.OPCODE_PING) {
                        continue;
                    }
                    message.writeBytes(frame.payload());
                    if (frame.fin()) {
                        String text = message.toString(StandardCharsets.UTF_8);
                        message.reset();
                        if (!this.sockJs) {
                            received(text);
                        }
                        else if (text.equals("o")) {
                            this.open = true;
                        }
                        else {
                            receivedSockJs(text);
                        }
                    }
                }
            }
            catch (IOException | RuntimeException ex) {
                closedBy("connection ended: " + ex);
            }
            finally {
                closeSocket();
            }
        }

        @Override
        boolean send(byte[] stomp, Style style) {
            try {
                if (this.sockJs) {
                    // SockJS messages are JSON arrays of strings, in text frames
                    String json = ParleyApi.JSON.writeValueAsString(List.of(new String(stomp, StandardCharsets.UTF_8)));
                    write(RawWebSocketFrames.masked(RawWebSocketFrames.OPCODE_TEXT,
                            json.getBytes(StandardCharsets.UTF_8), true), style == Style.DRIBBLED_TEXT);
                    return true;
                }
                switch (style) {
                    case TEXT -> write(RawWebSocketFrames.masked(RawWebSocketFrames.OPCODE_TEXT, stomp, true), false);
                    case BINARY -> write(RawWebSocketFrames.masked(RawWebSocketFrames.OPCODE_BINARY, stomp, true), false);
                    case DRIBBLED_TEXT -> write(RawWebSocketFrames.masked(RawWebSocketFrames.OPCODE_TEXT, stomp, true), true);
                    case FRAGMENTED_TEXT -> {
                        int first = stomp.length / 3;
                        int second = (2 * stomp.length) / 3;
                        ByteArrayOutputStream frames = new ByteArrayOutputStream();
                        frames.writeBytes(RawWebSocketFrames.masked(RawWebSocketFrames.OPCODE_TEXT,
                                java.util.Arrays.copyOfRange(stomp, 0, first), false));
                        frames.writeBytes(RawWebSocketFrames.masked(RawWebSocketFrames.OPCODE_CONTINUATION,
                                java.util.Arrays.copyOfRange(stomp, first, second), false));
                        frames.writeBytes(RawWebSocketFrames.masked(RawWebSocketFrames.OPCODE_CONTINUATION,
                                java.util.Arrays.copyOfRange(stomp, second, stomp.length), true));
                        write(frames.toByteArray(), false);
                    }
                }
                return true;
            }
            catch (IOException ex) {
                note("send failed: " + ex.getMessage());
                return false;
            }
        }

        @Override
        boolean sendRawFrame(byte[] frame) {
            try {
                write(frame, false);
                return true;
            }
            catch (IOException ex) {
                note("send failed: " + ex.getMessage());
                return false;
            }
        }

        private void write(byte[] bytes, boolean dribble) throws IOException {
            if (!dribble) {
                this.out.write(bytes);
                this.out.flush();
                return;
            }
            // a few bytes per write: the server reads the frame's header and payload in pieces
            // (the first KiB of it: more would only make the case slow)
            int position = 0;
            while (position < Math.min(bytes.length, 1024)) {
                int length = Math.min(bytes.length - position, 1 + ThreadLocalRandom.current().nextInt(7));
                this.out.write(bytes, position, length);
                this.out.flush();
                position += length;
            }
            this.out.write(bytes, position, bytes.length - position);
            this.out.flush();
        }

        @Override
        boolean sendSockJs(byte[] body) {
            return sendRawFrame(RawWebSocketFrames.masked(RawWebSocketFrames.OPCODE_TEXT, body, true));
        }

        @Override
        void abort() {
            closeSocket();
        }

        private void closeSocket() {
            try {
                this.socket.close();
            }
            catch (IOException ex) {
                // closing is all that was asked
            }
        }
    }

    /**
     * SockJS over xhr-streaming (one response that carries every frame) or xhr-polling (a
     * request per batch of frames, the next one made as soon as one ends); frames sent with
     * {@code xhr_send}.
     */
    private static final class XhrClient extends FrontDoorClient {

        private final String base;

        private final boolean streaming;

        private volatile boolean aborted;

        private volatile @Nullable Socket receiving;

        XhrClient(int port, Transport transport) throws IOException {
            this.base = "http://127.0.0.1:" + port + sockJsBase();
            this.streaming = transport == Transport.SOCKJS_XHR_STREAMING;
            reader(this.streaming ? "xhr-streaming" : "xhr-polling", () -> receive(port));
            if (!awaitOpen()) {
                abort();
                throw new IOException("No SockJS open frame: " + transcript());
            }
        }

        private volatile boolean open;

        private boolean awaitOpen() {
            long deadline = System.nanoTime() + CONNECT_TIMEOUT.toNanos();
            while (!this.open && !isClosed() && System.nanoTime() < deadline) {
                try {
                    Thread.sleep(1);
                }
                catch (InterruptedException ex) {
                    Thread.currentThread().interrupt();
                    return false;
                }
            }
            return this.open;
        }

        /** The receiving requests, one after the other, on a raw socket each (so that abort can cut them). */
        private void receive(int port) {
            try {
                while (!this.aborted && !isClosed()) {
                    try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
                        this.receiving = socket;
                        if (this.aborted) {
                            return;
                        }
                        String path = URI.create(this.base).getPath() + (this.streaming ? "/xhr_streaming" : "/xhr");
                        socket.getOutputStream().write(("POST " + path + " HTTP/1.1\r\nHost: 127.0.0.1:" + port
                                + "\r\nContent-Length: 0\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                        socket.getOutputStream().flush();
                        readResponse(socket.getInputStream());
                    }
                    if (this.streaming) {
                        // a streaming response ends after its byte limit or at the close: the
                        // close was seen, or the client opens the next one as a browser does
                        continue;
                    }
                }
            }
            catch (IOException | RuntimeException ex) {
                closedBy("receiving request failed: " + ex);
            }
        }

        /** Reads a chunked or plain HTTP response, handing each SockJS frame (a line) on. */
        private void readResponse(InputStream raw) throws IOException {
            BufferedReader in = new BufferedReader(new InputStreamReader(raw, StandardCharsets.UTF_8));
            String status = in.readLine();
            if (status == null) {
                throw new EOFException("no response");
            }
            boolean chunked = false;
            String line;
            while ((line = in.readLine()) != null && !line.isEmpty()) {
                if (line.toLowerCase(java.util.Locale.ROOT).startsWith("transfer-encoding:") && line.contains("chunked")) {
                    chunked = true;
                }
            }
            if (!status.contains(" 200")) {
                closedBy("receiving request answered " + status);
                return;
            }
            StringBuilder body = new StringBuilder();
            if (chunked) {
                while ((line = in.readLine()) != null) {
                    int size = Integer.parseInt(line.split(";")[0].trim(), 16);
                    if (size == 0) {
                        break;
                    }
                    // chunk sizes count bytes; the data is read as text, so count it back in bytes
                    StringBuilder chunk = new StringBuilder();
                    int bytes = 0;
                    while (bytes < size) {
                        int c = in.read();
                        if (c < 0) {
                            throw new EOFException("chunk cut short");
                        }
                        chunk.append((char) c);
                        bytes += utf8Length((char) c);
                    }
                    in.readLine();
                    body.append(chunk);
                    drainLines(body);
                }
            }
            else {
                int c;
                while ((c = in.read()) >= 0) {
                    body.append((char) c);
                    if (c == '\n') {
                        drainLines(body);
                    }
                }
                drainLines(body);
            }
        }

        private static int utf8Length(char c) {
            if (c < 0x80) {
                return 1;
            }
            if (c < 0x800) {
                return 2;
            }
            // a surrogate pair is four bytes in all, two for each half
            return Character.isSurrogate(c) ? 2 : 3;
        }

        private void drainLines(StringBuilder body) {
            int end;
            while ((end = body.indexOf("\n")) >= 0) {
                String frame = body.substring(0, end);
                body.delete(0, end + 1);
                if (frame.equals("o")) {
                    this.open = true;
                }
                else if (!frame.isEmpty() && !frame.chars().allMatch(c -> c == 'h')) {
                    receivedSockJs(frame);
                }
            }
        }

        @Override
        boolean send(byte[] stomp, Style style) {
            String json = ParleyApi.JSON.writeValueAsString(List.of(new String(stomp, StandardCharsets.UTF_8)));
            return sendSockJs(json.getBytes(StandardCharsets.UTF_8));
        }

        /** Posts {@code body} to {@code xhr_send} as it is (broken JSON included). */
        @Override
        boolean sendSockJs(byte[] body) {
            try {
                HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create(this.base + "/xhr_send"))
                        .timeout(Duration.ofSeconds(10))
                        .header("Content-Type", "text/plain")
                        .POST(HttpRequest.BodyPublishers.ofByteArray(body))
                        .build(), HttpResponse.BodyHandlers.ofString());
                if (response.statusCode() == 204) {
                    return true;
                }
                note("xhr_send answered " + response.statusCode() + " " + response.body().strip());
                // 404: the session is closed; anything else is for the case to judge
                return response.statusCode() != 404;
            }
            catch (IOException ex) {
                note("xhr_send failed: " + ex);
                return false;
            }
            catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(ex);
            }
        }

        @Override
        boolean sendRawFrame(byte[] frame) {
            throw new UnsupportedOperationException("no WebSocket frames over xhr");
        }

        @Override
        void abort() {
            this.aborted = true;
            Socket socket = this.receiving;
            if (socket != null) {
                try {
                    socket.close();
                }
                catch (IOException ex) {
                    // closing is all that was asked
                }
            }
        }
    }
}
