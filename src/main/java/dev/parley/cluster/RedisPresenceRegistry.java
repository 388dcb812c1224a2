package dev.parley.cluster;

import java.time.Clock;
import java.time.Duration;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.function.Supplier;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.parley.bus.RoomBus;
import dev.parley.core.Nickname;
import dev.parley.core.RoomEvent;
import dev.parley.core.RoomName;
import dev.parley.presence.ConnectionRooms;
import dev.parley.presence.PresenceRegistry;

import org.springframework.data.redis.core.RedisCallback;
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
 * While Redis is away ({@link RedisAvailability}), changes are kept in the instance and nothing
 * waits for Redis: joins and leaves are made in Redis, and announced, when it returns; the
 * online list and counts are those of this instance's own connections meanwhile.
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

    /**
     * Removes a connection; returns {went offline (0/1), nicknames online}. With ARGV[4] = 1, a
     * connection Redis no longer had (it restarted while the leave waited) still reports its
     * nickname offline when no other connection has it.
     */
    private static final RedisScript<List> LEAVE = RedisScript.of("""
            if redis.call('ZREM', KEYS[1], ARGV[1]) == 0 then
                local gone = ARGV[4] == '1' and redis.call('HEXISTS', KEYS[2], ARGV[2]) == 0
                return {gone and 1 or 0, redis.call('HLEN', KEYS[2])}
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

    /**
     * Vouches for many connections at once (ARGV: prefix, expiry, then room, member, nickname for
     * each); returns room, nickname, count for each nickname that came online again. Its keys are
     * made in the script, which a single Redis allows (the cluster needs one, see README).
     */
    private static final RedisScript<List> RENEW = RedisScript.of("""
            local came = {}
            for i = 3, #ARGV, 3 do
                local room, member, nick = ARGV[i], ARGV[i + 1], ARGV[i + 2]
                local conns = ARGV[1] .. ':presence:' .. room .. ':conns'
                local nicks = ARGV[1] .. ':presence:' .. room .. ':nicks'
                if redis.call('ZADD', conns, ARGV[2], member) == 1 then
                    redis.call('SADD', ARGV[1] .. ':presence:rooms', room)
                    if redis.call('HINCRBY', nicks, nick, 1) == 1 then
                        table.insert(came, room)
                        table.insert(came, nick)
                        table.insert(came, tostring(redis.call('HLEN', nicks)))
                    end
                end
            end
            return came
            """, List.class);

    /** Memberships per renewal script: one round trip each, short enough not to hold Redis. */
    private static final int RENEWAL_BATCH = 500;

    private final String instance = UUID.randomUUID().toString();

    private final StringRedisTemplate redis;

    private final String prefix;

    private final Duration ttl;

    private final RoomBus bus;

    private final Clock clock;

    private final RedisAvailability availability;

    /** Which connection of this instance joined which room: never shared. */
    private final ConnectionRooms connections;

    /**
     * Connections that left a room while Redis was away, removed from Redis when it returns (and
     * their LEAVEs announced then), before their entries would expire.
     */
    private final Set<ConnectionRooms.Membership> leftWhileAway = new LinkedHashSet<>();

    RedisPresenceRegistry(StringRedisTemplate redis, String prefix, Duration ttl, RoomBus bus, Clock clock,
            RedisAvailability availability) {
        this.redis = redis;
        this.prefix = prefix;
        this.ttl = ttl;
        this.bus = bus;
        this.clock = clock;
        this.availability = availability;
        this.connections = new ConnectionRooms(clock);
    }

    /**
     * While Redis is away the join is only recorded here, and reported (as a JOIN) by the
     * renewal once Redis is back: a client's frame never waits for Redis's timeout.
     */
    @Override
    public synchronized Optional<PresenceChange> join(String sessionId, Nickname nickname, RoomName room) {
        if (!this.connections.join(sessionId, nickname, room)) {
            return Optional.empty();
        }
        // back before Redis heard of the leave: the entry there is still this connection's
        this.leftWhileAway.remove(new ConnectionRooms.Membership(sessionId, nickname, room));
        Optional<PresenceChange> change = this.availability.isUp() ? shared(() -> add(sessionId, nickname, room)) : null;
        return (change != null) ? change : Optional.empty();
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
    public int roomsJoined(String sessionId) {
        return this.connections.roomsJoined(sessionId);
    }

    /** From Redis; while Redis is away, the nicknames joined through this instance. */
    @Override
    public List<Nickname> users(RoomName room) {
        if (this.availability.isUp()) {
            try {
                return this.redis.<String, String>opsForHash()
                    .keys(nicks(room))
                    .stream()
                    .map(Nickname::new)
                    .sorted(BY_NAME)
                    .toList();
            }
            catch (RuntimeException ex) {
                this.availability.failed(ex);
            }
        }
        return this.connections.memberships()
            .stream()
            .filter(membership -> membership.room().equals(room))
            .map(ConnectionRooms.Membership::nickname)
            .distinct()
            .sorted(BY_NAME)
            .toList();
    }

    /** From Redis, in one round trip; while Redis is away, those joined through this instance. */
    @Override
    public Map<RoomName, Integer> onlineCounts() {
        if (this.availability.isUp()) {
            try {
                return sharedCounts();
            }
            catch (RuntimeException ex) {
                this.availability.failed(ex);
            }
        }
        Map<RoomName, Set<Nickname>> local = new HashMap<>();
        for (ConnectionRooms.Membership membership : this.connections.memberships()) {
            local.computeIfAbsent(membership.room(), room -> new HashSet<>()).add(membership.nickname());
        }
        Map<RoomName, Integer> counts = new HashMap<>();
        local.forEach((room, nicknames) -> counts.put(room, nicknames.size()));
        return counts;
    }

    /** The nicknames online in each of the rooms, from Redis in one round trip. */
    Map<RoomName, Set<Nickname>> online(Collection<RoomName> rooms) {
        List<RoomName> names = List.copyOf(rooms);
        List<Object> keys = this.redis.executePipelined((RedisCallback<Object>) connection -> {
            for (RoomName room : names) {
                connection.hashCommands().hKeys(nicks(room).getBytes(StandardCharsets.UTF_8));
            }
            return null;
        });
        Map<RoomName, Set<Nickname>> online = new HashMap<>();
        for (int i = 0; i < names.size(); i++) {
            Set<Nickname> nicknames = new HashSet<>();
            if (keys.get(i) instanceof Collection<?> values) {
                values.forEach(value -> nicknames.add(new Nickname(value.toString())));
            }
            online.put(names.get(i), nicknames);
        }
        return online;
    }

    private Map<RoomName, Integer> sharedCounts() {
        Set<String> rooms = this.redis.opsForSet().members(roomsKey());
        Map<RoomName, Integer> counts = new HashMap<>();
        if (rooms == null || rooms.isEmpty()) {
            return counts;
        }
        List<String> names = List.copyOf(rooms);
        List<Object> sizes = this.redis.executePipelined((RedisCallback<Object>) connection -> {
            for (String room : names) {
                connection.hashCommands().hLen(nicks(new RoomName(room)).getBytes(StandardCharsets.UTF_8));
            }
            return null;
        });
        for (int i = 0; i < names.size(); i++) {
            if (sizes.get(i) instanceof Number count && count.intValue() > 0) {
                counts.put(new RoomName(names.get(i)), count.intValue());
            }
        }
        return counts;
    }

    /**
     * Vouches again for every connection of this instance, {@value #RENEWAL_BATCH} per round trip
     * (one that Redis no longer had, because Redis restarted or this instance was too slow to
     * renew, comes online again), then removes from Redis what left while it was away.
     */
    void renew() {
        if (!this.availability.isUp()) {
            return;
        }
        List<ConnectionRooms.Membership> memberships = this.connections.memberships();
        for (int from = 0; from < memberships.size() && this.availability.isUp(); from += RENEWAL_BATCH) {
            List<ConnectionRooms.Membership> batch = memberships.subList(from,
                    Math.min(memberships.size(), from + RENEWAL_BATCH));
            List<?> came;
            synchronized (this) {
                // one that left since the list was taken must not be vouched for again
                List<String> arguments = new ArrayList<>(List.of(this.prefix, Long.toString(expiry())));
                for (ConnectionRooms.Membership membership : batch) {
                    if (isJoined(membership.sessionId(), membership.room())) {
                        arguments.addAll(List.of(membership.room().value(),
                                member(membership.sessionId(), membership.nickname()), membership.nickname().value()));
                    }
                }
                came = shared(() -> this.redis.execute(RENEW, List.of(), arguments.toArray()));
            }
            for (int i = 0; came != null && i + 2 < came.size(); i += 3) {
                publish(new PresenceChange(new RoomName(came.get(i).toString()), new Nickname(came.get(i + 1).toString()),
                        true, Integer.parseInt(came.get(i + 2).toString())));
            }
        }
        // after the renewal, so that a nickname still here through another connection stays online
        forgetLeftWhileAway();
        this.connections.forgetEnded();
    }

    private void forgetLeftWhileAway() {
        List<PresenceChange> changes = new ArrayList<>();
        synchronized (this) {
            for (Iterator<ConnectionRooms.Membership> left = this.leftWhileAway.iterator(); left.hasNext();) {
                ConnectionRooms.Membership membership = left.next();
                Optional<PresenceChange> change = shared(
                        () -> removeShared(membership.sessionId(), membership.nickname(), membership.room(), true));
                if (change == null) {
                    break; // away again: the rest waits for the next return
                }
                left.remove();
                change.ifPresent(changes::add);
            }
        }
        changes.forEach(this::publish);
    }

    /** Removes the connections no instance vouches for any more, and announces who went offline. */
    void reap() {
        if (!this.availability.isUp()) {
            return;
        }
        Set<String> rooms = shared(() -> this.redis.opsForSet().members(roomsKey()));
        if (rooms == null) {
            return;
        }
        String now = Long.toString(this.clock.millis());
        for (String name : rooms) {
            if (!this.availability.isUp()) {
                return;
            }
            RoomName room = new RoomName(name);
            List<?> result = shared(
                    () -> this.redis.execute(REAP, List.of(conns(room), nicks(room), roomsKey()), now, name));
            if (result == null || result.isEmpty()) {
                continue;
            }
            int count = Integer.parseInt(result.get(result.size() - 1).toString());
            for (Object nickname : result.subList(0, result.size() - 1)) {
                publish(new PresenceChange(room, new Nickname(nickname.toString()), false, count));
            }
        }
    }

    /**
     * A call to Redis; {@code null} (or empty) when it fails, which turns Redis down for the
     * other callers until the probe finds it back.
     */
    private <T> T shared(Supplier<T> call) {
        try {
            return call.get();
        }
        catch (RuntimeException ex) {
            this.availability.failed(ex);
            return null;
        }
    }

    /** Removes the membership from Redis, or keeps it for when Redis is back. */
    private Optional<PresenceChange> remove(String sessionId, Nickname nickname, RoomName room) {
        if (this.availability.isUp()) {
            Optional<PresenceChange> change = shared(() -> removeShared(sessionId, nickname, room, false));
            if (change != null) {
                return change;
            }
        }
        this.leftWhileAway.add(new ConnectionRooms.Membership(sessionId, nickname, room));
        return Optional.empty();
    }

    private Optional<PresenceChange> add(String sessionId, Nickname nickname, RoomName room) {
        List<?> result = this.redis.execute(JOIN, List.of(conns(room), nicks(room), roomsKey()), member(sessionId, nickname),
                nickname.value(), Long.toString(expiry()), room.value());
        return change(result, room, nickname, true);
    }

    private Optional<PresenceChange> removeShared(String sessionId, Nickname nickname, RoomName room,
            boolean leftWhileAway) {
        List<?> result = this.redis.execute(LEAVE, List.of(conns(room), nicks(room), roomsKey()),
                member(sessionId, nickname), nickname.value(), room.value(), leftWhileAway ? "1" : "0");
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
