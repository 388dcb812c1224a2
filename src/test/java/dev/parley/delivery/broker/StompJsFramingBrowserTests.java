package dev.parley.delivery.broker;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.LongAdder;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.chrome.ChromeDriver;

import dev.parley.delivery.session.ClientFrameWriter;
import dev.parley.delivery.session.ClientSessionDecorator;
import dev.parley.delivery.session.ManualFrameWriter;
import dev.parley.support.HeadlessChromium;

import org.springframework.core.io.Resource;
import org.springframework.core.io.support.PathMatchingResourcePatternResolver;
import org.springframework.scheduling.concurrent.ThreadPoolTaskScheduler;
import org.springframework.util.FileSystemUtils;
import org.springframework.web.socket.TextMessage;
import org.springframework.web.socket.WebSocketSession;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.when;

/**
 * What a busy connection is written, read by the chat page's own STOMP client (the
 * stomp-websocket webjar's {@code stomp.min.js}, the file the page loads) in Debian's headless
 * Chromium. {@link ClientSessionDecorator} merges the frames queued behind a write into one
 * WebSocket message; this proves that the page's client takes every frame out of such messages,
 * heart-beats included, which a test with Spring's or the bench's decoder cannot. Run with
 * {@code mvn verify -Pbrowser}; skipped where /usr/bin/chromium is missing.
 */
class StompJsFramingBrowserTests {

    private static final String DESTINATION = "/topic/room.general";

    /**
     * Runs stomp.js over a stand-in WebSocket and feeds it the messages written, after CONNECTED
     * and a subscription to the destination; returns the bodies the subscription received, in
     * order.
     */
    private static final String READ_WITH_STOMP_JS = """
            const [stompJs, written, destination] = arguments;
            eval(stompJs);
            const socket = { send: function () {}, close: function () {} };
            const client = Stomp.over(socket);
            client.debug = null;
            const bodies = [];
            client.connect({}, function () {
                client.subscribe(destination, function (message) { bodies.push(message.body); });
            });
            socket.onopen();
            socket.onmessage({ data: 'CONNECTED\\nversion:1.2\\nheart-beat:0,0\\n\\n\\u0000' });
            written.forEach(function (text) { socket.onmessage({ data: text }); });
            return bodies;
            """;

    private final ThreadPoolTaskScheduler scheduler = new ThreadPoolTaskScheduler();

    private Path profile;

    private ChromeDriver driver;

    @BeforeEach
    void chromium() throws IOException {
        HeadlessChromium.assumeInstalled();
        this.scheduler.initialize();
        this.profile = Files.createTempDirectory("parley-chromium-");
        this.driver = HeadlessChromium.start(HeadlessChromium.options(this.profile));
    }

    @AfterEach
    void quit() throws IOException {
        this.scheduler.shutdown();
        if (this.driver != null) {
            this.driver.quit();
        }
        if (this.profile != null) {
            FileSystemUtils.deleteRecursively(this.profile);
        }
    }

    @Test
    void thePagesClientReadsEveryFrameOfWhatABusyConnectionIsWritten() throws Exception {
        ManualFrameWriter writer = new ManualFrameWriter();
        ClientSessionDecorator connection = connection(writer);

        connection.sendFrame(message(1));
        // a heart-beat and two messages queue behind the first write, and leave as one message
        connection.sendMessage(new TextMessage("\n"));
        connection.sendFrame(message(2));
        connection.sendFrame(message(3));
        writer.complete(null);
        // a heart-beat alone behind a write
        connection.sendMessage(new TextMessage("\n"));
        writer.complete(null);
        // a message with heart-beats before and after it, behind a write
        connection.sendMessage(new TextMessage("\n"));
        connection.sendFrame(message(4));
        connection.sendMessage(new TextMessage("\n"));
        writer.complete(null);
        writer.complete(null);

        assertThat(writer.texts()).as("what was written").hasSize(4);
        assertThat(writer.texts().get(1)).as("two frames in one message").contains("\"id\":2").contains("\"id\":3");
        Object bodies = ((JavascriptExecutor) this.driver).executeScript(READ_WITH_STOMP_JS, stompJs(),
                writer.texts(), DESTINATION);

        assertThat(bodies).isEqualTo(List.of(body(1), body(2), body(3), body(4)));
    }

    private ClientSessionDecorator connection(ClientFrameWriter writer) {
        WebSocketSession session = mock(WebSocketSession.class);
        when(session.getId()).thenReturn("s1");
        when(session.isOpen()).thenReturn(true);
        return new ClientSessionDecorator(session, writer, 60_000, 64 * 1024, () -> this.scheduler,
                new LongAdder());
    }

    /** A room message as the broker writes it to a subscriber that stomp.js numbered sub-0. */
    private static byte[] message(int id) {
        return SharedMessageFrame.of(DESTINATION, "application/json", Integer.toString(id),
                body(id).getBytes(StandardCharsets.UTF_8)).forSubscription("sub-0");
    }

    private static String body(int id) {
        return "{\"type\":\"MESSAGE\",\"id\":" + id + ",\"room\":\"general\",\"text\":\"hello " + id + "\"}";
    }

    /** The one stomp-websocket file that the chat page loads (index.html). */
    private static String stompJs() throws IOException {
        Resource[] found = new PathMatchingResourcePatternResolver()
                .getResources("classpath*:META-INF/resources/webjars/stomp-websocket/*/stomp.min.js");
        assertThat(found).as("the stomp-websocket webjar").hasSize(1);
        return found[0].getContentAsString(StandardCharsets.UTF_8);
    }
}
