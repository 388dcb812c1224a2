package dev.parley.message;

import java.time.Instant;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;

import dev.parley.core.Nickname;
import dev.parley.core.RoomName;
import dev.parley.core.UtcMillis;

/**
 * A stored message, as broadcast ({@code MESSAGE} event) and as returned by the history API.
 *
 * @param id the message's sequence number in its room: 1, 2, 3... without gaps
 * @param clientId the sender's de-duplication id, or {@code null}
 */
@JsonPropertyOrder({ "type", "id", "room", "sender", "text", "sentAt", "clientId" })
public record ChatMessage(long id, RoomName room, Nickname sender, String text,
        @UtcMillis Instant sentAt, String clientId) {

    @JsonProperty("type")
    String type() {
        return "MESSAGE";
    }
}
