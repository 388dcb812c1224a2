package dev.parley.presence;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

import dev.parley.core.Nickname;
import dev.parley.core.RoomName;

/**
 * Which rooms each connection of this instance has joined, and under which nickname: the part of
 * presence that never leaves the instance, whatever a {@link PresenceRegistry} shares. A
 * connection that has ended is remembered for a while, so that a join still in flight when it
 * closed cannot bring a ghost online afterwards; {@link #forgetEnded()} lets those go.
 * <p>
 * Changes are made under the caller's lock (the registry's); {@link #isJoined}, asked for every
 * message, reads without one.
 */
public final class ConnectionRooms {

    private static final Duration ENDED_RETENTION = Duration.ofMinutes(5);

    private final Map<String, Set<RoomName>> roomsBySession = new ConcurrentHashMap<>();

    private final Map<String, Nickname> nicknameBySession = new ConcurrentHashMap<>();

    private final Map<String, Instant> ended = new ConcurrentHashMap<>();

    private final Clock clock;

    public ConnectionRooms(Clock clock) {
        this.clock = clock;
    }

    /** A connection's part in a room: who joined, through which connection. */
    public record Membership(String sessionId, Nickname nickname, RoomName room) {
    }

    /** A connection that ended, with the rooms it had joined, in name order. */
    public record Ended(String sessionId, Nickname nickname, List<RoomName> rooms) {
    }

    /** Records the join; {@code false} if the connection had joined the room already or has ended. */
    public boolean join(String sessionId, Nickname nickname, RoomName room) {
        if (this.ended.containsKey(sessionId)) {
            return false;
        }
        if (!this.roomsBySession.computeIfAbsent(sessionId, id -> ConcurrentHashMap.newKeySet()).add(room)) {
            return false;
        }
        this.nicknameBySession.put(sessionId, nickname);
        return true;
    }

    /** The connection's nickname if it had joined the room, which it now has left; empty otherwise. */
    public Optional<Nickname> leave(String sessionId, RoomName room) {
        Set<RoomName> rooms = this.roomsBySession.get(sessionId);
        if (rooms == null || !rooms.remove(room)) {
            return Optional.empty();
        }
        return Optional.ofNullable(this.nicknameBySession.get(sessionId));
    }

    /** Ends the connection; empty if it had joined nothing, or ended before. */
    public Optional<Ended> disconnect(String sessionId) {
        Set<RoomName> rooms = this.roomsBySession.remove(sessionId);
        Nickname nickname = this.nicknameBySession.remove(sessionId);
        this.ended.put(sessionId, this.clock.instant());
        if (rooms == null || nickname == null) {
            return Optional.empty();
        }
        return Optional.of(new Ended(sessionId, nickname, rooms.stream().sorted().toList()));
    }

    /** How many rooms the connection is in now. */
    public int roomsJoined(String sessionId) {
        Set<RoomName> rooms = this.roomsBySession.get(sessionId);
        return (rooms != null) ? rooms.size() : 0;
    }

    public boolean isJoined(String sessionId, RoomName room) {
        Set<RoomName> rooms = this.roomsBySession.get(sessionId);
        return rooms != null && rooms.contains(room);
    }

    /** Every room joined by every connection now. */
    public List<Membership> memberships() {
        return this.roomsBySession.entrySet()
            .stream()
            .flatMap(connection -> {
                Nickname nickname = this.nicknameBySession.get(connection.getKey());
                return (nickname == null) ? Stream.<Membership>empty()
                        : connection.getValue().stream().map(room -> new Membership(connection.getKey(), nickname, room));
            })
            .toList();
    }

    /** Forgets the connections that ended more than five minutes ago. */
    public void forgetEnded() {
        Instant cutoff = this.clock.instant().minus(ENDED_RETENTION);
        this.ended.values().removeIf(at -> at.isBefore(cutoff));
    }
}
