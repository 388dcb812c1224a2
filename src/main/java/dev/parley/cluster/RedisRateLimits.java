package dev.parley.cluster;

import java.time.Duration;
import java.util.function.Supplier;

import io.github.bucket4j.BucketConfiguration;
import io.github.bucket4j.ConsumptionProbe;
import io.github.bucket4j.TimeoutException;
import io.github.bucket4j.distributed.proxy.ProxyManager;

import dev.parley.config.ChatProperties;
import dev.parley.core.Nickname;
import dev.parley.ratelimit.BucketShapes;
import dev.parley.ratelimit.LocalRateLimits;
import dev.parley.ratelimit.RateLimits;

/**
 * The rate limits of the cluster: each nickname's token buckets, and each client address's
 * bucket of nickname claims, live in Redis (Bucket4j's compare-and-swap buckets over Lettuce), so
 * a nickname connected to several instances has one rate, not one per instance, and a client
 * claiming through several instances one allowance. A bucket's key expires once it would be full again.
 * <p>
 * While Redis cannot be reached, this instance limits with buckets of its own
 * ({@link LocalRateLimits}) rather than refuse every send: each instance then grants up to the
 * full rate (and allowance of claims), for as long as the outage lasts. Whether Redis is away is {@link RedisAvailability}'s
 * to say, so that a send does not wait for Redis's timeout once it is known to be away.
 */
final class RedisRateLimits implements RateLimits {

    private final Supplier<ProxyManager<String>> buckets;

    private final String prefix;

    private final Supplier<BucketConfiguration> sends;

    private final Supplier<BucketConfiguration> typing;

    private final Supplier<BucketConfiguration> claims;

    private final LocalRateLimits fallback;

    private final RedisAvailability availability;

    RedisRateLimits(Supplier<ProxyManager<String>> buckets, ChatProperties properties, LocalRateLimits fallback,
            RedisAvailability availability) {
        this.availability = availability;
        this.buckets = buckets;
        this.prefix = properties.cluster().keyPrefix();
        this.sends = constant(BucketShapes.sends(properties.rateLimit()));
        this.typing = constant(BucketShapes.typing(properties.rateLimit()));
        this.claims = constant(BucketShapes.claims(properties.limits()));
        this.fallback = fallback;
    }

    private static Supplier<BucketConfiguration> constant(BucketConfiguration configuration) {
        return () -> configuration;
    }

    @Override
    public boolean trySend(Nickname nickname) {
        return tryConsume("send", nickname, this.sends);
    }

    @Override
    public boolean tryType(Nickname nickname) {
        return tryConsume("typing", nickname, this.typing);
    }

    @Override
    public Duration tryClaim(String clientAddress) {
        if (this.availability.isUp()) {
            try {
                ConsumptionProbe probe = this.buckets.get().builder()
                    .build(this.prefix + ":ratelimit:claim:" + clientAddress, this.claims)
                    .tryConsumeAndReturnRemaining(1);
                return probe.isConsumed() ? Duration.ZERO : Duration.ofNanos(probe.getNanosToWaitForRefill());
            }
            catch (TimeoutException ex) {
                // as for a send: this claim falls back
            }
            catch (RuntimeException ex) {
                this.availability.failed(ex);
            }
        }
        return this.fallback.tryClaim(clientAddress);
    }

    private boolean tryConsume(String limit, Nickname nickname, Supplier<BucketConfiguration> configuration) {
        if (this.availability.isUp()) {
            try {
                return this.buckets.get().builder()
                    .build(this.prefix + ":ratelimit:" + limit + ":" + nickname.key(), configuration)
                    .tryConsume(1);
            }
            catch (TimeoutException ex) {
                // Redis slow beyond the request timeout (a loaded machine): this send falls back,
                // but only a failure says Redis is away; one that is, fails the room bus's
                // publications within its command timeout
            }
            catch (RuntimeException ex) {
                this.availability.failed(ex);
            }
        }
        return limit.equals("send") ? this.fallback.trySend(nickname) : this.fallback.tryType(nickname);
    }
}
