package dev.parley.core;

import java.time.Instant;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;

/** The presence and typing events of a room (contract section 5); messages are {@code ChatMessage}. */
public sealed interface RoomEvent {

    /** The nickname came online in the room: its first connection joined. */
    @JsonPropertyOrder({ "type", "room", "user", "at", "online" })
    record Join(RoomName room, Nickname user, @UtcMillis Instant at, int online) implements RoomEvent {

        @JsonProperty("type")
        String type() {
            return "JOIN";
        }
    }

    /** The nickname went offline in the room: its last connection left or disconnected. */
    @JsonPropertyOrder({ "type", "room", "user", "at", "online" })
    record Leave(RoomName room, Nickname user, @UtcMillis Instant at, int online) implements RoomEvent {

        @JsonProperty("type")
        String type() {
            return "LEAVE";
        }
    }

    /** Ephemeral: never stored, and shown by clients for at most 6 s. */
    @JsonPropertyOrder({ "type", "room", "user", "typing", "at" })
    record Typing(RoomName room, Nickname user, boolean typing, @UtcMillis Instant at) implements RoomEvent {

        @JsonProperty("type")
        String type() {
            return "TYPING";
        }
    }
}
