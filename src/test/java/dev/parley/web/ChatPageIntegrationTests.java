package dev.parley.web;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

import dev.parley.support.ParleyIntegrationTest;
import dev.parley.support.ParleyIntegrationTestBase;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The chat page loads only scripts that the service itself serves, among them the SockJS client
 * of the newest webjar (the browser tests drive the page on it).
 */
@ParleyIntegrationTest
class ChatPageIntegrationTests extends ParleyIntegrationTestBase {

    private static final Pattern SCRIPT = Pattern.compile("<script[^>]*\\ssrc=\"([^\"]+)\"");

    private final HttpClient http = HttpClient.newHttpClient();

    private HttpResponse<String> get(String path) throws IOException, InterruptedException {
        return this.http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + this.port + path)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void everyScriptOfThePageIsServedByTheService() throws Exception {
        HttpResponse<String> page = get("/");
        assertThat(page.statusCode()).isEqualTo(200);
        Matcher scripts = SCRIPT.matcher(page.body());
        List<String> sources = scripts.results().map(match -> match.group(1)).toList();
        assertThat(sources).contains("/webjars/sockjs-client/dist/sockjs.min.js",
                "/webjars/stomp-websocket/stomp.min.js");
        assertThat(sources).allSatisfy(source -> {
            assertThat(source).as("served by the service itself").startsWith("/");
            HttpResponse<String> script = get(source);
            assertThat(script.statusCode()).as(source).isEqualTo(200);
            assertThat(script.headers().firstValue("Content-Type")).as(source).hasValueSatisfying(
                    type -> assertThat(type).contains("javascript"));
        });
    }

    @Test
    void thePageGetsSockJsClient161() throws Exception {
        // 1.6.1 bundles url-parse 1.5.10; the 1.5.x bundles had url-parse versions with advisories
        assertThat(get("/webjars/sockjs-client/dist/sockjs.min.js").body()).contains("1.6.1");
    }
}
