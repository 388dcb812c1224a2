package dev.parley.direct;

import java.time.Instant;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import org.jspecify.annotations.Nullable;

import dev.parley.core.Conversation;
import dev.parley.core.Nickname;
import dev.parley.core.UtcMillis;

/**
 * A stored direct message, as delivered on {@code /user/queue/direct} ({@code DIRECT} event) and
 * as returned by the conversation's history.
 *
 * @param id the message's sequence number in its conversation: 1, 2, 3... without gaps
 * @param from the sender, spelled as first claimed
 * @param to the other party, spelled as first claimed
 * @param clientId the sender's de-duplication id, or {@code null}
 */
@JsonPropertyOrder({ "type", "id", "from", "to", "text", "sentAt", "clientId" })
public record DirectMessage(long id, Nickname from, Nickname to, String text, @UtcMillis Instant sentAt,
        @Nullable String clientId) {

    @JsonProperty("type")
    String type() {
        return "DIRECT";
    }

    /** The conversation it belongs to; not part of its JSON. */
    public Conversation conversation() {
        return Conversation.between(this.from, this.to);
    }
}
