package dev.parley.direct;

import java.util.List;

import org.jspecify.annotations.Nullable;

import dev.parley.config.ChatProperties;
import dev.parley.core.ChatUser;
import dev.parley.core.Conversation;
import dev.parley.identity.BearerPrincipal;
import dev.parley.message.HistoryPage;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code GET /api/direct} and {@code GET /api/direct/{nickname}/messages}, for the holder of a
 * party's token only. The token is checked before anything else is looked at, so a request
 * without a valid one learns nothing (not even whether a nickname exists) and costs the same
 * whatever it names: the principal ({@code ChatUser}, from the Bearer token) is the first argument
 * resolved ({@code dev.parley.identity.BearerAuthentication}).
 */
@RestController
class DirectRestController {

    /** More conversations than anyone has; the list is bounded all the same. */
    private static final int MAX_CONVERSATIONS = 1000;

    private final Recipients recipients;

    private final DirectHistory history;

    private final ChatProperties.History limits;

    DirectRestController(Recipients recipients, DirectHistory history,
            ChatProperties properties) {
        this.recipients = recipients;
        this.history = history;
        this.limits = properties.history();
    }

    /** The principal's conversations, latest first. */
    @GetMapping("/api/direct")
    List<ConversationSummary> conversations(@BearerPrincipal ChatUser user) {
        return this.history.conversations(user.nickname(), MAX_CONVERSATIONS);
    }

    /** A conversation's messages, paged like a room's ({@code before}, {@code after}, {@code limit}). */
    @GetMapping("/api/direct/{nickname}/messages")
    List<DirectMessage> messages(@BearerPrincipal ChatUser user, @PathVariable("nickname") String nickname,
            @RequestParam(name = "before", required = false) @Nullable Long before,
            @RequestParam(name = "after", required = false) @Nullable Long after,
            @RequestParam(name = "limit", required = false) @Nullable Integer limit) {
        Conversation conversation = Conversation.between(user.nickname(),
                this.recipients.claimed(this.recipients.named(nickname, user)));
        HistoryPage page = HistoryPage.of(before, after, limit, this.limits);
        if (page.before() != null) {
            return this.history.before(conversation, page.before(), page.limit());
        }
        if (page.after() != null) {
            return this.history.after(conversation, page.after(), page.limit());
        }
        return this.history.latest(conversation, page.limit());
    }
}
