package dev.parley.presence;

import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import dev.parley.identity.ChatUser;
import dev.parley.presence.PresenceRegistry.PresenceChange;
import dev.parley.room.RoomBroadcaster;
import dev.parley.room.RoomEvent;
import dev.parley.room.RoomName;

import org.springframework.stereotype.Component;

/**
 * Presence changes and their JOIN / LEAVE events. Changes are published in the order the
 * registry made them, so every subscriber sees a room's {@code online} counts in order.
 */
@Component
public class Presence {

    private final PresenceRegistry registry;

    private final RoomBroadcaster broadcaster;

    private final Clock clock;

    Presence(PresenceRegistry registry, RoomBroadcaster broadcaster, Clock clock) {
        this.registry = registry;
        this.broadcaster = broadcaster;
        this.clock = clock;
    }

    public synchronized void join(String sessionId, ChatUser user, RoomName room) {
        publish(this.registry.join(sessionId, user.nickname(), room));
    }

    public synchronized void leave(String sessionId, RoomName room) {
        publish(this.registry.leave(sessionId, room));
    }

    /** Ends the connection's presence in every room; safe to call more than once. */
    public synchronized void disconnect(String sessionId) {
        this.registry.disconnect(sessionId).forEach(change -> publish(Optional.of(change)));
    }

    public boolean isJoined(String sessionId, RoomName room) {
        return this.registry.isJoined(sessionId, room);
    }

    public List<String> users(RoomName room) {
        return this.registry.users(room).stream().map(Object::toString).toList();
    }

    /** Nicknames online per room, for every room that has any. */
    public Map<RoomName, Integer> onlineCounts() {
        return this.registry.onlineCounts();
    }

    private void publish(Optional<PresenceChange> change) {
        change.ifPresent(c -> this.broadcaster.publish(c.room(), c.online()
                ? new RoomEvent.Join(c.room(), c.nickname(), this.clock.instant(), c.count())
                : new RoomEvent.Leave(c.room(), c.nickname(), this.clock.instant(), c.count())));
    }
}
