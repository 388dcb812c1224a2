package dev.parley.presence;

import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import dev.parley.core.Nickname;
import dev.parley.core.RoomName;

/**
 * Who is online in which room, kept per connection (STOMP session): a nickname is online in a
 * room while at least one of its connections has joined it and not left or disconnected.
 * <p>
 * Every operation is idempotent: joining twice, leaving a room not joined, or reporting a
 * disconnect twice changes nothing the second time and reports no change.
 */
public interface PresenceRegistry {

    /** The order of {@link #users}: case-insensitive, then exact. */
    Comparator<Nickname> BY_NAME = Comparator.comparing(Nickname::value, String.CASE_INSENSITIVE_ORDER)
        .thenComparing(Nickname::value);

    /** Joins the connection to the room; reports the change if the nickname came online. */
    Optional<PresenceChange> join(String sessionId, Nickname nickname, RoomName room);

    /** Leaves the room; reports the change if the nickname went offline in it. */
    Optional<PresenceChange> leave(String sessionId, RoomName room);

    /** Ends the connection's presence everywhere; reports the rooms the nickname went offline in. */
    List<PresenceChange> disconnect(String sessionId);

    /** Whether this connection itself has joined the room (and not left it). */
    boolean isJoined(String sessionId, RoomName room);

    /** How many rooms this connection has joined (and not left). */
    int roomsJoined(String sessionId);

    /** The nicknames online in the room, sorted case-insensitively. */
    List<Nickname> users(RoomName room);

    /** The number of nicknames online in every room that has any. */
    Map<RoomName, Integer> onlineCounts();

    /**
     * A nickname came online in ({@code online == true}) or went offline from a room, which
     * then has {@code count} nicknames online.
     */
    record PresenceChange(RoomName room, Nickname nickname, boolean online, int count) {
    }
}
