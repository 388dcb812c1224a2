package dev.parley.direct;

import java.util.List;

import org.jspecify.annotations.Nullable;

import dev.parley.config.ChatProperties;
import dev.parley.core.ChatException;
import dev.parley.core.ChatUser;
import dev.parley.core.Conversation;
import dev.parley.core.ErrorCode;
import dev.parley.identity.BearerPrincipal;
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
        if (before != null && after != null) {
            throw badRequest("use either before or after, not both");
        }
        if ((before != null && before < 0) || (after != null && after < 0)) {
            throw badRequest("message ids are not negative");
        }
        int pageSize = (limit != null) ? limit : this.limits.defaultLimit();
        if (pageSize < 1 || pageSize > this.limits.maxLimit()) {
            throw badRequest("limit is 1-" + this.limits.maxLimit());
        }
        if (before != null) {
            return this.history.before(conversation, before, pageSize);
        }
        if (after != null) {
            return this.history.after(conversation, after, pageSize);
        }
        return this.history.latest(conversation, pageSize);
    }

    private static ChatException badRequest(String message) {
        return new ChatException(ErrorCode.BAD_REQUEST, message);
    }
}
