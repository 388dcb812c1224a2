package dev.parley.support;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A tiny client for Parley's REST API (contract section 7), for integration tests.
 *
 * <pre>{@code
 * ParleyApi api = new ParleyApi(port);
 * ParleyApi.Claim alice = api.claim(ParleyApi.uniqueName("alice"));     // asserts 201
 * ParleyApi.Response r = api.post("/api/nicknames", "{\"nickname\":5}"); // raw body
 * assertThat(r.status()).isEqualTo(400);
 * assertThat(r.isProblem()).isTrue();
 * }</pre>
 *
 * <p>Every test class shares one application context (see {@link ParleyIntegrationTest}), so
 * every test must use fresh names from {@link #uniqueName(String)}.
 */
public final class ParleyApi {

    /** The JSON mapper shared by the test-support classes (Jackson 3, default settings). */
    public static final JsonMapper JSON = JsonMapper.builder().build();

    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    private static final HttpClient HTTP = HttpClient.newBuilder()
            .connectTimeout(TIMEOUT)
            .version(HttpClient.Version.HTTP_1_1)
            .build();

    private static final Pattern NAME_PREFIX = Pattern.compile("[a-z0-9][a-z0-9_-]*");

    private static final Pattern NEXT_LINK = Pattern.compile("<([^>]+)>; rel=\"next\"");

    private static final AtomicLong COUNTER = new AtomicLong();

    private static final SecureRandom RANDOM = new SecureRandom();

    private final String baseUrl;

    /**
     * @param port the application's port ({@code @LocalServerPort})
     */
    public ParleyApi(int port) {
        this.baseUrl = "http://localhost:" + port;
    }

    /**
     * A claimed nickname and its token, as returned by {@code POST /api/nicknames}.
     * @param nickname the nickname as the server returned it (the claimed spelling)
     * @param token the secret to send as STOMP {@code passcode}
     */
    public record Claim(String nickname, String token) {
    }

    /**
     * An HTTP answer.
     * @param status the status code
     * @param contentType the {@code Content-Type} header, or {@code ""} when absent
     * @param body the body as text ({@code ""} when empty)
     * @param headers every header of the answer
     */
    public record Response(int status, String contentType, String body, HttpHeaders headers) {

        /** The first value of header {@code name}, or {@code null} when absent. */
        public String header(String name) {
            return this.headers.firstValue(name).orElse(null);
        }

        /** The body parsed as JSON; fails the test when it is not JSON. */
        public JsonNode json() {
            try {
                return JSON.readTree(this.body);
            }
            catch (JacksonException ex) {
                throw new AssertionError("Response body is not JSON (status " + this.status + "): " + this.body, ex);
            }
        }

        /** Whether the answer is {@code application/problem+json} (RFC 9457). */
        public boolean isProblem() {
            return this.contentType.toLowerCase(Locale.ROOT).startsWith("application/problem+json");
        }
    }

    /**
     * Claim a nickname and assert the contract's success answer: {@code 201} with a JSON body
     * holding {@code nickname} and {@code token}.
     * @param nickname the nickname to claim
     * @return the claim
     */
    public Claim claim(String nickname) {
        Response response = post("/api/nicknames", java.util.Map.of("nickname", nickname));
        assertThat(response.status()).as("POST /api/nicknames %s -> %s", nickname, response.body()).isEqualTo(201);
        JsonNode json = response.json();
        assertThat(json.path("nickname").isString()).as("nickname in %s", response.body()).isTrue();
        assertThat(json.path("token").isString()).as("token in %s", response.body()).isTrue();
        return new Claim(json.path("nickname").asString(), json.path("token").asString());
    }

    /**
     * {@code POST} to a path of the application. No status is asserted.
     * @param path the path, e.g. {@code /api/nicknames}
     * @param body a {@code String} or {@code byte[]} sent as is (may be malformed on purpose),
     * or any other object serialised as JSON; sent as {@code application/json}
     */
    public Response post(String path, Object body) {
        return post(path, body, new String[0]);
    }

    /**
     * {@code POST} as {@link #post(String, Object)} does, with extra request headers.
     * @param headers names and values in turn, e.g. {@code "X-Forwarded-For", "203.0.113.7"}
     */
    public Response post(String path, Object body, String... headers) {
        byte[] bytes = toBytes(body);
        HttpRequest.Builder request = HttpRequest.newBuilder(uri(path))
                .timeout(TIMEOUT)
                .header("Content-Type", "application/json")
                .header("Accept", "application/json, application/problem+json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(bytes));
        if (headers.length > 0) {
            request.headers(headers);
        }
        return execute(request.build());
    }

    /**
     * {@code GET} a path of the application (with its query string). No status is asserted.
     * @param pathAndQuery e.g. {@code /api/rooms/general/messages?after=3}
     */
    public Response get(String pathAndQuery) {
        return get(pathAndQuery, "application/json, application/problem+json");
    }

    /** {@code GET} as {@link #get(String)} does, accepting {@code accept} (e.g. {@code text/html}). */
    public Response get(String pathAndQuery, String accept) {
        HttpRequest request = HttpRequest.newBuilder(uri(pathAndQuery))
                .timeout(TIMEOUT)
                .header("Accept", accept)
                .GET()
                .build();
        return execute(request);
    }

    /** The nicknames online in {@code room}, from {@code GET /api/rooms/{room}/users} (asserted 200). */
    public List<String> onlineUsers(String room) {
        Response response = get("/api/rooms/" + room + "/users");
        assertThat(response.status()).as("GET users of %s: %s", room, response.body()).isEqualTo(200);
        List<String> users = new ArrayList<>();
        response.json().get("users").forEach(user -> users.add(user.asString()));
        return users;
    }

    /**
     * The entry of {@code room} in {@code GET /api/rooms} (asserted 200), found by its name as
     * the prefix; empty when the room is not listed.
     */
    public Optional<JsonNode> room(String room) {
        Response response = get("/api/rooms?prefix=" + room);
        assertThat(response.status()).as("GET rooms %s: %s", room, response.body()).isEqualTo(200);
        return response.json().values().stream().filter(entry -> entry.path("name").asString().equals(room))
            .findFirst();
    }

    /**
     * Every room {@code GET /api/rooms?{query}} lists, page after page as its {@code Link}
     * headers lead (each page asserted 200).
     * @param query e.g. {@code "prefix=lobby&limit=2"}, or {@code ""}
     */
    public List<JsonNode> allRooms(String query) {
        List<JsonNode> rooms = new ArrayList<>();
        String next = "/api/rooms?" + query;
        for (int page = 0; next != null; page++) {
            assertThat(page).as("pages of /api/rooms?%s", query).isLessThan(10_000);
            Response response = get(next);
            assertThat(response.status()).as("GET %s: %s", next, response.body()).isEqualTo(200);
            response.json().forEach(rooms::add);
            next = nextLink(response);
        }
        return rooms;
    }

    /** The target of a {@code Link: <...>; rel="next"} header, or {@code null} when there is none. */
    public static String nextLink(Response response) {
        String link = response.header("Link");
        if (link == null) {
            return null;
        }
        Matcher next = NEXT_LINK.matcher(link);
        assertThat(next.matches()).as("Link header %s", link).isTrue();
        return next.group(1);
    }

    /**
     * The messages of {@code room} stored after id {@code after}, oldest first, read page by page
     * as contract section 8 says a client catches up (each page asserted 200).
     */
    public List<JsonNode> history(String room, long after) {
        List<JsonNode> messages = new ArrayList<>();
        long cursor = after;
        while (true) {
            Response page = get("/api/rooms/" + room + "/messages?after=" + cursor + "&limit=200");
            assertThat(page.status()).as("GET history of %s: %s", room, page.body()).isEqualTo(200);
            page.json().forEach(messages::add);
            if (page.json().size() < 200) {
                return messages;
            }
            cursor = messages.get(messages.size() - 1).path("id").asLong();
        }
    }

    /**
     * A fresh name, valid both as a room name ({@code [a-z0-9][a-z0-9_-]{0,31}}) and as a
     * nickname, unique in this JVM and (by a random part) very likely across runs:
     * {@code <prefix>-<random><counter>}, at most 32 characters.
     * @param prefix a short, lower-case prefix saying what the name is for, e.g. {@code "alice"}
     * or {@code "room"}; must match {@code [a-z0-9][a-z0-9_-]*}; cut to fit
     */
    public static String uniqueName(String prefix) {
        if (!NAME_PREFIX.matcher(prefix).matches()) {
            throw new IllegalArgumentException("Prefix must match " + NAME_PREFIX + ": " + prefix);
        }
        String suffix = randomBase36(5) + Long.toString(COUNTER.incrementAndGet(), 36);
        int room = 32 - 1 - suffix.length();
        String head = (prefix.length() > room) ? prefix.substring(0, room) : prefix;
        return head + "-" + suffix;
    }

    private static String randomBase36(int length) {
        StringBuilder sb = new StringBuilder(length);
        for (int i = 0; i < length; i++) {
            sb.append(Character.forDigit(RANDOM.nextInt(36), 36));
        }
        return sb.toString();
    }

    private URI uri(String path) {
        return URI.create(this.baseUrl + path);
    }

    private static byte[] toBytes(Object body) {
        if (body instanceof byte[] bytes) {
            return bytes;
        }
        if (body instanceof String text) {
            return text.getBytes(StandardCharsets.UTF_8);
        }
        return JSON.writeValueAsBytes(body);
    }

    private static Response execute(HttpRequest request) {
        try {
            HttpResponse<String> response = HTTP.send(request,
                    HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
            String contentType = response.headers().firstValue("Content-Type").orElse("");
            return new Response(response.statusCode(), contentType, response.body(), response.headers());
        }
        catch (IOException ex) {
            throw new AssertionError(request.method() + " " + request.uri() + " failed", ex);
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            throw new AssertionError("Interrupted during " + request.method() + " " + request.uri(), ex);
        }
    }
}
