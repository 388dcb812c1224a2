package dev.parley.presence;

import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import dev.parley.bus.RoomBus;
import dev.parley.config.ChatProperties;
import dev.parley.core.ChatException;
import dev.parley.core.ChatUser;
import dev.parley.core.ErrorCode;
import dev.parley.core.RoomEvent;
import dev.parley.core.RoomName;
import dev.parley.presence.PresenceRegistry.PresenceChange;

import org.springframework.stereotype.Component;

/**
 * Presence changes and their JOIN / LEAVE events. Changes are published in the order the
 * registry made them, so every subscriber sees a room's {@code online} counts in order.
 */
@Component
public class Presence {

    private final PresenceRegistry registry;

    private final RoomBus bus;

    private final Clock clock;

    private final int roomsPerConnection;

    Presence(PresenceRegistry registry, RoomBus bus, Clock clock, ChatProperties properties) {
        this.registry = registry;
        this.bus = bus;
        this.clock = clock;
        this.roomsPerConnection = properties.limits().roomsPerConnection();
    }

    /**
     * Joins the connection to the room; joining a room it is in already changes nothing.
     *
     * @throws ChatException {@code LIMIT_EXCEEDED} if the connection is in
     * {@code chat.limits.rooms-per-connection} rooms already
     */
    public synchronized void join(String sessionId, ChatUser user, RoomName room) {
        // under this lock, which every join takes, the count cannot change before the join
        if (!this.registry.isJoined(sessionId, room) && this.registry.roomsJoined(sessionId) >= this.roomsPerConnection) {
            throw new ChatException(ErrorCode.LIMIT_EXCEEDED, "a connection may be in at most "
                    + this.roomsPerConnection + " rooms: leave one before joining '" + room + "'");
        }
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
        change.ifPresent(c -> this.bus.publish(c.room(), c.online()
                ? new RoomEvent.Join(c.room(), c.nickname(), this.clock.instant(), c.count())
                : new RoomEvent.Leave(c.room(), c.nickname(), this.clock.instant(), c.count())));
    }
}
