package dev.parley.message;

import java.util.regex.Pattern;

import dev.parley.core.ChatException;
import dev.parley.core.ErrorCode;

/** The sender's own id for a message (a UUID, say), which makes a retried send harmless. */
public record ClientId(String value) {

    private static final Pattern VALID = Pattern.compile("[A-Za-z0-9_-]{1,64}");

    public ClientId {
        if (value == null || !VALID.matcher(value).matches()) {
            throw new ChatException(ErrorCode.INVALID_MESSAGE,
                    "clientId is 1-64 characters of A-Z a-z 0-9 _ -");
        }
    }
}
