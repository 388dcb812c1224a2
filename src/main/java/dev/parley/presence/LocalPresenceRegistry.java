package dev.parley.presence;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

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

    private static final Duration ENDED_RETENTION = Duration.ofMinutes(5);

    /** The rooms each connection has joined. */
    private final Map<String, Set<RoomName>> roomsBySession = new ConcurrentHashMap<>();

    private final Map<String, Nickname> nicknameBySession = new HashMap<>();

    /** Per room, per online nickname, the connections through which it joined. */
    private final Map<RoomName, Map<Nickname, Set<String>>> sessionsByRoom = new HashMap<>();

    /**
     * Connections that have ended, so that a join still in flight when its connection closed
     * cannot bring a ghost online afterwards. Forgotten after {@link #ENDED_RETENTION}.
     */
    private final Map<String, Instant> ended = new HashMap<>();

    private final Clock clock;

    LocalPresenceRegistry(Clock clock) {
        this.clock = clock;
    }

    @Override
    public synchronized Optional<PresenceChange> join(String sessionId, Nickname nickname, RoomName room) {
        if (this.ended.containsKey(sessionId)) {
            return Optional.empty();
        }
        Set<RoomName> rooms = this.roomsBySession.computeIfAbsent(sessionId, id -> ConcurrentHashMap.newKeySet());
        if (!rooms.add(room)) {
            return Optional.empty();
        }
        this.nicknameBySession.put(sessionId, nickname);
        Map<Nickname, Set<String>> online = this.sessionsByRoom.computeIfAbsent(room, r -> new HashMap<>());
        Set<String> sessions = online.computeIfAbsent(nickname, n -> new HashSet<>());
        sessions.add(sessionId);
        return (sessions.size() == 1)
                ? Optional.of(new PresenceChange(room, nickname, true, online.size()))
                : Optional.empty();
    }

    @Override
    public synchronized Optional<PresenceChange> leave(String sessionId, RoomName room) {
        Set<RoomName> rooms = this.roomsBySession.get(sessionId);
        if (rooms == null || !rooms.remove(room)) {
            return Optional.empty();
        }
        return removeFromRoom(sessionId, room);
    }

    @Override
    public synchronized List<PresenceChange> disconnect(String sessionId) {
        Set<RoomName> rooms = this.roomsBySession.remove(sessionId);
        List<PresenceChange> changes = new ArrayList<>();
        if (rooms != null) {
            for (RoomName room : rooms.stream().sorted().toList()) {
                removeFromRoom(sessionId, room).ifPresent(changes::add);
            }
        }
        this.nicknameBySession.remove(sessionId);
        this.ended.put(sessionId, this.clock.instant());
        return changes;
    }

    @Scheduled(fixedDelay = 60_000)
    synchronized void forgetEndedSessions() {
        Instant cutoff = this.clock.instant().minus(ENDED_RETENTION);
        this.ended.values().removeIf(at -> at.isBefore(cutoff));
    }

    private Optional<PresenceChange> removeFromRoom(String sessionId, RoomName room) {
        Nickname nickname = this.nicknameBySession.get(sessionId);
        Map<Nickname, Set<String>> online = this.sessionsByRoom.get(room);
        Set<String> sessions = (online != null && nickname != null) ? online.get(nickname) : null;
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
        Set<RoomName> rooms = this.roomsBySession.get(sessionId);
        return rooms != null && rooms.contains(room);
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
