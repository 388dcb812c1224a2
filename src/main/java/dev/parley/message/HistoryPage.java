package dev.parley.message;

import org.jspecify.annotations.Nullable;

import dev.parley.config.ChatProperties;
import dev.parley.core.ChatException;
import dev.parley.core.ErrorCode;

/**
 * Which page of a history a REST request asks for (contract section 7), the same for a room's and
 * a conversation's: the latest, scroll-back ({@code before}) or catch-up ({@code after}), each at
 * most {@code limit} messages.
 */
public record HistoryPage(@Nullable Long before, @Nullable Long after, int limit) {

    /**
     * The page a request's parameters name.
     *
     * @throws ChatException {@code BAD_REQUEST} for {@code before} with {@code after}, a negative
     * id or a {@code limit} out of range
     */
    public static HistoryPage of(@Nullable Long before, @Nullable Long after, @Nullable Integer limit,
            ChatProperties.History limits) {
        if (before != null && after != null) {
            throw badRequest("use either before or after, not both");
        }
        if ((before != null && before < 0) || (after != null && after < 0)) {
            throw badRequest("message ids are not negative");
        }
        int pageSize = (limit != null) ? limit : limits.defaultLimit();
        if (pageSize < 1 || pageSize > limits.maxLimit()) {
            throw badRequest("limit is 1-" + limits.maxLimit());
        }
        return new HistoryPage(before, after, pageSize);
    }

    private static ChatException badRequest(String message) {
        return new ChatException(ErrorCode.BAD_REQUEST, message);
    }
}
