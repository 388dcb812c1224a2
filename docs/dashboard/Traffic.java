import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.CompletionStage;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The traffic beside the load generator's that the dashboard's other panels need while
 * render.sh samples the meters: SockJS clients on xhr-streaming and xhr-polling (the generator
 * speaks plain WebSocket only), refused frames (NOT_JOINED, INVALID_MESSAGE), bursts of sends
 * beyond the rate limit, typing beyond its limit, and catch-up requests. JDK 17, no
 * dependencies: {@code java Traffic.java PORT SECONDS}.
 */
public class Traffic {

    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    private static final String ROOM = "traffic";

    private static String base;

    public static void main(String[] args) throws Exception {
        int port = Integer.parseInt(args[0]);
        long seconds = Long.parseLong(args[1]);
        base = "http://127.0.0.1:" + port;
        for (int i = 0; i < 3; i++) {
            start(() -> sockJs("xhr_streaming"));
        }
        for (int i = 0; i < 5; i++) {
            start(() -> sockJs("xhr"));
        }

        WebSocket socket = stomp(port, claim("errant"));
        socket.sendText(frame("SUBSCRIBE", "id:0\ndestination:/user/queue/errors", ""), true).join();
        socket.sendText(frame("SEND", "destination:/app/room." + ROOM + ".join", "{}"), true).join();
        long end = System.nanoTime() + Duration.ofSeconds(seconds).toNanos();
        for (int second = 0; System.nanoTime() < end; second++) {
            // a send to a room it never joined, and an empty message
            socket.sendText(send("room.elsewhere", "{\"text\":\"hi\"}"), true).join();
            if (second % 2 == 0) {
                socket.sendText(send("room." + ROOM, "{\"text\":\" \"}"), true).join();
            }
            // typing beyond 2 a second: the excess is dropped
            for (int i = 0; i < 5; i++) {
                socket.sendText(frame("SEND", "destination:/app/room." + ROOM + ".typing\ncontent-type:application/json",
                        "{\"typing\":true}"), true).join();
            }
            // every 10 s a burst beyond the rate limit's
            if (second % 10 == 5) {
                for (int i = 0; i < 60; i++) {
                    socket.sendText(send("room." + ROOM, "{\"text\":\"burst " + i + "\"}"), true).join();
                }
            }
            // a few clients catching up
            for (int i = 0; i < 3; i++) {
                get("/api/rooms/" + ROOM + "/messages?after=" + (second * 3 + i));
            }
            Thread.sleep(1000);
        }
        socket.sendClose(WebSocket.NORMAL_CLOSURE, "").join();
        System.exit(0);
    }

    private static void start(Runnable task) {
        Thread thread = new Thread(task);
        thread.setDaemon(true);
        thread.start();
    }

    /** A SockJS session over HTTP that CONNECTs and then keeps its transport open. */
    private static void sockJs(String transport) {
        try {
            String[] claim = claim(transport.equals("xhr") ? "poll" : "stream");
            String session = base + "/ws/000/" + UUID.randomUUID().toString().replace("-", "");
            String connect = frame("CONNECT", "accept-version:1.2\nheart-beat:0,0\nlogin:" + claim[0] + "\npasscode:"
                    + claim[1], "");
            if (transport.equals("xhr_streaming")) {
                HTTP.sendAsync(post(session + "/xhr_streaming", ""), HttpResponse.BodyHandlers.ofLines())
                    .thenAccept(response -> response.body().forEach(line -> { }));
                Thread.sleep(500);
                HTTP.send(post(session + "/xhr_send", sockJsMessage(connect)), HttpResponse.BodyHandlers.discarding());
                Thread.sleep(Long.MAX_VALUE);
            }
            else {
                HTTP.send(post(session + "/xhr", ""), HttpResponse.BodyHandlers.discarding());
                HTTP.send(post(session + "/xhr_send", sockJsMessage(connect)), HttpResponse.BodyHandlers.discarding());
                while (true) {
                    HTTP.send(post(session + "/xhr", ""), HttpResponse.BodyHandlers.discarding());
                }
            }
        }
        catch (Exception ex) {
            System.err.println("traffic: " + transport + ": " + ex);
        }
    }

    private static WebSocket stomp(int port, String[] claim) {
        WebSocket socket = HTTP.newWebSocketBuilder()
            .buildAsync(URI.create("ws://127.0.0.1:" + port + "/ws/websocket"), new WebSocket.Listener() {
                @Override
                public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
                    webSocket.request(1);
                    return null;
                }
            })
            .join();
        socket.sendText(frame("CONNECT", "accept-version:1.2\nheart-beat:0,0\nlogin:" + claim[0] + "\npasscode:"
                + claim[1], ""), true).join();
        return socket;
    }

    private static String send(String destination, String body) {
        return frame("SEND", "destination:/app/" + destination + ".send\ncontent-type:application/json", body);
    }

    private static String frame(String command, String headers, String body) {
        return command + "\n" + headers + "\n\n" + body + "\0";
    }

    private static String sockJsMessage(String frame) {
        String escaped = frame.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n").replace("\0", "\\u0000");
        return "[\"" + escaped + "\"]";
    }

    private static String[] claim(String prefix) throws Exception {
        String nickname = prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
        HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create(base + "/api/nicknames"))
            .header("content-type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString("{\"nickname\":\"" + nickname + "\"}"))
            .build(), HttpResponse.BodyHandlers.ofString());
        Matcher token = Pattern.compile("\"token\"\\s*:\\s*\"([^\"]+)\"").matcher(response.body());
        if (!token.find()) {
            throw new IllegalStateException("claim of " + nickname + ": " + response.statusCode() + " " + response.body());
        }
        return new String[] { nickname, token.group(1) };
    }

    private static HttpRequest post(String url, String body) {
        return HttpRequest.newBuilder(URI.create(url))
            .header("content-type", "text/plain;charset=UTF-8")
            .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8))
            .build();
    }

    private static void get(String path) throws Exception {
        HTTP.send(HttpRequest.newBuilder(URI.create(base + path)).build(), HttpResponse.BodyHandlers.discarding());
    }
}
