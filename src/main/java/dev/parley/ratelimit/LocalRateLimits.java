package dev.parley.ratelimit;

import java.time.Clock;
import java.time.Duration;

import io.github.bucket4j.TimeMeter;

import dev.parley.config.ChatProperties;
import dev.parley.core.Nickname;

import org.springframework.context.annotation.Profile;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

/**
 * The {@link RateLimits} of one instance: a token bucket in memory per nickname for each limit
 * of {@code chat.rate-limit.*}, and per client address for nickname claims
 * ({@code chat.limits.claim-*}). Buckets that have filled up again are forgotten every minute, so
 * memory follows the nicknames and addresses that are active.
 */
@Component
@Profile("!cluster")
public class LocalRateLimits implements RateLimits {

    private final TokenBuckets<Nickname> sends;

    private final TokenBuckets<Nickname> typing;

    private final TokenBuckets<String> claims;

    public LocalRateLimits(ChatProperties properties, Clock clock) {
        TimeMeter time = BucketShapes.time(clock);
        this.sends = new TokenBuckets<>(BucketShapes.sends(properties.rateLimit()), time);
        this.typing = new TokenBuckets<>(BucketShapes.typing(properties.rateLimit()), time);
        this.claims = new TokenBuckets<>(BucketShapes.claims(properties.limits()), time);
    }

    @Override
    public boolean trySend(Nickname nickname) {
        return this.sends.tryAcquire(nickname);
    }

    @Override
    public boolean tryType(Nickname nickname) {
        return this.typing.tryAcquire(nickname);
    }

    @Override
    public Duration tryClaim(String clientAddress) {
        return this.claims.acquireOrWait(clientAddress);
    }

    /** Drops the buckets that are full again; runs every minute when a bean. */
    @Scheduled(fixedDelay = 60_000)
    public void forgetIdle() {
        this.sends.forgetIdle();
        this.typing.forgetIdle();
        this.claims.forgetIdle();
    }

    /** How many client addresses have claimed recently enough to be remembered. */
    int claimingAddresses() {
        return this.claims.size();
    }
}
