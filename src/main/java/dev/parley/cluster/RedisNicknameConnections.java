package dev.parley.cluster;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.function.Supplier;

import dev.parley.core.Nickname;
import dev.parley.identity.LocalNicknameConnections;
import dev.parley.identity.NicknameConnections;

import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.data.redis.core.script.RedisScript;

/**
 * A nickname's connections counted across every instance of the cluster, in Redis: a sorted set
 * per nickname of its connections ({@code instance|session}), each scored with the time until
 * which its instance vouches for it. An instance renews its connections with its presence, every
 * third of {@code chat.cluster.presence-ttl}, so those of an instance that died stop counting
 * within that time; a CONNECT first removes those whose time has passed, then counts.
 * <p>
 * Every connection is counted in the instance as well ({@link LocalNicknameConnections}), which
 * refuses first: a nickname's connections here are among its connections everywhere. While
 * Redis is away ({@link RedisAvailability}) that count alone decides, per instance; a renewal
 * after Redis's return adds what was admitted meanwhile. A connection that ended while Redis was
 * away stays counted there until its time passes.
 * <p>
 * Key, under the prefix: {@code connections:{nickname}}, the nickname case-folded.
 */
final class RedisNicknameConnections implements NicknameConnections {

    /**
     * Counts ARGV[1] unless ARGV[4] connections are counted already; ARGV[2] is now, ARGV[3] its
     * expiry, ARGV[5] the key's own. Returns 1 if counted (or counted already), 0 if not.
     */
    private static final RedisScript<Long> OPEN = RedisScript.of("""
            redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[2])
            if not redis.call('ZSCORE', KEYS[1], ARGV[1]) and redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[4]) then
                return 0
            end
            redis.call('ZADD', KEYS[1], ARGV[3], ARGV[1])
            redis.call('PEXPIRE', KEYS[1], ARGV[5])
            return 1
            """, Long.class);

    /**
     * Vouches for many connections at once (ARGV: expiry, the keys' lifetime, then key and member
     * for each), adding those Redis no longer has.
     */
    private static final RedisScript<Long> RENEW = RedisScript.of("""
            for i = 3, #ARGV, 2 do
                redis.call('ZADD', ARGV[i], ARGV[1], ARGV[i + 1])
                redis.call('PEXPIRE', ARGV[i], ARGV[2])
            end
            return 0
            """, Long.class);

    /** Connections per renewal script: one round trip each, short enough not to hold Redis. */
    private static final int RENEWAL_BATCH = 500;

    private final String instance = UUID.randomUUID().toString();

    private final StringRedisTemplate redis;

    private final String prefix;

    private final int limit;

    private final Duration ttl;

    private final Clock clock;

    private final RedisAvailability availability;

    private final LocalNicknameConnections local;

    RedisNicknameConnections(StringRedisTemplate redis, String prefix, int limit, Duration ttl, Clock clock,
            RedisAvailability availability, LocalNicknameConnections local) {
        this.redis = redis;
        this.prefix = prefix;
        this.limit = limit;
        this.ttl = ttl;
        this.clock = clock;
        this.availability = availability;
        this.local = local;
    }

    /** Under this object's lock, so that a renewal never vouches for a connection closed meanwhile. */
    @Override
    public synchronized boolean open(String sessionId, Nickname nickname) {
        if (!this.local.open(sessionId, nickname)) {
            return false;
        }
        if (!this.availability.isUp()) {
            return true;
        }
        long now = this.clock.millis();
        Long counted = shared(() -> this.redis.execute(OPEN, List.of(key(nickname)), member(sessionId),
                Long.toString(now), Long.toString(now + this.ttl.toMillis()), Integer.toString(this.limit),
                Long.toString(this.ttl.toMillis())));
        if (counted != null && counted == 0) {
            this.local.end(sessionId);
            return false;
        }
        // null: Redis failed just now, and this instance's count has admitted it
        return true;
    }

    @Override
    public synchronized void close(String sessionId) {
        this.local.end(sessionId).ifPresent(nickname -> {
            if (this.availability.isUp()) {
                shared(() -> this.redis.opsForZSet().remove(key(nickname), member(sessionId)));
            }
        });
    }

    /**
     * Vouches again for every connection of this instance, {@value #RENEWAL_BATCH} per round trip
     * (one that Redis no longer had, because Redis restarted or this instance was too slow to
     * renew, counts again).
     */
    void renew() {
        this.local.forgetEnded();
        if (!this.availability.isUp()) {
            return;
        }
        List<LocalNicknameConnections.Connection> connections = this.local.connections();
        for (int from = 0; from < connections.size() && this.availability.isUp(); from += RENEWAL_BATCH) {
            List<LocalNicknameConnections.Connection> batch = connections.subList(from,
                    Math.min(connections.size(), from + RENEWAL_BATCH));
            synchronized (this) {
                List<String> arguments = new ArrayList<>(List.of(Long.toString(this.clock.millis() + this.ttl.toMillis()),
                        Long.toString(this.ttl.toMillis())));
                for (LocalNicknameConnections.Connection connection : batch) {
                    // one closed since the list was taken must not be vouched for again
                    if (this.local.isOpen(connection.sessionId())) {
                        arguments.add(key(connection.nickname()));
                        arguments.add(member(connection.sessionId()));
                    }
                }
                if (arguments.size() > 2) {
                    shared(() -> this.redis.execute(RENEW, List.of(), arguments.toArray()));
                }
            }
        }
    }

    /** A call to Redis; {@code null} when it fails, which turns Redis down until the probe finds it back. */
    private <T> T shared(Supplier<T> call) {
        try {
            return call.get();
        }
        catch (RuntimeException ex) {
            this.availability.failed(ex);
            return null;
        }
    }

    private String member(String sessionId) {
        return this.instance + "|" + sessionId;
    }

    private String key(Nickname nickname) {
        return this.prefix + ":connections:" + nickname.key();
    }
}
