package dev.parley.presence;

import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import dev.parley.core.Nickname;
import dev.parley.core.RoomName;

import org.springframework.context.annotation.Profile;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

/**
 * Presence of one instance, in memory. Changes are serialised by one lock (they are rare next
 * to messages); {@link #isJoined}, asked for every message, reads without it.
 */
@Component
@Profile("!cluster")
class LocalPresenceRegistry implements PresenceRegistry {

    private final ConnectionRooms connections;

    /** Per room, per online nickname, the connections through which it joined. */
    private final Map<RoomName, Map<Nickname, Set<String>>> sessionsByRoom = new HashMap<>();

    LocalPresenceRegistry(Clock clock) {
        this.connections = new ConnectionRooms(clock);
    }

    @Override
    public synchronized Optional<PresenceChange> join(String sessionId, Nickname nickname, RoomName room) {
        if (!this.connections.join(sessionId, nickname, room)) {
            return Optional.empty();
        }
        Map<Nickname, Set<String>> online = this.sessionsByRoom.computeIfAbsent(room, r -> new HashMap<>());
        Set<String> sessions = online.computeIfAbsent(nickname, n -> new HashSet<>());
        sessions.add(sessionId);
        return (sessions.size() == 1)
                ? Optional.of(new PresenceChange(room, nickname, true, online.size()))
                : Optional.empty();
    }

    @Override
    public synchronized Optional<PresenceChange> leave(String sessionId, RoomName room) {
        return this.connections.leave(sessionId, room).flatMap(nickname -> removeFromRoom(sessionId, nickname, room));
    }

    @Override
    public synchronized List<PresenceChange> disconnect(String sessionId) {
        List<PresenceChange> changes = new ArrayList<>();
        this.connections.disconnect(sessionId).ifPresent(ended -> {
            for (RoomName room : ended.rooms()) {
                removeFromRoom(sessionId, ended.nickname(), room).ifPresent(changes::add);
            }
        });
        return changes;
    }

    @Scheduled(fixedDelay = 60_000)
    synchronized void forgetEndedSessions() {
        this.connections.forgetEnded();
    }

    private Optional<PresenceChange> removeFromRoom(String sessionId, Nickname nickname, RoomName room) {
        Map<Nickname, Set<String>> online = this.sessionsByRoom.get(room);
        Set<String> sessions = (online != null) ? online.get(nickname) : null;
        if (sessions == null || !sessions.remove(sessionId) || !sessions.isEmpty()) {
            return Optional.empty();
        }
        online.remove(nickname);
        if (online.isEmpty()) {
            this.sessionsByRoom.remove(room);
        }
        return Optional.of(new PresenceChange(room, nickname, false, online.size()));
    }

    @Override
    public boolean isJoined(String sessionId, RoomName room) {
        return this.connections.isJoined(sessionId, room);
    }

    @Override
    public int roomsJoined(String sessionId) {
        return this.connections.roomsJoined(sessionId);
    }

    @Override
    public synchronized List<Nickname> users(RoomName room) {
        return this.sessionsByRoom.getOrDefault(room, Map.of()).keySet().stream().sorted(BY_NAME).toList();
    }

    @Override
    public synchronized Map<RoomName, Integer> onlineCounts() {
        Map<RoomName, Integer> counts = new HashMap<>();
        this.sessionsByRoom.forEach((room, online) -> counts.put(room, online.size()));
        return counts;
    }
}
