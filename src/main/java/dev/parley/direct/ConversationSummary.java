package dev.parley.direct;

import java.time.Instant;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;

import dev.parley.core.Conversation;
import dev.parley.core.Nickname;
import dev.parley.core.UtcMillis;

/**
 * One of a nickname's conversations, as {@code GET /api/direct} lists it:
 * {@code {"with":"bob","lastId":7,"lastMessageAt":"…"}}.
 *
 * @param with the other party, spelled as first claimed
 * @param lastId the id of the conversation's latest message
 */
@JsonPropertyOrder({ "with", "lastId", "lastMessageAt" })
public record ConversationSummary(@JsonIgnore Conversation conversation, Nickname with, long lastId,
        @UtcMillis Instant lastMessageAt) {
}
