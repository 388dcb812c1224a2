package dev.parley.browser;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The other side of the browser tests: REST calls and one STOMP connection over plain WebSocket
 * ({@code /ws/websocket}), written by hand so that these tests depend on nothing but the wire.
 */
final class WireClient implements AutoCloseable {

    static final JsonMapper JSON = JsonMapper.builder().build();

    private static final Duration TIMEOUT = Duration.ofSeconds(15);

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(TIMEOUT).build();

    private final WebSocket socket;

    private final BlockingQueue<String> frames;

    private WireClient(WebSocket socket, BlockingQueue<String> frames) {
        this.socket = socket;
        this.frames = frames;
    }

    /** POST /api/nicknames; returns the token. */
    static String claim(int port, String nickname) throws Exception {
        HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(uri(port, "/api/nicknames"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(Map.of("nickname", nickname))))
                .timeout(TIMEOUT).build(), HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 201) {
            throw new IllegalStateException("claim " + nickname + ": " + response.statusCode() + " " + response.body());
        }
        return JSON.readTree(response.body()).get("token").stringValue();
    }

    static JsonNode get(int port, String pathAndQuery) throws Exception {
        HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(uri(port, pathAndQuery)).timeout(TIMEOUT).build(),
                HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new IllegalStateException("GET " + pathAndQuery + ": " + response.statusCode() + " " + response.body());
        }
        return JSON.readTree(response.body());
    }

    /** Claims the nickname, connects, and waits for CONNECTED. */
    static WireClient connect(int port, String nickname) throws Exception {
        String token = claim(port, nickname);
        BlockingQueue<String> frames = new LinkedBlockingQueue<>();
        WebSocket socket = HTTP.newWebSocketBuilder()
                .buildAsync(URI.create("ws://localhost:" + port + "/ws/websocket"), new Listener(frames))
                .get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        WireClient client = new WireClient(socket, frames);
        client.frame("CONNECT\naccept-version:1.2\nhost:localhost\nlogin:" + nickname + "\npasscode:" + token
                + "\nheart-beat:0,0\n\n");
        client.await("CONNECTED");
        return client;
    }

    /**
     * Subscribes to the room and joins it; the JOIN event confirms both (a connection's frames
     * are handled in order, so the subscription is in place before the join is broadcast).
     */
    void join(String room) throws Exception {
        frame("SUBSCRIBE\nid:" + room + "\ndestination:/topic/room." + room + "\n\n");
        send("/app/room." + room + ".join", Map.of());
        await("MESSAGE", "\"type\":\"JOIN\"");
    }

    void post(String room, String text) throws Exception {
        send("/app/room." + room + ".send", Map.of("text", text));
    }

    /** Subscribes to the private conversations of this nickname (contract section 10). */
    void subscribeDirect() throws Exception {
        frame("SUBSCRIBE\nid:direct\ndestination:/user/queue/direct\n\n");
    }

    /** Writes privately to a nickname and waits for the echo: the message is stored. */
    void postDirect(String nickname, String text) throws Exception {
        send("/app/direct." + nickname + ".send", Map.of("text", text));
        await("MESSAGE", "\"type\":\"DIRECT\"", "\"text\":\"" + text + "\"");
    }

    void send(String destination, Object body) throws Exception {
        frame("SEND\ndestination:" + destination + "\ncontent-type:application/json\n\n" + JSON.writeValueAsString(body));
    }

    private synchronized void frame(String frame) throws Exception {
        this.socket.sendText(frame + "\0", true).get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
    }

    private String await(String command, String... contains) throws InterruptedException {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            String frame = this.frames.poll(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
            if (frame == null) {
                break;
            }
            if (frame.startsWith("ERROR")) {
                throw new IllegalStateException("STOMP ERROR: " + frame);
            }
            boolean match = frame.startsWith(command + "\n");
            for (String part : contains) {
                match &= frame.contains(part);
            }
            if (match) {
                return frame;
            }
        }
        throw new IllegalStateException("no " + command + " frame within " + TIMEOUT);
    }

    @Override
    public void close() {
        try {
            frame("DISCONNECT\n\n");
            this.socket.sendClose(WebSocket.NORMAL_CLOSURE, "").get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        }
        catch (Exception ex) {
            this.socket.abort();
        }
    }

    private static URI uri(int port, String pathAndQuery) {
        return URI.create("http://localhost:" + port + pathAndQuery);
    }

    /** Splits the text stream into STOMP frames (NUL-terminated); heart-beats are dropped. */
    private static final class Listener implements WebSocket.Listener {

        private final BlockingQueue<String> frames;

        private final StringBuilder buffer = new StringBuilder();

        Listener(BlockingQueue<String> frames) {
            this.frames = frames;
        }

        @Override
        public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
            this.buffer.append(data);
            int end;
            while ((end = this.buffer.indexOf("\0")) >= 0) {
                String frame = this.buffer.substring(0, end).stripLeading();
                this.buffer.delete(0, end + 1);
                if (!frame.isEmpty()) {
                    this.frames.add(frame);
                }
            }
            webSocket.request(1);
            return null;
        }
    }
}
