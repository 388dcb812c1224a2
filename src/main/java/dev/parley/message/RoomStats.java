package dev.parley.message;

import java.time.Instant;

import dev.parley.core.RoomName;

/** How many messages a room holds, and when the latest was sent. */
public record RoomStats(RoomName room, long messages, Instant lastMessageAt) {
}
