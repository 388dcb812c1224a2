package dev.parley.ratelimit;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import io.github.bucket4j.Bucket;

import dev.parley.core.Nickname;

/**
 * A token bucket per nickname, shared by all its connections: {@code burst} at once, then
 * {@code perSecond}. Buckets that have filled up again are dropped by {@link #forgetIdle()}
 * (a full bucket is the same as a new one), so memory follows the active nicknames only.
 */
final class NicknameRateLimiter {

    private final int burst;

    private final int perSecond;

    private final Map<Nickname, Bucket> buckets = new ConcurrentHashMap<>();

    NicknameRateLimiter(int burst, int perSecond) {
        this.burst = burst;
        this.perSecond = perSecond;
    }

    /** Takes one token for {@code nickname}; {@code false} if it has none left. */
    boolean tryAcquire(Nickname nickname) {
        return this.buckets.computeIfAbsent(nickname, n -> newBucket()).tryConsume(1);
    }

    /** Drops every bucket that is full again. Call now and then. */
    void forgetIdle() {
        this.buckets.values().removeIf(bucket -> bucket.getAvailableTokens() >= this.burst);
    }

    private Bucket newBucket() {
        return Bucket.builder()
                .addLimit(limit -> limit.capacity(this.burst).refillGreedy(this.perSecond, Duration.ofSeconds(1)))
                .build();
    }
}
