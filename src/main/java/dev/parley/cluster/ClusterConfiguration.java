package dev.parley.cluster;

import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;

import dev.parley.config.ChatProperties;
import dev.parley.core.Destinations;
import dev.parley.core.RoomName;
import dev.parley.message.MessageHistory;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Lazy;
import org.springframework.context.annotation.Profile;
import org.springframework.context.event.EventListener;
import org.springframework.data.redis.connection.RedisConnectionFactory;
import org.springframework.data.redis.core.RedisTemplate;
import org.springframework.data.redis.listener.ChannelTopic;
import org.springframework.data.redis.listener.RedisMessageListenerContainer;
import org.springframework.data.redis.serializer.RedisSerializer;
import org.springframework.messaging.simp.SimpMessageHeaderAccessor;
import org.springframework.messaging.simp.SimpMessagingTemplate;
import org.springframework.web.socket.messaging.SessionSubscribeEvent;

/**
 * The {@code cluster} profile's room bus: Redis between the instances, each delivering to its own
 * connections ({@link RedisRoomBus}, {@link RoomSequencer}). Spring Boot's own properties
 * configure Redis ({@code spring.data.redis.*}) and the database ({@code spring.datasource.*}).
 */
@Configuration(proxyBeanMethods = false)
@Profile("cluster")
class ClusterConfiguration {

    /** The one Redis channel of every instance's room events. */
    static String roomsChannel(ChatProperties properties) {
        return properties.cluster().keyPrefix() + ":rooms";
    }

    @Bean(destroyMethod = "shutdownNow")
    ScheduledExecutorService roomSequencerTimer() {
        return Executors.newSingleThreadScheduledExecutor(task -> {
            Thread thread = new Thread(task, "parley-reorder");
            thread.setDaemon(true);
            return thread;
        });
    }

    @Bean
    RoomSequencer roomSequencer(@Lazy SimpMessagingTemplate broker, MessageHistory history,
            ScheduledExecutorService roomSequencerTimer, ChatProperties properties) {
        RoomSequencer.Store store = (room, id, limit) -> history.after(room, id, limit)
            .stream()
            .map(message -> new RoomSequencer.Stored(message.id(), RedisRoomBus.json(broker, message)))
            .toList();
        return new RoomSequencer((room, json) -> RedisRoomBus.deliver(broker, room, json), store, roomSequencerTimer,
                properties.cluster().reorderBound());
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
            RoomSequencer roomSequencer, ChatProperties properties) {
        return new RedisRoomBus(roomEventsRedis, roomsChannel(properties), broker, roomSequencer);
    }

    @Bean
    RedisMessageListenerContainer roomEventsListener(RedisConnectionFactory connections, RedisRoomBus bus,
            ChatProperties properties) {
        RedisMessageListenerContainer container = new RedisMessageListenerContainer();
        container.setConnectionFactory(connections);
        container.addMessageListener(bus, List.of(new ChannelTopic(roomsChannel(properties))));
        return container;
    }

    @Bean
    RoomFollower roomFollower(RoomSequencer roomSequencer, MessageHistory history) {
        return new RoomFollower(roomSequencer, history);
    }

    /**
     * Starts following a room when a connection of this instance subscribes to its topic: the
     * subscription is registered with the broker after this event, and the client reads what
     * was stored before from the history.
     */
    static final class RoomFollower {

        private final RoomSequencer sequencer;

        private final MessageHistory history;

        RoomFollower(RoomSequencer sequencer, MessageHistory history) {
            this.sequencer = sequencer;
            this.history = history;
        }

        @EventListener
        void subscribed(SessionSubscribeEvent event) {
            String destination = SimpMessageHeaderAccessor.getDestination(event.getMessage().getHeaders());
            if (destination == null || !destination.startsWith(Destinations.ROOM_TOPIC_PREFIX)) {
                return;
            }
            RoomName room;
            try {
                room = new RoomName(destination.substring(Destinations.ROOM_TOPIC_PREFIX.length()));
            }
            catch (RuntimeException ex) {
                return; // not a room: the destination policy refuses it
            }
            if (!this.sequencer.follows(room)) {
                this.sequencer.follow(room, this.history.lastStoredId(room));
            }
        }
    }
}
