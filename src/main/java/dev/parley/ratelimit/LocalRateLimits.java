package dev.parley.ratelimit;

import dev.parley.config.ChatProperties;
import dev.parley.core.Nickname;

import org.springframework.context.annotation.Profile;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

/**
 * The {@link RateLimits} of one instance: a token bucket per nickname in memory for each limit
 * of {@code chat.rate-limit.*}. Buckets that have filled up again are forgotten every minute, so
 * memory follows the nicknames that are active.
 */
@Component
@Profile("!cluster")
public class LocalRateLimits implements RateLimits {

    private final NicknameRateLimiter sends;

    private final NicknameRateLimiter typing;

    public LocalRateLimits(ChatProperties properties) {
        ChatProperties.RateLimit limits = properties.rateLimit();
        this.sends = new NicknameRateLimiter(limits.burst(), limits.perSecond());
        this.typing = new NicknameRateLimiter(limits.typingPerSecond(), limits.typingPerSecond());
    }

    @Override
    public boolean trySend(Nickname nickname) {
        return this.sends.tryAcquire(nickname);
    }

    @Override
    public boolean tryType(Nickname nickname) {
        return this.typing.tryAcquire(nickname);
    }

    /** Drops the buckets of nicknames that are full again; runs every minute when a bean. */
    @Scheduled(fixedDelay = 60_000)
    public void forgetIdle() {
        this.sends.forgetIdle();
        this.typing.forgetIdle();
    }
}
