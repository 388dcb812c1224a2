package dev.parley.core;

import java.util.regex.Pattern;

import com.fasterxml.jackson.annotation.JsonValue;

/**
 * A valid room name: 1 to 32 characters of {@code a-z 0-9 _ -}, the first a letter or digit.
 * Rooms exist implicitly; a name is all there is to one.
 */
public record RoomName(@JsonValue String value) implements Comparable<RoomName> {

    private static final Pattern VALID = Pattern.compile("[a-z0-9][a-z0-9_-]{0,31}");

    public RoomName {
        if (value == null || !VALID.matcher(value).matches()) {
            throw new ChatException(ErrorCode.INVALID_ROOM,
                    "a room name is 1-32 characters of a-z 0-9 _ -, starting with a letter or digit");
        }
    }

    /** Whether {@code value} is a valid room name, without the cost of an exception. */
    public static boolean isValid(String value) {
        return value != null && VALID.matcher(value).matches();
    }

    /** The broker destination every event of this room is published to. */
    public String topic() {
        return Destinations.ROOM_TOPIC_PREFIX + this.value;
    }

    @Override
    public int compareTo(RoomName other) {
        return this.value.compareTo(other.value);
    }

    @Override
    public String toString() {
        return this.value;
    }
}
