package dev.parley.core;

import java.util.Locale;
import java.util.regex.Pattern;

import com.fasterxml.jackson.annotation.JsonValue;

/**
 * A valid nickname: 1 to 32 code points, each a Unicode letter, digit, {@code _} or {@code -}.
 * <p>
 * Identity is case-insensitive: {@code equals} and {@code hashCode} compare {@link #key()}, so
 * {@code Alice} and {@code alice} are the same nickname, while {@link #value()} keeps the
 * spelling it was created with for display.
 */
public record Nickname(@JsonValue String value) {

    private static final Pattern VALID = Pattern.compile("[\\p{L}\\p{N}_-]{1,32}");

    public Nickname {
        if (value == null || !VALID.matcher(value).matches()) {
            throw new ChatException(ErrorCode.BAD_REQUEST, "invalid nickname");
        }
    }

    /** The case-folded form that identifies the nickname (upper then lower, so ß matches SS). */
    public String key() {
        return this.value.toUpperCase(Locale.ROOT).toLowerCase(Locale.ROOT);
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof Nickname nickname && key().equals(nickname.key());
    }

    @Override
    public int hashCode() {
        return key().hashCode();
    }

    @Override
    public String toString() {
        return this.value;
    }
}
