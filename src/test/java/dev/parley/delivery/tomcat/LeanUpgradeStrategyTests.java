package dev.parley.delivery.tomcat;

import java.util.Collections;

import jakarta.servlet.http.HttpServletRequest;
import org.junit.jupiter.api.Test;

import org.springframework.mock.web.MockHttpServletRequest;

import static org.assertj.core.api.Assertions.assertThat;

class LeanUpgradeStrategyTests {

    @Test
    void theUpgradeReadsOnlyTheHandshakesOwnHeadersAndCanCopyNone() {
        MockHttpServletRequest browser = new MockHttpServletRequest("GET", "/ws/websocket");
        browser.addHeader("Host", "chat.example.org");
        browser.addHeader("Connection", "Upgrade");
        browser.addHeader("Upgrade", "websocket");
        browser.addHeader("Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ==");
        browser.addHeader("Sec-WebSocket-Version", "13");
        browser.addHeader("Sec-WebSocket-Extensions", "permessage-deflate; client_max_window_bits");
        browser.addHeader("Origin", "https://chat.example.org");
        browser.addHeader("User-Agent", "Mozilla/5.0 (X11; Linux x86_64) Chrome/156.0.0.0");
        browser.addHeader("Cookie", "session=abc");
        browser.addHeader("Accept-Language", "en-US,en;q=0.9");
        browser.addHeader("Content-Length", "0");

        HttpServletRequest seen = new LeanUpgradeStrategy.HandshakeHeadersOnly(browser,
                LeanUpgradeStrategy.KEPT);

        // Tomcat copies the headers whose names it is given, and keeps the copy with the connection
        assertThat(Collections.list(seen.getHeaderNames())).isEmpty();
        assertThat(seen.getHeader("Upgrade")).isEqualTo("websocket");
        assertThat(seen.getHeader("Origin")).isEqualTo("https://chat.example.org");
        assertThat(seen.getIntHeader("Sec-WebSocket-Version")).isEqualTo(13);
        assertThat(seen.getHeader("sec-websocket-key")).isEqualTo("dGhlIHNhbXBsZSBub25jZQ==");
        assertThat(Collections.list(seen.getHeaders("connection"))).containsExactly("Upgrade");
        assertThat(seen.getHeader("User-Agent")).isNull();
        assertThat(seen.getHeaders("Cookie").hasMoreElements()).isFalse();
        assertThat(seen.getIntHeader("Content-Length")).isEqualTo(-1);
        assertThat(seen.getHeader("Sec-WebSocket-Extensions")).isNull();
    }
}
