package dev.parley.message;

import java.util.List;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;

import dev.parley.config.ChatProperties;
import dev.parley.core.RoomName;

import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code GET /api/rooms/{room}/messages}: the latest page, scroll-back with {@code before},
 * catch-up with {@code after}; always oldest first.
 */
@RestController
class MessageHistoryController {

    private final MessageHistory history;

    private final RecentMessages recent;

    private final ChatProperties.History limits;

    private final Counter catchUps;

    MessageHistoryController(MessageHistory history, RecentMessages recent, ChatProperties properties,
            MeterRegistry meters) {
        this.history = history;
        this.recent = recent;
        this.limits = properties.history();
        this.catchUps = Counter.builder("parley.catchup.requests")
            .description("History pages read with ?after= (clients catching up after a reconnect or a gap)")
            .register(meters);
    }

    @GetMapping("/api/rooms/{room}/messages")
    List<ChatMessage> messages(@PathVariable("room") String roomName,
            @RequestParam(name = "before", required = false) Long before,
            @RequestParam(name = "after", required = false) Long after,
            @RequestParam(name = "limit", required = false) Integer limit) {
        RoomName room = new RoomName(roomName);
        HistoryPage page = HistoryPage.of(before, after, limit, this.limits);
        if (page.before() != null) {
            return this.history.before(room, page.before(), page.limit());
        }
        if (page.after() != null) {
            this.catchUps.increment();
            return this.recent.after(room, page.after(), page.limit());
        }
        return this.history.latest(room, page.limit());
    }
}
