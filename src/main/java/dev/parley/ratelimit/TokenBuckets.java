package dev.parley.ratelimit;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import io.github.bucket4j.Bandwidth;
import io.github.bucket4j.Bucket;
import io.github.bucket4j.BucketConfiguration;
import io.github.bucket4j.ConsumptionProbe;
import io.github.bucket4j.TimeMeter;
import io.github.bucket4j.local.LocalBucketBuilder;

/**
 * A Bucket4j token bucket per key (a nickname, a client address), all of one configuration.
 * Buckets that have filled up again are dropped by {@link #forgetIdle()} (a full bucket is the
 * same as a new one), so memory follows the keys that are active.
 */
final class TokenBuckets<K> {

    private final BucketConfiguration configuration;

    private final TimeMeter time;

    private final Map<K, Bucket> buckets = new ConcurrentHashMap<>();

    TokenBuckets(BucketConfiguration configuration, TimeMeter time) {
        this.configuration = configuration;
        this.time = time;
    }

    /** Takes one token for {@code key}; {@code false} if it has none left. */
    boolean tryAcquire(K key) {
        return bucket(key).tryConsume(1);
    }

    /** Takes one token for {@code key}: zero when it had one, else how long until it will. */
    Duration acquireOrWait(K key) {
        ConsumptionProbe probe = bucket(key).tryConsumeAndReturnRemaining(1);
        return probe.isConsumed() ? Duration.ZERO : Duration.ofNanos(probe.getNanosToWaitForRefill());
    }

    /** Drops every bucket that is full again, in each of its limits. Call now and then. */
    void forgetIdle() {
        this.buckets.values()
            .removeIf(bucket -> bucket.asVerbose().getAvailableTokens().getDiagnostics().calculateFullRefillingTime() == 0);
    }

    /** How many keys have a bucket now. */
    int size() {
        return this.buckets.size();
    }

    private Bucket bucket(K key) {
        return this.buckets.computeIfAbsent(key, k -> {
            LocalBucketBuilder builder = Bucket.builder().withCustomTimePrecision(this.time);
            for (Bandwidth limit : this.configuration.getBandwidths()) {
                builder.addLimit(limit);
            }
            return builder.build();
        });
    }
}
