package dev.parley.message;

import tools.jackson.databind.JsonNode;

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

    /**
     * The {@code text} of a frame's body: a JSON string, stripped and checked.
     *
     * @throws ChatException {@code INVALID_MESSAGE} when it is missing, no string, or not 1 to
     * {@code maxLength} code points after stripping
     */
    public static MessageText fromBody(JsonNode body, int maxLength) {
        JsonNode text = body.get("text");
        if (text == null || !text.isString()) {
            throw invalid("text must be a JSON string");
        }
        return of(text.stringValue(), maxLength);
    }

    private static ChatException invalid(String message) {
        return new ChatException(ErrorCode.INVALID_MESSAGE, message);
    }
}
