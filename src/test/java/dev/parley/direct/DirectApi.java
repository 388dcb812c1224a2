package dev.parley.direct;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;

import dev.parley.support.ParleyApi;

import static org.assertj.core.api.Assertions.assertThat;

/** The REST of private conversations (contract section 10), with or without an {@code Authorization} header. */
final class DirectApi {

    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    private static final HttpClient HTTP = HttpClient.newBuilder()
        .connectTimeout(TIMEOUT)
        .version(HttpClient.Version.HTTP_1_1)
        .build();

    private final String baseUrl;

    DirectApi(int port) {
        this.baseUrl = "http://localhost:" + port;
    }

    /** An HTTP answer with the headers a test of authentication reads. */
    record Answer(int status, String contentType, @Nullable String wwwAuthenticate, String body) {

        JsonNode json() {
            return ParleyApi.JSON.readTree(this.body);
        }

        boolean isProblem() {
            return this.contentType.toLowerCase(Locale.ROOT).startsWith("application/problem+json");
        }
    }

    /** {@code GET} with {@code Authorization: <authorization>}, or without the header when {@code null}. */
    Answer get(String pathAndQuery, @Nullable String authorization) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(this.baseUrl + pathAndQuery))
            .timeout(TIMEOUT)
            .header("Accept", "application/json, application/problem+json")
            .GET();
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        try {
            HttpResponse<String> response = HTTP.send(request.build(),
                    HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
            return new Answer(response.statusCode(), response.headers().firstValue("Content-Type").orElse(""),
                    response.headers().firstValue("WWW-Authenticate").orElse(null), response.body());
        }
        catch (IOException ex) {
            throw new AssertionError("GET " + pathAndQuery + " failed", ex);
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", ex);
        }
    }

    /** {@code GET} with the claim's token as Bearer, asserted {@code 200}. */
    JsonNode get(String pathAndQuery, ParleyApi.Claim as) {
        Answer answer = get(pathAndQuery, "Bearer " + as.token());
        assertThat(answer.status()).as("GET %s as %s: %s", pathAndQuery, as.nickname(), answer.body()).isEqualTo(200);
        return answer.json();
    }

    /** The principal's conversations, {@code GET /api/direct}. */
    JsonNode conversations(ParleyApi.Claim as) {
        return get("/api/direct", as);
    }

    /** The conversation's messages after {@code after}, page by page as a client catches up. */
    List<JsonNode> history(ParleyApi.Claim as, String with, long after) {
        List<JsonNode> messages = new ArrayList<>();
        long cursor = after;
        while (true) {
            JsonNode page = get("/api/direct/" + with + "/messages?after=" + cursor + "&limit=200", as);
            page.forEach(messages::add);
            if (page.size() < 200) {
                return messages;
            }
            cursor = messages.get(messages.size() - 1).path("id").asLong();
        }
    }

    /** {@code /app/direct.{nickname}.send}. */
    static String send(String nickname) {
        return "/app/direct." + nickname + ".send";
    }

    /** {@code /app/direct.{nickname}.typing}. */
    static String typing(String nickname) {
        return "/app/direct." + nickname + ".typing";
    }

    /** Where a principal's conversations arrive. */
    static final String QUEUE = "/user/queue/direct";
}
