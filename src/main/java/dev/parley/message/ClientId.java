package dev.parley.message;

import java.util.regex.Pattern;

import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;

import dev.parley.core.ChatException;
import dev.parley.core.ErrorCode;

/** The sender's own id for a message (a UUID, say), which makes a retried send harmless. */
public record ClientId(String value) {

    private static final Pattern VALID = Pattern.compile("[A-Za-z0-9_-]{1,64}");

    /**
     * The {@code clientId} of a frame's body, or {@code null} when it has none (absent or JSON
     * {@code null}).
     *
     * @throws ChatException {@code INVALID_MESSAGE} when it is there but no valid clientId
     */
    public static @Nullable ClientId fromBody(JsonNode body) {
        JsonNode clientId = body.get("clientId");
        if (clientId == null || clientId.isNull()) {
            return null;
        }
        return new ClientId(clientId.isString() ? clientId.stringValue() : null);
    }

    public ClientId {
        if (value == null || !VALID.matcher(value).matches()) {
            throw new ChatException(ErrorCode.INVALID_MESSAGE,
                    "clientId is 1-64 characters of A-Z a-z 0-9 _ -");
        }
    }
}
