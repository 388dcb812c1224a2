package dev.parley.room;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import dev.parley.core.RoomName;
import dev.parley.core.UtcMillis;
import dev.parley.message.MessageHistory;
import dev.parley.message.RoomStats;
import dev.parley.presence.Presence;

import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RestController;

/** {@code GET /api/rooms} and {@code GET /api/rooms/{room}/users}. */
@RestController
class RoomRestController {

    private final MessageHistory history;

    private final Presence presence;

    RoomRestController(MessageHistory history, Presence presence) {
        this.history = history;
        this.presence = presence;
    }

    /** Rooms with messages or online users, sorted by name. */
    @GetMapping("/api/rooms")
    List<RoomSummary> rooms() {
        Map<RoomName, Integer> online = this.presence.onlineCounts();
        Map<RoomName, RoomSummary> rooms = new TreeMap<>();
        for (RoomStats stats : this.history.rooms()) {
            rooms.put(stats.room(), new RoomSummary(stats.room(), online.getOrDefault(stats.room(), 0),
                    stats.messages(), stats.lastMessageAt()));
        }
        online.forEach((room, count) -> rooms.putIfAbsent(room, new RoomSummary(room, count, 0, null)));
        return List.copyOf(rooms.values());
    }

    @GetMapping("/api/rooms/{room}/users")
    RoomController.RoomUsers users(@PathVariable("room") String roomName) {
        RoomName room = new RoomName(roomName);
        return new RoomController.RoomUsers(room, this.presence.users(room));
    }

    record RoomSummary(RoomName name, int online, long messages, @UtcMillis Instant lastMessageAt) {
    }
}
