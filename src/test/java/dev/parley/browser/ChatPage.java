package dev.parley.browser;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.Keys;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/** One browser tab on Parley's chat page, driven through the page's stable element ids. */
final class ChatPage {

    static final Duration WAIT = Duration.ofSeconds(15);

    static final Path SCREENSHOTS = Path.of("target", "screenshots");

    final ChromeDriver driver;

    private final String baseUrl;

    ChatPage(ChromeDriver driver, String baseUrl) {
        this.driver = driver;
        this.baseUrl = baseUrl;
    }

    ChatPage open(String query) {
        this.driver.get(this.baseUrl + "/" + query);
        waitUntil(d -> element("login-view").isDisplayed() || element("chat-view").isDisplayed());
        return this;
    }

    /** Claims the nickname on the sign-in form and waits for the chat. */
    ChatPage claim(String nickname) {
        type("nickname", nickname);
        element("claim").click();
        waitUntil(d -> element("chat-view").isDisplayed());
        return this;
    }

    ChatPage waitConnected() {
        waitUntil(d -> "connected".equals(element("status").getDomAttribute("data-state")));
        return this;
    }

    String status() {
        return element("status").getText();
    }

    String statusState() {
        return element("status").getDomAttribute("data-state");
    }

    /** Joins (or opens) a room through the join form and waits until it is the open room. */
    ChatPage join(String room) {
        if (element("toggle-rooms").isDisplayed() && !(Boolean) script("return document.body.classList.contains('show-rooms')")) {
            element("toggle-rooms").click(); // a phone: the rooms are in a drawer
        }
        waitUntil((d) -> {
            type("room-name", room);
            element("join").click();
            return true;
        });
        waitUntil(d -> isOpen(room));
        return this;
    }

    boolean isOpen(String room) {
        return !this.driver.findElements(By.cssSelector("#joined-rooms li.room.active[data-room='" + room + "']")).isEmpty();
    }

    ChatPage openRoom(String room) {
        this.driver.findElement(By.cssSelector("#joined-rooms li.room[data-room='" + room + "'] .room-open")).click();
        waitUntil(d -> isOpen(room));
        return this;
    }

    /** The unread count shown for a joined room. */
    int unread(String room) {
        String unread = this.driver.findElement(By.cssSelector("#joined-rooms li.room[data-room='" + room + "']"))
                .getDomAttribute("data-unread");
        return Integer.parseInt(unread);
    }

    /** Starts (or opens) a private conversation with the online list's "Message" button. */
    ChatPage messageUser(String nickname) {
        this.driver.findElement(By.cssSelector("#users li.user[data-user='" + nickname + "'] .user-message")).click();
        waitUntil(d -> isDirectOpen(nickname));
        return this;
    }

    /** Types a nickname under "Direct messages" and presses its button. */
    ChatPage startDirect(String nickname) {
        type("direct-start-input", nickname);
        element("direct-start-button").click();
        return this;
    }

    ChatPage openDirect(String nickname) {
        this.driver.findElement(By.cssSelector("#direct-list li[data-with='" + nickname + "'] .room-open")).click();
        waitUntil(d -> isDirectOpen(nickname));
        return this;
    }

    boolean isDirectOpen(String nickname) {
        return !this.driver.findElements(By.cssSelector("#direct-list li.conversation.active[data-with='" + nickname + "']")).isEmpty();
    }

    /** The conversations under "Direct messages", latest first. */
    @SuppressWarnings("unchecked")
    List<String> conversations() {
        return (List<String>) script("return [...document.querySelectorAll('#direct-list li[data-with]')].map(c => c.dataset.with);");
    }

    /** The unread count of a conversation, from its badge (#direct-unread-{nickname, lowercase}). */
    int directUnread(String nickname) {
        WebElement badge = element("direct-unread-" + nickname.toLowerCase(java.util.Locale.ROOT));
        return badge.getDomAttribute("hidden") != null ? 0 : Integer.parseInt(badge.getDomProperty("textContent"));
    }

    /** Types the text and presses Enter. */
    ChatPage send(String text) {
        WebElement input = element("message-input");
        input.sendKeys(text);
        input.sendKeys(Keys.ENTER);
        return this;
    }

    /** Sets the message box's text at once (long texts), as if typed. */
    ChatPage fill(String text) {
        script("const i = document.getElementById('message-input'); i.value = arguments[0];"
                + "i.dispatchEvent(new Event('input', {bubbles: true}));", text);
        return this;
    }

    /** The messages on screen, in order: {id, sender, text, own}. */
    @SuppressWarnings("unchecked")
    List<Map<String, Object>> messages() {
        return (List<Map<String, Object>>) script("return [...document.querySelectorAll('#messages .message')].map(m => ({"
                + "id: Number(m.dataset.id), sender: m.querySelector('.sender').textContent,"
                + "text: m.querySelector('.text').textContent, own: m.classList.contains('own'),"
                + "time: m.querySelector('time').textContent}));");
    }

    @SuppressWarnings("unchecked")
    List<Long> messageIds() {
        return (List<Long>) script("return [...document.querySelectorAll('#messages .message')].map(m => Number(m.dataset.id));");
    }

    @SuppressWarnings("unchecked")
    List<String> messageTexts() {
        return (List<String>) script("return [...document.querySelectorAll('#messages .message .text')].map(t => t.textContent);");
    }

    ChatPage waitForMessage(String text) {
        waitUntil(d -> messageTexts().contains(text));
        return this;
    }

    @SuppressWarnings("unchecked")
    List<String> users() {
        return (List<String>) script("return [...document.querySelectorAll('#users .user')].map(u => u.dataset.user);");
    }

    /** The rooms the directory ("All rooms") lists, in order. */
    @SuppressWarnings("unchecked")
    List<String> directory() {
        return (List<String>) script("return [...document.querySelectorAll('#room-directory li[data-room]')].map(r => r.dataset.room);");
    }

    /** Types into the directory's search box. */
    ChatPage searchRooms(String text) {
        type("room-search", text);
        return this;
    }

    String typing() {
        return element("typing").getText();
    }

    WebElement element(String id) {
        return this.driver.findElement(By.id(id));
    }

    void type(String id, String text) {
        WebElement input = element(id);
        input.clear();
        input.sendKeys(text);
    }

    Object script(String script, Object... args) {
        return ((JavascriptExecutor) this.driver).executeScript(script, args);
    }

    <T> T waitUntil(java.util.function.Function<WebDriver, T> condition) {
        return waitUntil(WAIT, condition);
    }

    <T> T waitUntil(Duration timeout, java.util.function.Function<WebDriver, T> condition) {
        return new WebDriverWait(this.driver, timeout).ignoring(RuntimeException.class).until(condition::apply);
    }

    void waitVisible(String id) {
        new WebDriverWait(this.driver, WAIT).until(ExpectedConditions.visibilityOfElementLocated(By.id(id)));
    }

    /** Takes the browser off the network (navigator.onLine false, an offline event) or back on. */
    void network(boolean online) {
        this.driver.executeCdpCommand("Network.enable", Map.of());
        this.driver.executeCdpCommand("Network.emulateNetworkConditions", Map.of("offline", !online, "latency", 0,
                "downloadThroughput", -1, "uploadThroughput", -1));
    }

    void screenshot(String name) {
        try {
            Files.createDirectories(SCREENSHOTS);
            Path file = this.driver.getScreenshotAs(OutputType.FILE).toPath();
            Files.copy(file, SCREENSHOTS.resolve(name + ".png"), StandardCopyOption.REPLACE_EXISTING);
        }
        catch (IOException ex) {
            throw new IllegalStateException("screenshot " + name, ex);
        }
    }
}
