package dev.parley.cluster;

import java.time.Duration;
import java.util.function.Supplier;

import io.github.bucket4j.TimeMeter;
import io.github.bucket4j.distributed.ExpirationAfterWriteStrategy;
import io.github.bucket4j.distributed.proxy.ProxyManager;
import io.github.bucket4j.redis.lettuce.Bucket4jLettuce;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.codec.RedisCodec;
import io.lettuce.core.codec.StringCodec;
import org.jspecify.annotations.Nullable;

import org.springframework.beans.factory.DisposableBean;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

/**
 * Bucket4j's buckets in Redis over a Lettuce connection of their own (Bucket4j needs Lettuce's
 * API with a byte-array codec, which Spring Data Redis's connections do not offer). The
 * connection is made from the connection factory's current client, and made again when it has
 * been closed: a factory that is stopped and started (as Spring's test context cache pauses
 * contexts) shuts its client down and makes a new one.
 */
final class RateLimitBuckets implements Supplier<ProxyManager<String>>, DisposableBean {

    private final LettuceConnectionFactory connections;

    private @Nullable StatefulRedisConnection<String, byte[]> connection;

    private @Nullable ProxyManager<String> buckets;

    private final TimeMeter time;

    RateLimitBuckets(LettuceConnectionFactory connections, TimeMeter time) {
        this.connections = connections;
        this.time = time;
    }

    @Override
    public synchronized ProxyManager<String> get() {
        if (this.buckets == null || this.connection == null || !this.connection.isOpen()) {
            destroy();
            if (!(this.connections.getRequiredNativeClient() instanceof RedisClient client)) {
                throw new IllegalStateException("the cluster's rate limits need Lettuce on a single Redis");
            }
            this.connection = client.connect(RedisCodec.of(StringCodec.UTF8, ByteArrayCodec.INSTANCE));
            this.buckets = Bucket4jLettuce.casBasedBuilder(this.connection)
                // the service's clock, as the fallback's buckets
                .clientClock(this.time)
                // a bucket's key goes when the bucket would be full again: memory follows active nicknames
                .expirationAfterWrite(
                        ExpirationAfterWriteStrategy.basedOnTimeForRefillingBucketUpToMax(Duration.ofSeconds(5)))
                // a send waits this long for Redis at most before this instance limits on its own
                .requestTimeout(Duration.ofMillis(500))
                .build();
        }
        return this.buckets;
    }

    @Override
    public synchronized void destroy() {
        if (this.connection != null) {
            this.connection.closeAsync();
            this.connection = null;
        }
        this.buckets = null;
    }
}
