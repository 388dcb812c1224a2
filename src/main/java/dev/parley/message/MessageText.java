package dev.parley.message;

import dev.parley.core.ChatException;
import dev.parley.core.ErrorCode;

/**
 * The text of a chat message: stripped of leading and trailing Unicode whitespace, never empty.
 * It is stored and sent back exactly like this and never interpreted as markup.
 */
public record MessageText(String value) {

    public MessageText {
        if (value == null || value.isEmpty() || !value.equals(value.strip())) {
            throw invalid("a message needs text");
        }
    }

    /**
     * Strips {@code raw} and checks its length.
     *
     * @param maxLength most code points allowed after stripping ({@code chat.message.max-length})
     */
    public static MessageText of(String raw, int maxLength) {
        String stripped = (raw != null) ? raw.strip() : null;
        if (stripped != null && stripped.codePointCount(0, stripped.length()) > maxLength) {
            throw invalid("a message is at most " + maxLength + " characters");
        }
        return new MessageText(stripped);
    }

    private static ChatException invalid(String message) {
        return new ChatException(ErrorCode.INVALID_MESSAGE, message);
    }
}
