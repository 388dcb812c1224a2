package dev.parley.browser;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.LongStream;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.AfterTestExecutionCallback;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.openqa.selenium.By;
import org.openqa.selenium.Keys;
import org.openqa.selenium.WindowType;
import org.openqa.selenium.chrome.ChromeOptions;
import tools.jackson.databind.JsonNode;

import dev.parley.support.HeadlessChromium;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Bean;
import org.springframework.util.FileSystemUtils;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The chat page (src/main/resources/static) in Debian's headless Chromium, against the real
 * application. Run with {@code mvn verify -Pbrowser}; skipped where /usr/bin/chromium is missing.
 * Each scenario leaves a screenshot in target/screenshots.
 * <p>
 * The rate limit is raised so that one client can write several pages of history quickly, and
 * the server's message limit is lowered below the page's 2000 so that a test can see how the page
 * shows a message the server refuses.
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT, properties = {
        "spring.datasource.url=jdbc:sqlite:target/test-db/parley-browser-${random.uuid}.db",
        "chat.rate-limit.burst=1000",
        "chat.rate-limit.per-second=1000",
        "chat.message.max-length=1000" })
class ChatBrowserTests {

    private static final Duration RECONNECT_WAIT = Duration.ofSeconds(45);

    private static final String RUN = Long.toString(new Random().nextInt(36 * 36 * 36), 36);

    private static final AtomicInteger NAMES = new AtomicInteger();

    @LocalServerPort
    private int port;

    @Autowired
    private ConnectionControl control;

    private final List<ChatPage> pages = new ArrayList<>();

    private final List<Path> profiles = new ArrayList<>();

    private final List<WireClient> clients = new ArrayList<>();

    private final List<String> refused = new ArrayList<>();

    /** A failed scenario leaves a screenshot of every browser it used. */
    @RegisterExtension
    final AfterTestExecutionCallback screenshotOnFailure = (context) -> {
        if (context.getExecutionException().isPresent()) {
            for (int i = 0; i < this.pages.size(); i++) {
                try {
                    this.pages.get(i).screenshot("FAILED-" + context.getRequiredTestMethod().getName() + "-" + i);
                }
                catch (RuntimeException ex) {
                    // the browser is gone
                }
            }
        }
    };

    /** Each test is reported as skipped, with this reason, where the browser is missing. */
    @BeforeEach
    void chromiumInstalled() {
        HeadlessChromium.assumeInstalled();
    }

    @AfterEach
    void closeEverything() {
        this.refused.forEach(this.control::allow);
        for (ChatPage page : this.pages) {
            try {
                page.driver.quit();
            }
            catch (RuntimeException ex) {
                // already gone
            }
        }
        this.profiles.forEach((profile) -> {
            try {
                FileSystemUtils.deleteRecursively(profile);
            }
            catch (IOException ex) {
                // a temporary directory
            }
        });
        this.clients.forEach(WireClient::close);
    }

    @Test
    void twoPeopleChatInSeveralRoomsAndSeeEachOtherOnlineAndTyping() throws Exception {
        String alice = unique("alice");
        String bob = unique("bob");
        String carol = unique("carol");
        String lounge = unique("lounge");
        String side = unique("side");
        ChatPage a = browser().open("").claim(alice).waitConnected();
        ChatPage b = browser().open("");

        // a nickname that is taken (in any case) gets a clear message
        b.type("nickname", alice.toUpperCase(Locale.ROOT));
        b.element("claim").click();
        b.waitUntil((d) -> b.element("nickname-error").isDisplayed());
        assertThat(b.element("nickname-error").getText()).contains("already taken");
        b.claim(bob).waitConnected();

        // an invalid room name is explained, and nothing is joined
        a.type("room-name", "Bad Room");
        a.element("join").click();
        assertThat(a.element("room-name-hint").getText()).contains("no spaces or capitals");
        assertThat(a.element("room-name").getDomAttribute("aria-invalid")).isEqualTo("true");
        assertThat(a.driver.findElements(By.cssSelector("#joined-rooms li[data-room='Bad Room']"))).isEmpty();

        a.join(lounge);
        b.join(lounge);
        a.waitUntil((d) -> a.users().contains(bob));
        b.waitUntil((d) -> b.users().containsAll(List.of(alice, bob)));

        a.send("Hello " + bob + "! How are you?");
        b.waitForMessage("Hello " + bob + "! How are you?");
        b.send("Fine, thanks. And you?");
        a.waitForMessage("Fine, thanks. And you?");
        Map<String, Object> fromBob = last(a.messages());
        assertThat(fromBob).containsEntry("sender", bob).containsEntry("own", false);
        assertThat((String) fromBob.get("time")).isNotBlank();
        Map<String, Object> fromAlice = last(b.messages().subList(0, b.messages().size() - 1));
        assertThat(fromAlice).containsEntry("sender", alice).containsEntry("own", false);
        assertThat(last(b.messages())).containsEntry("own", true);

        // typing: one person, then two, and it clears by itself
        try (WireClient c = wire(carol)) {
            c.join(lounge);
            a.waitUntil((d) -> a.users().containsAll(List.of(alice, bob, carol)));
            b.element("message-input").sendKeys("I am writ");
            a.waitUntil((d) -> a.typing().equals(bob + " is typing…"));
            // carol's typing:true shows for 6 s; bob, typing on, stays shown too
            c.send("/app/room." + lounge + ".typing", Map.of("typing", true));
            b.element("message-input").sendKeys("i");
            a.waitUntil((d) -> a.typing().equals(bob + " and " + carol + " are typing…")
                    || a.typing().equals(carol + " and " + bob + " are typing…"));
            a.screenshot("chat-typing");
            // bob's page says typing:false after 3 s idle; carol never does: 6 s after her typing:true
            a.waitUntil((d) -> a.typing().isEmpty());
        }

        // in two rooms at once: the other room counts what was missed
        a.join(side);
        b.send("ng a reply");
        a.waitUntil((d) -> a.unread(lounge) == 1);
        assertThat(a.driver.getTitle()).isEqualTo("(1) Parley");
        a.screenshot("chat-unread");
        a.openRoom(lounge);
        assertThat(a.unread(lounge)).isZero();
        a.waitForMessage("I am writing a reply");

        // leaving a room
        a.driver.findElement(By.cssSelector("#joined-rooms li[data-room='" + side + "'] .room-leave")).click();
        a.waitUntil((d) -> d.findElements(By.cssSelector("#joined-rooms li[data-room='" + side + "']")).isEmpty());
        b.waitUntil((d) -> b.users().equals(List.of(alice, bob)) || b.users().equals(List.of(bob, alice)));
        b.screenshot("chat-two-people");
    }

    @Test
    void aBrowserOnXhrPollingChatsWithOnesOnWebSocketAndXhrStreaming() throws Exception {
        String alice = unique("alice");
        String bob = unique("bob");
        String dave = unique("dave");
        String room = unique("transports");
        ChatPage polling = phone().open("?transports=xhr-polling").claim(alice).waitConnected();
        ChatPage websocket = browser().open("?transports=websocket").claim(bob).waitConnected();
        ChatPage streaming = browser().open("?transports=xhr-streaming").claim(dave).waitConnected();
        assertThat(polling.status()).isEqualTo("Connected over xhr-polling");
        assertThat(websocket.status()).isEqualTo("Connected over websocket");
        assertThat(streaming.status()).isEqualTo("Connected over xhr-streaming");

        polling.join(room);
        websocket.join(room);
        streaming.join(room);
        polling.waitUntil((d) -> polling.users().size() == 3);

        polling.send("Sent over xhr-polling");
        websocket.waitForMessage("Sent over xhr-polling");
        streaming.waitForMessage("Sent over xhr-polling");
        websocket.send("Sent over websocket");
        polling.waitForMessage("Sent over websocket");
        streaming.send("Sent over xhr-streaming");
        polling.waitForMessage("Sent over xhr-streaming");
        websocket.waitForMessage("Sent over xhr-streaming");
        assertThat(polling.messageTexts()).containsExactly("Sent over xhr-polling", "Sent over websocket",
                "Sent over xhr-streaming");
        assertThat(websocket.messageIds()).isEqualTo(polling.messageIds());
        polling.screenshot("transports-phone-xhr-polling");
    }

    @Test
    void roomDirectoryFindsRoomsByTheirStartAndLoadsMoreAtTheEndOfTheList() throws Exception {
        String alice = unique("alice");
        String prefix = unique("dir");
        // 101 rooms with a message each: one more than the page's 100
        List<String> rooms = new ArrayList<>();
        try (WireClient writer = wire(unique("writer"))) {
            for (int i = 0; i <= 100; i++) {
                String room = String.format("%s-%03d", prefix, i);
                rooms.add(room);
                writer.join(room);
                writer.post(room, "here");
                writer.send("/app/room." + room + ".leave", Map.of());
            }
            awaitStored(last(rooms), "here");
        }
        ChatPage a = browser().open("").claim(alice).waitConnected();

        a.searchRooms(prefix.toUpperCase(Locale.ROOT));
        a.waitUntil((d) -> a.directory().equals(rooms.subList(0, 100)));
        assertThat(a.element("directory-more").isDisplayed()).isTrue();
        // scrolled to the end of the list, the next page comes by itself
        a.script("document.getElementById('directory-more').scrollIntoView()");
        a.waitUntil((d) -> a.directory().equals(rooms));
        a.waitUntil((d) -> !a.element("directory-more").isDisplayed());

        a.searchRooms(prefix + "-05");
        a.waitUntil((d) -> a.directory().equals(rooms.subList(50, 60)));
        a.screenshot("directory-search");
        a.searchRooms(prefix + "-9x");
        a.waitUntil((d) -> a.directory().isEmpty() && a.element("directory-empty").isDisplayed());
        assertThat(a.element("directory-empty").getText()).isEqualTo("No rooms start with “" + prefix + "-9x”.");

        // a listed room joins from the directory
        a.searchRooms(prefix + "-042");
        a.waitUntil((d) -> a.directory().equals(List.of(rooms.get(42))));
        a.driver.findElement(By.cssSelector("#room-directory li[data-room='" + rooms.get(42) + "'] .room-open")).click();
        a.waitUntil((d) -> a.isOpen(rooms.get(42)));
        a.waitForMessage("here");
    }

    @Test
    void markupInAMessageIsShownAsTextAndCreatesNoElement() throws Exception {
        String alice = unique("alice");
        String mallory = unique("mallory");
        String room = unique("markup");
        String attack = "<img src=x onerror=\"window.parleyXss=1\"> <b>bold?</b> <script>window.parleyXss=2</script>";
        ChatPage a = browser().open("").claim(alice).waitConnected().join(room);
        try (WireClient m = wire(mallory)) {
            m.join(room);
            m.post(room, attack);
            a.waitForMessage(attack);
        }
        a.send(attack + " (quoted)");
        a.waitForMessage(attack + " (quoted)");

        assertThat(a.driver.findElements(By.cssSelector("#messages img, #messages b, #messages script"))).isEmpty();
        assertThat(a.driver.findElements(By.cssSelector("img"))).isEmpty();
        assertThat(a.script("return window.parleyXss === undefined")).isEqualTo(true);
        assertThat(last(a.messages().subList(0, a.messages().size() - 1))).containsEntry("sender", mallory);
        a.screenshot("markup-as-text");
    }

    @Test
    void aReloadKeepsTheNicknameTheRoomsAndTheHistoryAndASecondTabIsTheSamePerson() throws Exception {
        String alice = unique("alice");
        String room = unique("reload");
        ChatPage a = browser().open("").claim(alice).waitConnected().join(room);
        a.send("one");
        a.send("two");
        a.send("three");
        a.waitUntil((d) -> a.messageTexts().equals(List.of("one", "two", "three")));
        List<Long> ids = a.messageIds();

        a.driver.navigate().refresh();
        a.waitUntil((d) -> a.element("chat-view").isDisplayed());
        assertThat(a.element("login-view").isDisplayed()).isFalse();
        assertThat(a.element("me-name").getText()).isEqualTo(alice);
        a.waitConnected();
        a.waitUntil((d) -> a.isOpen(room));
        a.waitUntil((d) -> a.messageIds().equals(ids));
        assertThat(a.messageTexts()).containsExactly("one", "two", "three");
        assertThat(a.messages()).allSatisfy((message) -> assertThat(message).containsEntry("own", true));

        // a second tab of the same browser is the same person, without asking
        String first = a.driver.getWindowHandle();
        a.driver.switchTo().newWindow(WindowType.TAB);
        a.driver.get("http://localhost:" + this.port + "/");
        a.waitUntil((d) -> a.element("chat-view").isDisplayed());
        a.waitConnected();
        assertThat(a.element("me-name").getText()).isEqualTo(alice);
        a.waitUntil((d) -> a.isOpen(room) && a.messageTexts().size() == 3);
        a.send("from the second tab");
        a.waitForMessage("from the second tab");
        a.screenshot("reload-second-tab");
        a.driver.close();
        a.driver.switchTo().window(first);
        a.waitForMessage("from the second tab");
        assertThat(a.messages()).allSatisfy((message) -> assertThat(message).containsEntry("own", true));
    }

    @Test
    void whenTheServerDropsTheConnectionThePageReconnectsAndShowsWhatWasSaidMeanwhileOnce() throws Exception {
        String alice = unique("alice");
        String carol = unique("carol");
        String room = unique("reconnect");
        ChatPage a = browser().open("").claim(alice).waitConnected().join(room);
        try (WireClient c = wire(carol)) {
            c.join(room);
            a.waitUntil((d) -> a.users().contains(carol));
            c.post(room, "before the drop");
            a.waitForMessage("before the drop");

            // the server closes alice's connection and, for a while, refuses her new ones
            dropAndRefuse(a, alice);
            a.waitUntil((d) -> a.status().matches("Reconnecting in \\d+ s"));

            // writing while disconnected: send is disabled, Enter queues the message
            a.element("message-input").sendKeys("written while away");
            assertThat(a.element("send").isEnabled()).isFalse();
            a.element("message-input").sendKeys(org.openqa.selenium.Keys.ENTER);
            a.waitUntil((d) -> !d.findElements(By.cssSelector("#messages .pending[data-state=queued]")).isEmpty());
            assertThat(a.element("message-input").getDomProperty("value")).isEmpty();

            for (int i = 1; i <= 5; i++) {
                c.post(room, "meanwhile " + i);
            }
            awaitStored(room, "meanwhile 5");
            a.screenshot("reconnect-disconnected");
            this.control.allow(alice);

            // reconnects by itself, re-joins, catches up, sends the queued message once
            a.waitUntil(RECONNECT_WAIT, (d) -> a.messageTexts().contains("written while away"));
            a.waitConnected();
            assertThat(a.status()).isEqualTo("Connected over websocket");
            a.waitUntil((d) -> d.findElements(By.cssSelector("#messages .pending")).isEmpty());
            List<String> texts = a.messageTexts();
            assertThat(texts).containsSubsequence("before the drop", "meanwhile 1", "meanwhile 2", "meanwhile 3",
                    "meanwhile 4", "meanwhile 5", "written while away");
            assertThat(texts).doesNotHaveDuplicates();
            assertContiguous(a.messageIds());
            a.waitUntil((d) -> a.users().contains(alice) && a.users().contains(carol));

            // and after that, chatting goes on as before
            c.post(room, "welcome back");
            a.waitForMessage("welcome back");
            assertContiguous(a.messageIds());
            JsonNode stored = WireClient.get(this.port, "/api/rooms/" + room + "/messages");
            int copies = 0;
            for (JsonNode message : stored) {
                copies += message.get("text").stringValue().equals("written while away") ? 1 : 0;
            }
            assertThat(copies).as("stored copies of the queued message").isEqualTo(1);
            a.screenshot("reconnect-caught-up");
        }
    }

    @Test
    void whenTheBrowserGoesOfflineThePageSaysSoAndCatchesUpOnceBackOnline() throws Exception {
        String alice = unique("alice");
        String carol = unique("carol");
        String room = unique("offline");
        ChatPage a = browser().open("").claim(alice).waitConnected().join(room);
        try (WireClient c = wire(carol)) {
            c.join(room);
            a.waitUntil((d) -> a.users().contains(carol));
            a.network(false);
            a.waitUntil((d) -> "offline".equals(a.statusState()));
            assertThat(a.status()).isEqualTo("Offline: waiting for the network");
            c.post(room, "said while alice was offline");
            awaitStored(room, "said while alice was offline");
            a.screenshot("offline");
            a.network(true);
            a.waitForMessage("said while alice was offline");
            a.waitConnected();
            assertContiguous(a.messageIds());
        }
    }

    @Test
    void afterAReconnectThePageCatchesUpOnlyOnceItsJoinIsConfirmed() throws Exception {
        String alice = unique("alice");
        String carol = unique("carol");
        String room = unique("confirmed");
        ChatPage a = browser().open("").claim(alice).waitConnected().join(room);
        try (WireClient c = wire(carol)) {
            c.join(room);
            a.waitUntil((d) -> a.users().contains(carol));
            dropAndRefuse(a, alice);
            c.post(room, "said while alice was away");
            awaitStored(room, "said while alice was away");

            // the server handles alice's joins after the reconnect, but she never hears so: a
            // catch-up fetched before the join took effect could miss what was said in between
            this.control.loseReceipts(alice);
            this.control.allow(alice);
            Awaitility.await().atMost(RECONNECT_WAIT).until(() -> this.control.receiptsLost() >= 2);
            Awaitility.await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(4))
                .until(() -> !a.messageTexts().contains("said while alice was away"));

            // without the RECEIPT the page goes on after its wait, and catches up then
            a.waitUntil(Duration.ofSeconds(20), (d) -> a.messageTexts().contains("said while alice was away"));
            assertContiguous(a.messageIds());

            // with it, the catch-up follows the RECEIPT rather than that wait (10 s)
            this.control.keepReceipts();
            dropAndRefuse(a, alice);
            c.post(room, "said during the second absence");
            awaitStored(room, "said during the second absence");
            this.control.allow(alice);
            a.waitConnected();
            a.waitUntil(Duration.ofSeconds(5), (d) -> a.messageTexts().contains("said during the second absence"));
            assertContiguous(a.messageIds());
        }
        finally {
            this.control.keepReceipts();
        }
    }

    @Test
    void aGapInTheLiveMessageIdsIsFilledFromHistory() throws Exception {
        String alice = unique("alice");
        String carol = unique("carol");
        String room = unique("gap");
        ChatPage a = browser().open("").claim(alice).waitConnected().join(room);
        try (WireClient c = wire(carol)) {
            c.join(room);
            a.waitUntil((d) -> a.users().contains(carol));
            this.control.loseOnce(alice, "lost on the way");
            c.post(room, "first");
            c.post(room, "lost on the way");
            c.post(room, "third");
            a.waitUntil((d) -> a.messageTexts().equals(List.of("first", "lost on the way", "third")));
            assertThat(this.control.lost()).as("the server really lost the frame").isTrue();
            assertContiguous(a.messageIds());
            a.screenshot("gap-filled");
        }
    }

    @Test
    void scrollBackLoadsOlderPagesWithoutDuplicatesOrHoles() throws Exception {
        String alice = unique("alice");
        String carol = unique("carol");
        String room = unique("history");
        int total = 120;
        try (WireClient c = wire(carol)) {
            c.join(room);
            for (int i = 1; i <= total; i++) {
                c.post(room, String.format("history message %03d", i));
            }
            awaitStored(room, String.format("history message %03d", total));
        }
        ChatPage a = browser().open("").claim(alice).waitConnected().join(room);
        a.waitUntil((d) -> a.messageIds().equals(range(71, total)));
        assertThat(a.element("load-older").isDisplayed()).isTrue();

        a.element("load-older").click();
        a.waitUntil((d) -> a.messageIds().equals(range(21, total)));
        a.element("load-older").click();
        a.waitUntil((d) -> a.messageIds().equals(range(1, total)));
        assertThat(a.element("load-older").isDisplayed()).isFalse();
        assertThat(a.element("history-start").getText()).isEqualTo("This is the beginning of #" + room + ".");
        assertThat(a.messageTexts().get(0)).isEqualTo("history message 001");
        assertThat(a.messageTexts()).doesNotHaveDuplicates();
        a.screenshot("scroll-back");
    }

    @Test
    void aMessageTheServerRefusesIsExplainedInlineAndItsTextIsKept() throws Exception {
        String alice = unique("alice");
        String room = unique("refused");
        ChatPage a = browser().open("").claim(alice).waitConnected().join(room);

        // near the page's limit a counter shows; over it, nothing is sent
        a.fill("y".repeat(1900));
        assertThat(a.element("counter").getText()).isEqualTo("1900 / 2000");
        a.fill("z".repeat(2001));
        assertThat(a.element("counter").getText()).isEqualTo("2001 / 2000: 1 too many");
        assertThat(a.element("send").isEnabled()).isFalse();
        a.element("message-input").sendKeys(org.openqa.selenium.Keys.ENTER);
        a.waitUntil((d) -> a.element("composer-error").isDisplayed());

        // this server allows 1000 code points: it refuses 1200 with INVALID_MESSAGE
        String tooLong = "w".repeat(1200);
        a.fill(tooLong);
        a.element("send").click();
        a.waitUntil((d) -> !d.findElements(By.cssSelector("#messages .pending.failed")).isEmpty());
        String error = a.driver.findElement(By.cssSelector("#messages .pending.failed .pending-error")).getText();
        assertThat(error).startsWith("Not sent:");
        assertThat(a.driver.findElement(By.cssSelector("#messages .pending.failed .text")).getText()).isEqualTo(tooLong);
        a.screenshot("refused-inline");
        a.driver.findElement(By.xpath("//li[contains(@class,'failed')]//button[text()='Edit']")).click();
        assertThat(a.element("message-input").getDomProperty("value")).isEqualTo(tooLong);
        assertThat(a.driver.findElements(By.cssSelector("#messages .pending"))).isEmpty();
        assertThat(a.messageIds()).isEmpty();
    }

    @Test
    void twoPeopleTalkPrivatelyAcrossTransportsWithUnreadCountsTypingAndAnUnknownNicknameExplained() throws Exception {
        String alice = unique("alice");
        String bob = unique("bob");
        String room = unique("meet");
        ChatPage a = browser().open("?transports=websocket").claim(alice).waitConnected().join(room);
        ChatPage b = browser().open("?transports=xhr-polling").claim(bob).waitConnected().join(room);
        assertThat(b.status()).isEqualTo("Connected over xhr-polling");

        // alice starts the conversation from the room's online list
        a.waitUntil((d) -> a.users().contains(bob));
        a.messageUser(bob);
        assertThat(a.element("room-title").getText()).isEqualTo("@ " + bob);
        a.send("Hi " + bob + ", just between us");
        a.waitUntil((d) -> a.messageTexts().equals(List.of("Hi " + bob + ", just between us")));

        // bob, reading the room, sees the conversation appear with one unread message
        b.waitUntil((d) -> b.conversations().equals(List.of(alice)) && b.directUnread(alice) == 1);
        assertThat(b.messageTexts()).doesNotContain("Hi " + bob + ", just between us");
        assertThat(b.driver.getTitle()).isEqualTo("(1) Parley");
        b.screenshot("direct-unread");
        b.openDirect(alice);
        assertThat(b.directUnread(alice)).isZero();
        b.waitForMessage("Hi " + bob + ", just between us");

        // typing shows on the other side only
        b.element("message-input").sendKeys("Sure, what");
        a.waitUntil((d) -> a.typing().equals(bob + " is typing…"));
        b.element("message-input").sendKeys(Keys.ENTER);
        a.send("The plan for Friday");
        b.send("Tell me more");
        List<String> conversation = List.of("Hi " + bob + ", just between us", "Sure, what", "The plan for Friday", "Tell me more");
        a.waitUntil((d) -> a.messageTexts().size() == 4);
        b.waitUntil((d) -> b.messageTexts().size() == 4);
        assertThat(a.messageTexts()).isEqualTo(b.messageTexts()).containsExactlyInAnyOrderElementsOf(conversation);
        assertThat(a.messageIds()).isEqualTo(b.messageIds()).isEqualTo(range(1, 4));
        assertThat(a.messages()).allSatisfy((m) -> assertThat(m.get("own")).isEqualTo(m.get("sender").equals(alice)));
        assertThat(a.driver.findElements(By.cssSelector("#messages .pending"))).isEmpty();
        a.waitUntil((d) -> a.typing().isEmpty());
        a.screenshot("direct-messages");

        // back in the room, alice counts what bob writes privately
        a.openRoom(room);
        b.send("Are you there?");
        a.waitUntil((d) -> a.directUnread(bob) == 1);
        assertThat(a.unread(room)).isZero();

        // a nickname nobody claimed is said plainly, and no conversation is opened
        a.startDirect(unique("nobody"));
        a.waitUntil((d) -> a.element("direct-start-error").isDisplayed());
        assertThat(a.element("direct-start-error").getText()).startsWith("Nobody has claimed");
        assertThat(a.conversations()).containsExactly(bob);
        assertThat(a.isOpen(room)).isTrue();
        a.screenshot("direct-unknown-nickname");

        // typed in another case, an existing conversation opens
        a.startDirect(bob.toUpperCase(Locale.ROOT));
        a.waitUntil((d) -> a.isDirectOpen(bob));
        a.waitForMessage("Are you there?");
        assertThat(a.directUnread(bob)).isZero();
    }

    @Test
    void aPrivateConversationFillsItsGapsAndCatchesUpAfterAReconnectSendingWhatWasQueuedOnce() throws Exception {
        String alice = unique("alice");
        String carol = unique("carol");
        ChatPage a = browser().open("").claim(alice).waitConnected();
        try (WireClient c = wire(carol)) {
            c.subscribeDirect();
            c.postDirect(alice, "first");
            a.waitUntil((d) -> a.conversations().equals(List.of(carol)));
            a.openDirect(carol).waitForMessage("first");

            // a DIRECT event lost on the way: the next one's id shows the gap, history fills it
            this.control.loseOnce(alice, "lost on the way");
            c.postDirect(alice, "lost on the way");
            c.postDirect(alice, "third");
            a.waitUntil((d) -> a.messageTexts().equals(List.of("first", "lost on the way", "third")));
            assertThat(this.control.lost()).as("the server really lost the frame").isTrue();
            assertThat(a.messageIds()).isEqualTo(range(1, 3));

            // the connection goes; alice writes meanwhile, carol too
            dropAndRefuse(a, alice);
            a.send("written while away");
            a.waitUntil((d) -> !d.findElements(By.cssSelector("#messages .pending[data-state=queued]")).isEmpty());
            for (int i = 1; i <= 3; i++) {
                c.postDirect(alice, "meanwhile " + i);
            }
            this.control.allow(alice);

            a.waitUntil(RECONNECT_WAIT, (d) -> a.messageTexts().contains("written while away"));
            a.waitUntil((d) -> d.findElements(By.cssSelector("#messages .pending")).isEmpty());
            assertThat(a.messageTexts()).containsExactly("first", "lost on the way", "third", "meanwhile 1",
                    "meanwhile 2", "meanwhile 3", "written while away");
            assertThat(a.messageIds()).isEqualTo(range(1, 7));
            a.screenshot("direct-caught-up");
        }
    }

    // ---- helpers -------------------------------------------------------------------------------

    private static String unique(String prefix) {
        return prefix + "-" + RUN + NAMES.incrementAndGet();
    }

    private static List<Long> range(long first, long last) {
        return LongStream.rangeClosed(first, last).boxed().toList();
    }

    private static <T> T last(List<T> list) {
        return list.get(list.size() - 1);
    }

    private static void assertContiguous(List<Long> ids) {
        assertThat(ids).isNotEmpty();
        assertThat(ids).isEqualTo(range(ids.get(0), ids.get(0) + ids.size() - 1));
    }

    /**
     * The server closes the page's connection and refuses its new ones (until
     * {@code control.allow}); returns once the page says it is reconnecting.
     */
    private void dropAndRefuse(ChatPage page, String nickname) {
        this.refused.add(nickname);
        this.control.refuse(nickname);
        assertThat(this.control.drop(nickname)).isPositive();
        page.waitUntil((d) -> "reconnecting".equals(page.statusState()));
    }

    private WireClient wire(String nickname) throws Exception {
        WireClient client = WireClient.connect(this.port, nickname);
        this.clients.add(client);
        return client;
    }

    /** Waits until the room's latest stored message has this text. */
    private void awaitStored(String room, String text) {
        Awaitility.await("'" + text + "' stored in " + room).atMost(ChatPage.WAIT).until(() -> {
            JsonNode latest = WireClient.get(this.port, "/api/rooms/" + room + "/messages?limit=1");
            return !latest.isEmpty() && latest.get(0).get("text").stringValue().equals(text);
        });
    }

    private ChatPage browser() throws IOException {
        return browser(false);
    }

    private ChatPage phone() throws IOException {
        return browser(true);
    }

    /** Headless Chromium with a fresh profile, through the system's chromedriver: nothing is downloaded. */
    private ChatPage browser(boolean phone) throws IOException {
        Path profile = Files.createTempDirectory("parley-chromium-");
        this.profiles.add(profile);
        ChromeOptions options = HeadlessChromium.options(profile);
        options.addArguments("--window-size=1280,800", "--lang=en-GB");
        if (phone) {
            options.setExperimentalOption("mobileEmulation",
                    Map.of("deviceMetrics", Map.of("width", 390, "height", 760, "pixelRatio", 1.0)));
        }
        ChatPage page = new ChatPage(HeadlessChromium.start(options), "http://localhost:" + this.port);
        this.pages.add(page);
        return page;
    }

    @TestConfiguration(proxyBeanMethods = false)
    static class ServerHooks {

        @Bean
        ConnectionControl connectionControl() {
            return new ConnectionControl();
        }
    }
}
