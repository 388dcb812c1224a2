package dev.parley.cluster;

import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionHandler;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

import org.slf4j.LoggerFactory;

import dev.parley.bus.DirectQueues;
import dev.parley.config.ChatProperties;
import dev.parley.core.Conversation;
import dev.parley.core.Nickname;
import dev.parley.core.RoomName;
import dev.parley.direct.DirectHistory;
import dev.parley.identity.LocalNicknameConnections;
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
 * The {@code cluster} profile's buses: Redis between the instances, each delivering to its own
 * connections, for rooms ({@link RedisRoomBus}) and private conversations ({@link RedisDirectBus}),
 * each sequence's messages back in id order ({@link Sequencer}). Spring Boot's own properties
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

    /**
     * Hands the events of the other instances to this one's subscribers, one at a time in the
     * order Redis delivered them (RedisRoomBus). Spring Data Redis's listener container otherwise
     * starts a thread per message, which costs a thread's start per event and lets two events
     * of one room (a JOIN and the LEAVE after it) overtake each other. What it cannot take is
     * dropped: messages are read from the store at the next catch-up, presence is put right by
     * the next comparison with Redis (PresenceReconciler), typing is not missed.
     */
    private final ThreadPoolExecutor redisEvents = new ThreadPoolExecutor(1, 1, 0, TimeUnit.SECONDS,
            new ArrayBlockingQueue<>(10_000), task -> {
                Thread thread = new Thread(task, "parley-redis-events");
                thread.setDaemon(true);
                return thread;
            }, new DroppedEvents());

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
        this.redisEvents.shutdownNow();
    }

    /** Says once a minute at most that events from Redis were dropped, and how many. */
    private static final class DroppedEvents implements RejectedExecutionHandler {

        private final AtomicLong dropped = new AtomicLong();

        private volatile long lastWarned;

        @Override
        public void rejectedExecution(Runnable task, ThreadPoolExecutor executor) {
            long count = this.dropped.incrementAndGet();
            long now = System.nanoTime();
            if (!executor.isShutdown() && now - this.lastWarned > TimeUnit.MINUTES.toNanos(1)) {
                this.lastWarned = now;
                LoggerFactory.getLogger(ClusterConfiguration.class)
                    .warn("Dropped events from Redis ({} so far): this instance delivers more slowly than the others "
                            + "publish; it reads the messages from the store at its next catch-up", count);
            }
        }
    }

    /** The one Redis channel of every instance's room events. */
    static String roomsChannel(ChatProperties properties) {
        return properties.cluster().keyPrefix() + ":rooms";
    }

    @Bean
    Sequencer<RoomName> roomSequencer(@Lazy SimpMessagingTemplate broker, MessageHistory history,
            ChatProperties properties) {
        Sequencer.Store<RoomName> store = (room, id, limit) -> history.after(room, id, limit)
            .stream()
            .map(message -> new Sequencer.Stored(message.id(), RedisRoomBus.json(broker, message)))
            .toList();
        Sequencer<RoomName> sequencer = new Sequencer<>((room, json) -> RedisRoomBus.deliver(broker, room, json), store,
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
    RedisPublisher redisPublisher(RedisTemplate<String, byte[]> roomEventsRedis, ChatProperties properties,
            RedisAvailability availability) {
        return new RedisPublisher(roomEventsRedis, roomsChannel(properties), availability);
    }

    @Bean
    RedisRoomBus redisRoomBus(RedisPublisher publisher, @Lazy SimpMessagingTemplate broker,
            Sequencer<RoomName> roomSequencer, ChatProperties properties, RedisAvailability availability) {
        return new RedisRoomBus(roomsChannel(properties), broker, roomSequencer, publisher, availability,
                this.presenceView);
    }

    /** The one Redis channel of every instance's private conversations' events. */
    static String directChannel(ChatProperties properties) {
        return properties.cluster().keyPrefix() + ":direct";
    }

    /** Conversations followed, caught up with the store and let go as rooms are (RoomFollower). */
    @Bean
    DirectFollower directFollower(DirectHistory history, DirectQueues queues, SimpUserRegistry subscriptions,
            ChatProperties properties) {
        Sequencer.Store<Conversation> store = (conversation, id, limit) -> history.after(conversation, id, limit)
            .stream()
            .map(message -> new Sequencer.Stored(message.id(), queues.json(message)))
            .toList();
        Sequencer<Conversation> sequencer = new Sequencer<>((conversation, json) -> {
            queues.deliver(conversation.low(), json);
            queues.deliver(conversation.high(), json);
        }, store, this.reorderTimer, properties.cluster().reorderBound());
        DirectFollower follower = new DirectFollower(sequencer, history, subscriptions, this.reorderTimer);
        long every = properties.cluster().catchUpInterval().toMillis();
        this.reorderTimer.scheduleWithFixedDelay(() -> guarded("catch up conversations with the store",
                follower::catchUp), every, every, TimeUnit.MILLISECONDS);
        this.reorderTimer.scheduleWithFixedDelay(() -> guarded("let unsubscribed conversations go",
                follower::forgetUnsubscribed), 30, 30, TimeUnit.SECONDS);
        return follower;
    }

    @Bean
    RedisDirectBus redisDirectBus(RedisTemplate<String, byte[]> roomEventsRedis, DirectQueues queues,
            DirectFollower follower, ChatProperties properties, RedisAvailability availability) {
        return new RedisDirectBus(queues, follower,
                new RedisPublisher(roomEventsRedis, directChannel(properties), availability), availability);
    }

    @Bean
    RedisMessageListenerContainer roomEventsListener(RedisConnectionFactory connections, RedisRoomBus bus,
            RedisDirectBus directBus, ChatProperties properties) {
        RedisMessageListenerContainer container = new RedisMessageListenerContainer();
        container.setConnectionFactory(connections);
        // after Redis returns, subscribe again within a second (the default waits 5 s)
        container.setRecoveryInterval(1000);
        container.setTaskExecutor(this.redisEvents);
        container.addMessageListener(bus, List.of(new ChannelTopic(roomsChannel(properties))));
        container.addMessageListener(directBus, List.of(new ChannelTopic(directChannel(properties))));
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

    /** Renewed with presence, so that a nickname's connections on a dead instance stop counting as its presence goes. */
    @Bean
    RedisNicknameConnections redisNicknameConnections(StringRedisTemplate redis, Clock clock, ChatProperties properties,
            RedisAvailability availability) {
        Duration ttl = properties.cluster().presenceTtl();
        RedisNicknameConnections connections = new RedisNicknameConnections(redis, properties.cluster().keyPrefix(),
                properties.limits().connectionsPerNickname(), ttl, clock, availability,
                new LocalNicknameConnections(properties, clock));
        availability.onReturn(connections::renew);
        long every = Math.max(1, ttl.toMillis() / 3);
        this.presenceTimer.scheduleWithFixedDelay(() -> guarded("renew connections per nickname", connections::renew),
                every, every, TimeUnit.MILLISECONDS);
        return connections;
    }

    /** After the registry's: on Redis's return, the renewal's announcements come first. */
    @Bean
    PresenceReconciler presenceReconciler(Sequencer<RoomName> sequencer, RedisPresenceRegistry registry, RedisRoomBus bus,
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
    RoomFollower roomFollower(Sequencer<RoomName> roomSequencer, MessageHistory history, RedisPresenceRegistry registry,
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
