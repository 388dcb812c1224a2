package dev.parley.support;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A STOMP client over SockJS's HTTP transports made of plain sockets, so that a test controls
 * each TCP connection the way a browser tab does: {@link #closeAbruptly()} closes the connection
 * that receives frames (the xhr-streaming response, or an xhr-polling request the server holds
 * open, {@link #holdPollOpen()}) and sends nothing more, as a closed tab, a killed process or an
 * aborted request do.
 * Spring's own SockJS client cannot end its receiving request that way.
 * <p>
 * Frames are sent with {@code xhr_send}; what arrives is kept as text ({@link #received()}).
 */
public final class RawSockJsClient implements AutoCloseable {

    /** The SockJS HTTP transport a client uses. */
    public enum Transport {

        XHR_STREAMING("xhr_streaming"), XHR_POLLING("xhr");

        private final String path;

        Transport(String path) {
            this.path = path;
        }
    }

    private static final HttpClient SENDS = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    /** How long a poll must stay unanswered to count as held open by the server. */
    private static final Duration IDLE_POLL = Duration.ofMillis(300);

    private final int port;

    private final Transport transport;

    private final String base;

    private final StringBuffer received = new StringBuffer();

    private volatile Socket receiving;

    private RawSockJsClient(int port, Transport transport) {
        this.port = port;
        this.transport = transport;
        this.base = "/ws/" + ThreadLocalRandom.current().nextInt(100, 1000) + "/"
                + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
    }

    /**
     * Opens a SockJS session and completes STOMP's CONNECT as {@code claim}, asking for
     * heart-beats of {@code heartbeatMillis} both ways.
     */
    public static RawSockJsClient connect(int port, Transport transport, ParleyApi.Claim claim, int heartbeatMillis) {
        RawSockJsClient client = open(port, transport);
        client.send("CONNECT\naccept-version:1.2\nlogin:" + claim.nickname() + "\npasscode:" + claim.token()
                + "\nheart-beat:" + heartbeatMillis + "," + heartbeatMillis + "\n\n\0");
        client.awaitReceived("CONNECTED");
        return client;
    }

    /** Sends one STOMP frame (with its NUL) by {@code xhr_send}. */
    public void send(String frame) {
        try {
            String body = ParleyApi.JSON.writeValueAsString(List.of(frame));
            HttpResponse<String> response = SENDS.send(HttpRequest.newBuilder(uri("xhr_send"))
                .header("Content-Type", "text/plain")
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .build(), HttpResponse.BodyHandlers.ofString());
            assertThat(response.statusCode()).as("xhr_send of %s", frame.lines().findFirst().orElse("")).isEqualTo(204);
        }
        catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(ex);
        }
    }

    /** SUBSCRIBE to {@code destination}, then SEND an empty JSON object to {@code join}. */
    public void subscribeAndJoin(String destination, String join) {
        send("SUBSCRIBE\nid:0\ndestination:" + destination + "\n\n\0");
        send("SEND\ndestination:" + join + "\ncontent-type:application/json\n\n{}\0");
    }

    /** Everything received so far, as SockJS frames. */
    public String received() {
        return this.received.toString();
    }

    /**
     * Over xhr-polling, polls until a poll stays open: the server has nothing more to say and
     * holds the request, as it does while a tab is idle. Nothing over xhr-streaming.
     */
    public void holdPollOpen() {
        if (this.transport == Transport.XHR_POLLING) {
            long deadline = System.nanoTime() + StompTestClient.TIMEOUT.toNanos();
            while (!pollHeldOpen()) {
                assertThat(System.nanoTime()).as("a poll held open by the server").isLessThan(deadline);
                startReceiving();
            }
        }
    }

    /**
     * Closes the connection the server writes to (the xhr-streaming response, or the poll under
     * way), with nothing sent before: a closed tab.
     */
    public void closeAbruptly() {
        closeQuietly(this.receiving);
    }

    /** Whether the poll under way is still unanswered after {@link #IDLE_POLL}. */
    private boolean pollHeldOpen() {
        if (this.pollFinished) {
            return false;
        }
        long until = System.nanoTime() + IDLE_POLL.toNanos();
        while (System.nanoTime() < until) {
            if (this.pollFinished) {
                return false;
            }
            try {
                Thread.sleep(10);
            }
            catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(ex);
            }
        }
        return true;
    }

    private volatile boolean pollFinished;

    /** Releases every socket. Idempotent. */
    @Override
    public void close() {
        closeQuietly(this.receiving);
    }

    /** Opens a SockJS session (its open frame has arrived) and sends nothing. */
    public static RawSockJsClient open(int port, Transport transport) {
        RawSockJsClient client = new RawSockJsClient(port, transport);
        client.startReceiving();
        client.awaitReceived("o\n");
        return client;
    }

    /** Opens the receiving request (a new poll over xhr-polling) and reads it on a thread of its own. */
    private void startReceiving() {
        try {
            Socket socket = new Socket("127.0.0.1", this.port);
            OutputStream out = socket.getOutputStream();
            out.write(("POST " + this.base + "/" + this.transport.path + " HTTP/1.1\r\nHost: 127.0.0.1:" + this.port
                    + "\r\nContent-Length: 0\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            this.pollFinished = false;
            this.receiving = socket;
            Thread reader = new Thread(() -> read(socket), "raw-sockjs-" + this.base);
            reader.setDaemon(true);
            reader.start();
        }
        catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
    }

    private void read(Socket socket) {
        byte[] buffer = new byte[8192];
        try (InputStream in = socket.getInputStream()) {
            int n;
            while ((n = in.read(buffer)) > 0) {
                this.received.append(new String(buffer, 0, n, StandardCharsets.UTF_8));
            }
        }
        catch (IOException ex) {
            // closed by this client, or by the server
        }
        finally {
            this.pollFinished = true;
        }
    }

    /** Waits until {@code text} has arrived, polling again over xhr-polling while it has not. */
    public void awaitReceived(String text) {
        await().atMost(StompTestClient.TIMEOUT).pollInterval(Duration.ofMillis(10)).until(() -> {
            if (this.received.indexOf(text) >= 0) {
                return true;
            }
            if (this.transport == Transport.XHR_POLLING && this.pollFinished) {
                startReceiving();
            }
            return false;
        });
    }

    private URI uri(String transportPath) {
        return URI.create("http://127.0.0.1:" + this.port + this.base + "/" + transportPath);
    }

    private static void closeQuietly(Socket socket) {
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
