package dev.parley.cluster;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.parley.bus.RoomBus;
import dev.parley.core.Nickname;
import dev.parley.core.RoomEvent;
import dev.parley.core.RoomName;
import dev.parley.presence.ConnectionRooms;
import dev.parley.presence.PresenceRegistry;

import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.data.redis.core.script.RedisScript;

/**
 * Presence shared by every instance of the cluster, in Redis: each room's connections, with the
 * time until which their instance vouches for them, and a count of connections per nickname, so
 * that a nickname comes online in a room at its first connection on any instance and goes
 * offline at its last. Each change is made by one Lua script, so exactly one instance sees a
 * nickname come or go, and only that one publishes the JOIN or LEAVE.
 * <p>
 * An instance renews its connections every third of {@code chat.cluster.presence-ttl} (a renewal
 * re-adds what Redis lost, announcing those who come back online), and every instance removes
 * the connections whose time has passed: those of an instance that died. Which connection has
 * joined which room is this instance's own business and stays in its memory
 * ({@link #isJoined}).
 * <p>
 * Keys, under the prefix: {@code presence:{room}:conns} (sorted set of
 * {@code instance|session|nickname} by expiry in epoch milliseconds),
 * {@code presence:{room}:nicks} (hash of nickname to its number of connections) and
 * {@code presence:rooms} (the rooms with anyone online).
 */
final class RedisPresenceRegistry implements PresenceRegistry {

    private static final Logger logger = LoggerFactory.getLogger(RedisPresenceRegistry.class);

    /** Adds a connection; returns {came online (0/1), nicknames online}. */
    private static final RedisScript<List> JOIN = RedisScript.of("""
            if redis.call('ZADD', KEYS[1], ARGV[3], ARGV[1]) == 0 then
                return {0, redis.call('HLEN', KEYS[2])}
            end
            local n = redis.call('HINCRBY', KEYS[2], ARGV[2], 1)
            redis.call('SADD', KEYS[3], ARGV[4])
            return {n == 1 and 1 or 0, redis.call('HLEN', KEYS[2])}
            """, List.class);

    /** Removes a connection; returns {went offline (0/1), nicknames online}. */
    private static final RedisScript<List> LEAVE = RedisScript.of("""
            if redis.call('ZREM', KEYS[1], ARGV[1]) == 0 then
                return {0, redis.call('HLEN', KEYS[2])}
            end
            local n = redis.call('HINCRBY', KEYS[2], ARGV[2], -1)
            if n <= 0 then redis.call('HDEL', KEYS[2], ARGV[2]) end
            local count = redis.call('HLEN', KEYS[2])
            if count == 0 then redis.call('SREM', KEYS[3], ARGV[3]) end
            return {n <= 0 and 1 or 0, count}
            """, List.class);

    /** Removes the connections expired by ARGV[1]; returns the nicknames gone offline, then the count. */
    private static final RedisScript<List> REAP = RedisScript.of("""
            local expired = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1])
            local offline = {}
            for _, member in ipairs(expired) do
                redis.call('ZREM', KEYS[1], member)
                local nick = string.match(member, '^[^|]*|[^|]*|(.*)$')
                local n = redis.call('HINCRBY', KEYS[2], nick, -1)
                if n <= 0 then
                    redis.call('HDEL', KEYS[2], nick)
                    table.insert(offline, nick)
                end
            end
            local count = redis.call('HLEN', KEYS[2])
            if count == 0 then redis.call('SREM', KEYS[3], ARGV[2]) end
            table.insert(offline, tostring(count))
            return offline
            """, List.class);

    private final String instance = UUID.randomUUID().toString();

    private final StringRedisTemplate redis;

    private final String prefix;

    private final Duration ttl;

    private final RoomBus bus;

    private final Clock clock;

    /** Which connection of this instance joined which room: never shared. */
    private final ConnectionRooms connections;

    RedisPresenceRegistry(StringRedisTemplate redis, String prefix, Duration ttl, RoomBus bus, Clock clock) {
        this.redis = redis;
        this.prefix = prefix;
        this.ttl = ttl;
        this.bus = bus;
        this.clock = clock;
        this.connections = new ConnectionRooms(clock);
    }

    @Override
    public synchronized Optional<PresenceChange> join(String sessionId, Nickname nickname, RoomName room) {
        return this.connections.join(sessionId, nickname, room) ? add(sessionId, nickname, room) : Optional.empty();
    }

    @Override
    public synchronized Optional<PresenceChange> leave(String sessionId, RoomName room) {
        return this.connections.leave(sessionId, room).flatMap(nickname -> remove(sessionId, nickname, room));
    }

    @Override
    public synchronized List<PresenceChange> disconnect(String sessionId) {
        List<PresenceChange> changes = new ArrayList<>();
        this.connections.disconnect(sessionId).ifPresent(ended -> {
            for (RoomName room : ended.rooms()) {
                remove(sessionId, ended.nickname(), room).ifPresent(changes::add);
            }
        });
        return changes;
    }

    @Override
    public boolean isJoined(String sessionId, RoomName room) {
        return this.connections.isJoined(sessionId, room);
    }

    @Override
    public List<Nickname> users(RoomName room) {
        return this.redis.<String, String>opsForHash()
            .keys(nicks(room))
            .stream()
            .map(Nickname::new)
            .sorted(BY_NAME)
            .toList();
    }

    @Override
    public Map<RoomName, Integer> onlineCounts() {
        Map<RoomName, Integer> counts = new HashMap<>();
        Set<String> rooms = this.redis.opsForSet().members(roomsKey());
        if (rooms != null) {
            for (String room : rooms) {
                long count = this.redis.opsForHash().size(nicks(new RoomName(room)));
                if (count > 0) {
                    counts.put(new RoomName(room), (int) count);
                }
            }
        }
        return counts;
    }

    /**
     * Vouches again for every connection of this instance; one that Redis no longer had (Redis
     * restarted, or this instance was too slow to renew) comes online again.
     */
    void renew() {
        for (ConnectionRooms.Membership membership : this.connections.memberships()) {
            synchronized (this) {
                if (isJoined(membership.sessionId(), membership.room())) {
                    add(membership.sessionId(), membership.nickname(), membership.room()).ifPresent(this::publish);
                }
            }
        }
        this.connections.forgetEnded();
    }

    /** Removes the connections no instance vouches for any more, and announces who went offline. */
    void reap() {
        Set<String> rooms = this.redis.opsForSet().members(roomsKey());
        if (rooms == null) {
            return;
        }
        String now = Long.toString(this.clock.millis());
        for (String name : rooms) {
            RoomName room = new RoomName(name);
            List<?> result = this.redis.execute(REAP, List.of(conns(room), nicks(room), roomsKey()), now, name);
            if (result == null || result.isEmpty()) {
                continue;
            }
            int count = Integer.parseInt(result.get(result.size() - 1).toString());
            for (Object nickname : result.subList(0, result.size() - 1)) {
                publish(new PresenceChange(room, new Nickname(nickname.toString()), false, count));
            }
        }
    }

    private Optional<PresenceChange> add(String sessionId, Nickname nickname, RoomName room) {
        List<?> result = this.redis.execute(JOIN, List.of(conns(room), nicks(room), roomsKey()), member(sessionId, nickname),
                nickname.value(), Long.toString(expiry()), room.value());
        return change(result, room, nickname, true);
    }

    private Optional<PresenceChange> remove(String sessionId, Nickname nickname, RoomName room) {
        List<?> result = this.redis.execute(LEAVE, List.of(conns(room), nicks(room), roomsKey()),
                member(sessionId, nickname), nickname.value(), room.value());
        return change(result, room, nickname, false);
    }

    private static Optional<PresenceChange> change(List<?> result, RoomName room, Nickname nickname, boolean online) {
        if (result == null || result.size() < 2 || ((Number) result.get(0)).intValue() == 0) {
            return Optional.empty();
        }
        return Optional.of(new PresenceChange(room, nickname, online, ((Number) result.get(1)).intValue()));
    }

    private void publish(PresenceChange change) {
        try {
            Instant at = this.clock.instant();
            this.bus.publish(change.room(), change.online()
                    ? new RoomEvent.Join(change.room(), change.nickname(), at, change.count())
                    : new RoomEvent.Leave(change.room(), change.nickname(), at, change.count()));
        }
        catch (RuntimeException ex) {
            logger.warn("Could not announce that {} went {} in room '{}'", change.nickname(),
                    change.online() ? "online" : "offline", change.room(), ex);
        }
    }

    private long expiry() {
        return this.clock.millis() + this.ttl.toMillis();
    }

    private String member(String sessionId, Nickname nickname) {
        return this.instance + "|" + sessionId + "|" + nickname.value();
    }

    private String conns(RoomName room) {
        return this.prefix + ":presence:" + room.value() + ":conns";
    }

    private String nicks(RoomName room) {
        return this.prefix + ":presence:" + room.value() + ":nicks";
    }

    private String roomsKey() {
        return this.prefix + ":presence:rooms";
    }
}
