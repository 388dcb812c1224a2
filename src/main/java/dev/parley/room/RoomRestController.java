package dev.parley.room;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.headers.Header;
import io.swagger.v3.oas.annotations.media.ArraySchema;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import jakarta.servlet.http.HttpServletRequest;
import org.jspecify.annotations.Nullable;

import dev.parley.config.ChatProperties;
import dev.parley.core.ChatException;
import dev.parley.core.ErrorCode;
import dev.parley.core.RoomName;
import dev.parley.core.UtcMillis;
import dev.parley.message.MessageHistory;
import dev.parley.message.RoomStats;
import dev.parley.presence.Presence;

import org.springframework.http.HttpHeaders;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.util.UriComponentsBuilder;

/** {@code GET /api/rooms} and {@code GET /api/rooms/{room}/users}. */
@RestController
class RoomRestController {

    private final MessageHistory history;

    private final Presence presence;

    private final ChatProperties.Rooms limits;

    RoomRestController(MessageHistory history, Presence presence, ChatProperties properties) {
        this.history = history;
        this.presence = presence;
        this.limits = properties.rooms();
    }

    /**
     * A page of the rooms with messages or online users, sorted by name: those after
     * {@code after} whose names start with {@code prefix}. A {@code Link} header with
     * {@code rel="next"} points at the next page when there is one.
     * <p>
     * The rooms with messages come from the store, a page at a time; the rooms with online users
     * from presence, which holds them all in memory. One more than a page of each, merged,
     * gives the page, and whether there is more.
     */
    @GetMapping("/api/rooms")
    @Operation(summary = "Lists rooms with messages or online users, sorted by name, a page at a time")
    @ApiResponse(responseCode = "200", description = "A page of rooms",
            headers = @Header(name = "Link", description = "<the next page>; rel=\"next\", when there is more",
                    schema = @Schema(type = "string")),
            content = @Content(array = @ArraySchema(schema = @Schema(implementation = RoomSummary.class))))
    ResponseEntity<List<RoomSummary>> rooms(@RequestParam(name = "limit", required = false) @Nullable Integer limit,
            @RequestParam(name = "after", required = false) @Nullable String after,
            @RequestParam(name = "prefix", required = false) @Nullable String prefix, HttpServletRequest request) {
        int pageSize = (limit != null) ? limit : this.limits.defaultLimit();
        if (pageSize < 1 || pageSize > this.limits.maxLimit()) {
            throw badRequest("limit is 1-" + this.limits.maxLimit());
        }
        if (after != null && !RoomName.isValid(after)) {
            throw badRequest("after is the room name the previous page ended with");
        }
        // every start of a room name is a valid room name itself
        if (prefix != null && !prefix.isEmpty() && !RoomName.isValid(prefix)) {
            throw badRequest("prefix is the start of a room name: a-z 0-9 _ -, starting with a letter or digit");
        }
        String from = (after != null) ? after : "";
        String start = (prefix != null) ? prefix : "";

        Map<RoomName, Integer> online = this.presence.onlineCounts();
        TreeMap<RoomName, RoomSummary> rooms = new TreeMap<>();
        for (RoomStats stats : this.history.rooms(from, start, pageSize + 1)) {
            rooms.put(stats.room(), new RoomSummary(stats.room(), online.getOrDefault(stats.room(), 0),
                    stats.messages(), stats.lastMessageAt()));
        }
        online.forEach((room, count) -> {
            if (room.value().compareTo(from) > 0 && room.value().startsWith(start)) {
                rooms.putIfAbsent(room, new RoomSummary(room, count, 0, null));
            }
        });
        List<RoomSummary> page = new ArrayList<>(pageSize);
        for (RoomSummary summary : rooms.values()) {
            if (page.size() == pageSize) {
                String next = UriComponentsBuilder.fromPath(request.getRequestURI())
                    .query(request.getQueryString())
                    .replaceQueryParam("after", page.get(pageSize - 1).name().value())
                    .build()
                    .toUriString();
                return ResponseEntity.ok().header(HttpHeaders.LINK, "<" + next + ">; rel=\"next\"").body(page);
            }
            page.add(summary);
        }
        return ResponseEntity.ok(page);
    }

    @GetMapping("/api/rooms/{room}/users")
    RoomController.RoomUsers users(@PathVariable("room") String roomName) {
        RoomName room = new RoomName(roomName);
        return new RoomController.RoomUsers(room, this.presence.users(room));
    }

    private static ChatException badRequest(String message) {
        return new ChatException(ErrorCode.BAD_REQUEST, message);
    }

    record RoomSummary(RoomName name, int online, long messages, @UtcMillis @Nullable Instant lastMessageAt) {
    }
}
