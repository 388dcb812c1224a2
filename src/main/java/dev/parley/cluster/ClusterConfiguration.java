package dev.parley.cluster;

import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

import org.slf4j.LoggerFactory;

import dev.parley.config.ChatProperties;
import dev.parley.core.Nickname;
import dev.parley.core.RoomName;
import dev.parley.message.MessageHistory;
import dev.parley.ratelimit.BucketShapes;
import dev.parley.ratelimit.LocalRateLimits;

import org.springframework.beans.factory.DisposableBean;
import org.springframework.boot.data.redis.autoconfigure.DataRedisProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Lazy;
import org.springframework.context.annotation.Profile;
import org.springframework.data.redis.connection.RedisConnectionCommands;
import org.springframework.data.redis.connection.RedisConnectionFactory;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.data.redis.core.RedisCallback;
import org.springframework.data.redis.core.RedisTemplate;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.data.redis.listener.ChannelTopic;
import org.springframework.data.redis.listener.RedisMessageListenerContainer;
import org.springframework.data.redis.serializer.RedisSerializer;
import org.springframework.messaging.simp.SimpMessagingTemplate;
import org.springframework.messaging.simp.user.SimpUserRegistry;

/**
 * The {@code cluster} profile's room bus: Redis between the instances, each delivering to its own
 * connections ({@link RedisRoomBus}, {@link RoomSequencer}). Spring Boot's own properties
 * configure Redis ({@code spring.data.redis.*}) and the database ({@code spring.datasource.*}).
 */
@Configuration(proxyBeanMethods = false)
@Profile("cluster")
class ClusterConfiguration implements DisposableBean {

    /**
     * Not beans: a ScheduledExecutorService bean would become the scheduler of every
     * {@code @Scheduled} method and keep Spring Boot from making its own.
     */
    private final ScheduledExecutorService reorderTimer = timer("parley-reorder");

    private final ScheduledExecutorService presenceTimer = timer("parley-presence");

    private final PresenceView presenceView = new PresenceView();

    /** Publishes room events to Redis, in order; 10,000 waiting at most (RedisRoomBus). */
    private final ThreadPoolExecutor redisPublisher = new ThreadPoolExecutor(1, 1, 0, TimeUnit.SECONDS,
            new ArrayBlockingQueue<>(10_000), task -> {
                Thread thread = new Thread(task, "parley-redis-publish");
                thread.setDaemon(true);
                return thread;
            });

    private static ScheduledExecutorService timer(String name) {
        return Executors.newSingleThreadScheduledExecutor(task -> {
            Thread thread = new Thread(task, name);
            thread.setDaemon(true);
            return thread;
        });
    }

    @Override
    public void destroy() {
        this.reorderTimer.shutdownNow();
        this.presenceTimer.shutdownNow();
        this.redisPublisher.shutdownNow();
    }

    /** The one Redis channel of every instance's room events. */
    static String roomsChannel(ChatProperties properties) {
        return properties.cluster().keyPrefix() + ":rooms";
    }

    @Bean
    RoomSequencer roomSequencer(@Lazy SimpMessagingTemplate broker, MessageHistory history,
            ChatProperties properties) {
        RoomSequencer.Store store = (room, id, limit) -> history.after(room, id, limit)
            .stream()
            .map(message -> new RoomSequencer.Stored(message.id(), RedisRoomBus.json(broker, message)))
            .toList();
        RoomSequencer sequencer = new RoomSequencer((room, json) -> RedisRoomBus.deliver(broker, room, json), store,
                this.reorderTimer, properties.cluster().reorderBound());
        long every = properties.cluster().catchUpInterval().toMillis();
        this.reorderTimer.scheduleWithFixedDelay(
                () -> guarded("catch up with the store", () -> sequencer.catchUp(history::lastStoredIds)), every, every,
                TimeUnit.MILLISECONDS);
        return sequencer;
    }

    @Bean
    RedisAvailability redisAvailability(StringRedisTemplate redis, DataRedisProperties properties) {
        RedisAvailability availability = new RedisAvailability(
                () -> redis.execute((RedisCallback<String>) RedisConnectionCommands::ping),
                (properties.getUrl() != null) ? properties.getUrl() : properties.getHost() + ":" + properties.getPort());
        this.presenceTimer.scheduleWithFixedDelay(availability::probe, 1, 1, TimeUnit.SECONDS);
        return availability;
    }

    @Bean
    RedisTemplate<String, byte[]> roomEventsRedis(RedisConnectionFactory connections) {
        RedisTemplate<String, byte[]> template = new RedisTemplate<>();
        template.setConnectionFactory(connections);
        template.setKeySerializer(RedisSerializer.string());
        template.setValueSerializer(RedisSerializer.byteArray());
        template.afterPropertiesSet();
        return template;
    }

    @Bean
    RedisRoomBus redisRoomBus(RedisTemplate<String, byte[]> roomEventsRedis, @Lazy SimpMessagingTemplate broker,
            RoomSequencer roomSequencer, ChatProperties properties, RedisAvailability availability) {
        return new RedisRoomBus(roomEventsRedis, roomsChannel(properties), broker, roomSequencer, this.redisPublisher,
                availability, this.presenceView);
    }

    @Bean
    RedisMessageListenerContainer roomEventsListener(RedisConnectionFactory connections, RedisRoomBus bus,
            ChatProperties properties) {
        RedisMessageListenerContainer container = new RedisMessageListenerContainer();
        container.setConnectionFactory(connections);
        // after Redis returns, subscribe again within a second (the default waits 5 s)
        container.setRecoveryInterval(1000);
        container.addMessageListener(bus, List.of(new ChannelTopic(roomsChannel(properties))));
        return container;
    }

    @Bean
    RedisPresenceRegistry redisPresenceRegistry(StringRedisTemplate redis, RedisRoomBus bus, Clock clock,
            ChatProperties properties, RedisAvailability availability) {
        Duration ttl = properties.cluster().presenceTtl();
        RedisPresenceRegistry registry = new RedisPresenceRegistry(redis, properties.cluster().keyPrefix(), ttl, bus,
                clock, availability);
        // what changed while Redis was away, made and announced at once
        availability.onReturn(registry::renew);
        long every = Math.max(1, ttl.toMillis() / 3);
        this.presenceTimer.scheduleWithFixedDelay(() -> {
            guarded("renew presence", registry::renew);
            guarded("remove expired presence", registry::reap);
        }, every, every, TimeUnit.MILLISECONDS);
        return registry;
    }

    /** After the registry's: on Redis's return, the renewal's announcements come first. */
    @Bean
    PresenceReconciler presenceReconciler(RoomSequencer sequencer, RedisPresenceRegistry registry, RedisRoomBus bus,
            RedisAvailability availability, Clock clock, ChatProperties properties) {
        PresenceReconciler reconciler = new PresenceReconciler(this.presenceView, sequencer, registry, bus,
                availability, clock);
        availability.onReturn(reconciler);
        long every = Math.max(1, properties.cluster().presenceTtl().toMillis() / 3);
        this.presenceTimer.scheduleWithFixedDelay(() -> guarded("compare presence with Redis", reconciler), every,
                every, TimeUnit.MILLISECONDS);
        return reconciler;
    }

    /** A periodic task that fails once (Redis away) must run again next time. */
    private static void guarded(String what, Runnable task) {
        try {
            task.run();
        }
        catch (RuntimeException ex) {
            LoggerFactory.getLogger(ClusterConfiguration.class).warn("Could not {}: {}", what, ex.toString());
        }
    }

    @Bean
    RateLimitBuckets rateLimitBuckets(RedisConnectionFactory connections, Clock clock) {
        if (!(connections instanceof LettuceConnectionFactory lettuce)) {
            throw new IllegalStateException("the cluster's rate limits need Lettuce (spring.data.redis.client-type)");
        }
        return new RateLimitBuckets(lettuce, BucketShapes.time(clock));
    }

    @Bean
    RedisRateLimits redisRateLimits(RateLimitBuckets buckets, ChatProperties properties,
            RedisAvailability availability, Clock clock) {
        LocalRateLimits fallback = new LocalRateLimits(properties, clock);
        // not a bean, so its own @Scheduled clean-up does not run
        this.presenceTimer.scheduleWithFixedDelay(() -> guarded("forget idle rate limits", fallback::forgetIdle), 1, 1,
                TimeUnit.MINUTES);
        return new RedisRateLimits(buckets, properties, fallback, availability);
    }

    @Bean
    RoomFollower roomFollower(RoomSequencer roomSequencer, MessageHistory history, RedisPresenceRegistry registry,
            RedisAvailability availability, SimpUserRegistry subscriptions) {
        Function<RoomName, Set<Nickname>> onlineNow = room -> {
            if (!availability.isUp()) {
                return null;
            }
            try {
                return registry.online(List.of(room)).get(room);
            }
            catch (RuntimeException ex) {
                availability.failed(ex);
                return null;
            }
        };
        RoomFollower follower = new RoomFollower(roomSequencer, this.presenceView, history::lastStoredId, onlineNow,
                subscriptions, this.reorderTimer);
        this.reorderTimer.scheduleWithFixedDelay(() -> guarded("let unsubscribed rooms go", follower::forgetUnsubscribed),
                30, 30, TimeUnit.SECONDS);
        return follower;
    }
}
