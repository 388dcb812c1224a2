package dev.parley.direct;

import java.time.Instant;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;

import dev.parley.core.Nickname;
import dev.parley.core.UtcMillis;

/** Ephemeral, never stored, sent to the other party only: {@code DIRECT_TYPING}. */
@JsonPropertyOrder({ "type", "from", "to", "typing", "at" })
record DirectTyping(Nickname from, Nickname to, boolean typing, @UtcMillis Instant at) {

    @JsonProperty("type")
    String type() {
        return "DIRECT_TYPING";
    }
}
