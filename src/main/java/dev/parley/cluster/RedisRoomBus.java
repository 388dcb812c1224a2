package dev.parley.cluster;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import java.util.UUID;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.parley.bus.RoomBus;
import dev.parley.core.Nickname;
import dev.parley.core.RoomEvent;
import dev.parley.core.RoomName;
import dev.parley.presence.PresenceRegistry.PresenceChange;

import org.springframework.data.redis.connection.Message;
import org.springframework.data.redis.connection.MessageListener;
import org.springframework.messaging.simp.SimpMessageHeaderAccessor;
import org.springframework.messaging.simp.SimpMessageType;
import org.springframework.messaging.simp.SimpMessagingTemplate;
import org.springframework.messaging.support.MessageBuilder;
import org.springframework.util.MimeTypeUtils;

/**
 * The room bus of the {@code cluster} profile: each event is delivered to this instance's
 * subscribers through its own broker, as in a single instance, and published once on one Redis
 * channel that every instance subscribes to, which delivers it to theirs. An instance ignores
 * what it published itself and never publishes what it received.
 * <p>
 * Stored messages go through the {@link Sequencer}, here and on the others, so that each
 * instance delivers a room's messages in id order whoever stored them. Where Redis is lost, this
 * instance still delivers its own and stops publishing until Redis is back
 * ({@link RedisAvailability}); the others read what they missed from the store.
 * <p>
 * An event crosses Redis as {@code instance\nroom\nid\njson}: {@code id} is the message's id,
 * {@code join:nickname} or {@code leave:nickname} for presence, which passes through the
 * {@link PresenceView}, and {@code -} for typing; the JSON is what the broker sends.
 */
final class RedisRoomBus implements RoomBus, MessageListener {

    private static final Logger logger = LoggerFactory.getLogger(RedisRoomBus.class);

    private static final byte NEWLINE = '\n';

    private static final String NO_ID = "-";

    private static final String JOIN = "join:";

    private static final String LEAVE = "leave:";

    private final String instance = UUID.randomUUID().toString();

    private final byte[] instanceBytes = this.instance.getBytes(StandardCharsets.UTF_8);

    private final String channel;

    private final SimpMessagingTemplate broker;

    private final Sequencer<RoomName> sequencer;

    private final RedisPublisher publisher;

    private final RedisAvailability availability;

    private final PresenceView presence;

    RedisRoomBus(String channel, SimpMessagingTemplate broker, Sequencer<RoomName> sequencer, RedisPublisher publisher,
            RedisAvailability availability, PresenceView presence) {
        this.availability = availability;
        this.presence = presence;
        this.channel = channel;
        this.broker = broker;
        this.sequencer = sequencer;
        this.publisher = publisher;
    }

    @Override
    public void publish(RoomName room, Object event) {
        byte[] json = json(event);
        if (event instanceof RoomEvent.Join join) {
            if (this.presence.tell(room, join.user(), true)) {
                deliver(room, json);
            }
            send(room, JOIN + join.user().value(), json);
        }
        else if (event instanceof RoomEvent.Leave leave) {
            if (this.presence.tell(room, leave.user(), false)) {
                deliver(room, json);
            }
            send(room, LEAVE + leave.user().value(), json);
        }
        else {
            deliver(room, json);
            send(room, NO_ID, json);
        }
    }

    @Override
    public void publishInOrder(RoomName room, long id, Object message) {
        byte[] json = json(message);
        // to Redis first: it is only queued for the publishing thread, and the other instances
        // then deliver while this one does (the bench measured a crossed delivery's p50 3-7 ms
        // later in a room of 500 when the local fan-out went first)
        send(room, Long.toString(id), json);
        this.sequencer.offer(room, id, json);
    }

    /**
     * Tells this instance's subscribers of a presence change that the {@link PresenceView} found
     * they missed; each instance tells its own, so it is not published.
     */
    void tellMissed(PresenceChange change, Instant at) {
        deliver(change.room(), json(change.online()
                ? new RoomEvent.Join(change.room(), change.nickname(), at, change.count())
                : new RoomEvent.Leave(change.room(), change.nickname(), at, change.count())));
    }

    /** An event from Redis: from another instance, or this one's own come back. */
    @Override
    public void onMessage(Message message, byte[] pattern) {
        byte[] body = message.getBody();
        int first = indexOf(body, NEWLINE, 0);
        int second = indexOf(body, NEWLINE, first + 1);
        int third = indexOf(body, NEWLINE, second + 1);
        if (first < 0 || second < 0 || third < 0) {
            logger.warn("Ignored an event on Redis channel {} that is not Parley's", this.channel);
            return;
        }
        if (Arrays.equals(body, 0, first, this.instanceBytes, 0, this.instanceBytes.length)) {
            return;
        }
        RoomName room = new RoomName(new String(body, first + 1, second - first - 1, StandardCharsets.UTF_8));
        String id = new String(body, second + 1, third - second - 1, StandardCharsets.UTF_8);
        byte[] json = Arrays.copyOfRange(body, third + 1, body.length);
        if (NO_ID.equals(id)) {
            if (this.sequencer.follows(room)) {
                deliver(room, json);
            }
        }
        else if (id.startsWith(JOIN) || id.startsWith(LEAVE)) {
            boolean online = id.startsWith(JOIN);
            Nickname user = new Nickname(id.substring(online ? JOIN.length() : LEAVE.length()));
            if (this.sequencer.follows(room) && this.presence.tell(room, user, online)) {
                deliver(room, json);
            }
        }
        else {
            this.sequencer.offer(room, Long.parseLong(id), json);
        }
    }

    private void deliver(RoomName room, byte[] json) {
        deliver(this.broker, room, json);
    }

    private byte[] json(Object event) {
        return json(this.broker, event);
    }

    /** Sends JSON as it is to this instance's subscribers of {@code room}. */
    static void deliver(SimpMessagingTemplate broker, RoomName room, byte[] json) {
        SimpMessageHeaderAccessor headers = SimpMessageHeaderAccessor.create(SimpMessageType.MESSAGE);
        headers.setContentType(MimeTypeUtils.APPLICATION_JSON);
        headers.setLeaveMutable(true);
        broker.send(room.topic(), MessageBuilder.createMessage(json, headers.getMessageHeaders()));
    }

    /** The event as the broker serialises it. */
    static byte[] json(SimpMessagingTemplate broker, Object event) {
        org.springframework.messaging.Message<?> converted = broker.getMessageConverter().toMessage(event, null);
        if (converted == null || !(converted.getPayload() instanceof byte[] json)) {
            throw new IllegalStateException("the broker's converter did not write " + event.getClass() + " as bytes");
        }
        return json;
    }

    private void send(RoomName room, String id, byte[] json) {
        if (!this.availability.isUp()) {
            return; // the others read it from the store at their next catch-up
        }
        byte[] roomBytes = room.value().getBytes(StandardCharsets.UTF_8);
        byte[] idBytes = id.getBytes(StandardCharsets.US_ASCII);
        ByteBuffer envelope = ByteBuffer.allocate(this.instanceBytes.length + roomBytes.length + idBytes.length
                + json.length + 3);
        envelope.put(this.instanceBytes).put(NEWLINE).put(roomBytes).put(NEWLINE).put(idBytes).put(NEWLINE).put(json);
        // when too many wait, it is dropped: the others read it from the store at their next catch-up
        this.publisher.offer(envelope.array());
    }

    private static int indexOf(byte[] bytes, byte value, int from) {
        if (from < 0) {
            return -1;
        }
        for (int i = from; i < bytes.length; i++) {
            if (bytes[i] == value) {
                return i;
            }
        }
        return -1;
    }
}
