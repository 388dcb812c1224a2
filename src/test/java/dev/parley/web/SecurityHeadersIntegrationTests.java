package dev.parley.web;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

import dev.parley.support.ParleyApi.Response;
import dev.parley.support.ParleyIntegrationTest;
import dev.parley.support.ParleyIntegrationTestBase;

import static org.assertj.core.api.Assertions.assertThat;

/** Every kind of response the service gives carries the browser's security headers. */
@ParleyIntegrationTest
class SecurityHeadersIntegrationTests extends ParleyIntegrationTestBase {

    private static final Pattern INLINE_SCRIPT = Pattern.compile("<script>(.*?)</script>", Pattern.DOTALL);

    private static final Pattern SCRIPT_SOURCE = Pattern.compile("<script src=\"([^\"]+)\"");

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({
            "/, 200, text/html",
            "/js/main.js, 200, text/javascript",
            "/css/parley.css, 200, text/css",
            "/webjars/sockjs-client/dist/sockjs.min.js, 200, text/javascript",
            "/api/rooms, 200, application/json",
            "/api/rooms/Not-A-Room/users, 400, application/problem+json",
            "/api/no-such-thing, 404, application/problem+json",
            "/api/rooms/general/messages?limit=0, 400, application/problem+json",
            "/ws/info, 200, application/json",
            "/ws/iframe.html, 200, text/html" })
    void everyResponseCarriesTheSecurityHeaders(String path, int status, String type) {
        Response response = this.api.get(path, "*/*");
        assertThat(response.status()).as(path).isEqualTo(status);
        assertThat(response.contentType()).as(path).startsWith(type);
        assertSecurityHeaders(response);
    }

    @Test
    void aClaimAndItsRefusalCarryTheSecurityHeaders() {
        assertSecurityHeaders(this.api.post("/api/nicknames", "{\"nickname\":\"has space\"}"));
        assertSecurityHeaders(this.api.post("/api/nicknames", "not json"));
    }

    @Test
    void theOneInlineScriptAllowedIsSockJsIframeBootstrap() throws Exception {
        Response iframe = this.api.get("/ws/iframe.html", "text/html");
        Matcher inline = INLINE_SCRIPT.matcher(iframe.body());
        assertThat(inline.find()).as(iframe.body()).isTrue();
        byte[] digest = MessageDigest.getInstance("SHA-256").digest(inline.group(1).getBytes(StandardCharsets.UTF_8));
        String hash = "'sha256-" + Base64.getEncoder().encodeToString(digest) + "'";
        assertThat(iframe.header("Content-Security-Policy")).contains("script-src 'self' " + hash + ";");
        // and its SockJS client comes from this service, which the policy allows
        Matcher source = SCRIPT_SOURCE.matcher(iframe.body());
        assertThat(source.find()).as(iframe.body()).isTrue();
        assertThat(source.group(1)).startsWith("/");
        assertThat(this.api.get(source.group(1), "*/*").status()).isEqualTo(200);
    }

    private static void assertSecurityHeaders(Response response) {
        assertThat(response.header("Content-Security-Policy")).isEqualTo(SecurityHeaders.CONTENT_SECURITY_POLICY)
            .contains("default-src 'self'", "frame-ancestors 'self'", "object-src 'none'");
        assertThat(response.header("X-Content-Type-Options")).isEqualTo("nosniff");
        assertThat(response.headers().allValues("X-Frame-Options")).containsExactly("SAMEORIGIN");
        assertThat(response.header("Referrer-Policy")).isEqualTo("no-referrer");
    }
}
