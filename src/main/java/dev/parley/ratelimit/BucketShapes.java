package dev.parley.ratelimit;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

import io.github.bucket4j.BucketConfiguration;
import io.github.bucket4j.TimeMeter;

import dev.parley.config.ChatProperties;

/**
 * The token buckets of each limit, the same whether they live in this instance's memory
 * ({@link LocalRateLimits}) or in Redis for the cluster, and the clock they refill by.
 */
public final class BucketShapes {

    private BucketShapes() {
    }

    /** {@code burst} messages at once, then {@code perSecond}. */
    public static BucketConfiguration sends(ChatProperties.RateLimit limits) {
        return perSecond(limits.burst(), limits.perSecond());
    }

    /** {@code typingPerSecond}, and no more at once. */
    public static BucketConfiguration typing(ChatProperties.RateLimit limits) {
        return perSecond(limits.typingPerSecond(), limits.typingPerSecond());
    }

    /**
     * Nickname claims: {@code claimBurst} at once, refilled at the hourly rate; and, as a second
     * bucket that must allow it too, {@code claimsPerHour} refilled all at once every hour, so that
     * no hour (counted from the first claim) grants more than that, the burst included. A greedy
     * refill there would grant the burst on top of a full hour's rate.
     */
    public static BucketConfiguration claims(ChatProperties.Limits limits) {
        Duration hour = Duration.ofHours(1);
        return BucketConfiguration.builder()
            .addLimit(limit -> limit.capacity(limits.claimBurst()).refillGreedy(limits.claimsPerHour(), hour))
            .addLimit(limit -> limit.capacity(limits.claimsPerHour()).refillIntervally(limits.claimsPerHour(), hour))
            .build();
    }

    /** Bucket4j's time read from {@code clock}, so that tests can move it. */
    public static TimeMeter time(Clock clock) {
        return new TimeMeter() {

            @Override
            public long currentTimeNanos() {
                Instant now = clock.instant();
                return now.getEpochSecond() * 1_000_000_000L + now.getNano();
            }

            @Override
            public boolean isWallClockBased() {
                return true;
            }
        };
    }

    private static BucketConfiguration perSecond(int capacity, int perSecond) {
        return BucketConfiguration.builder()
            .addLimit(limit -> limit.capacity(capacity).refillGreedy(perSecond, Duration.ofSeconds(1)))
            .build();
    }
}
