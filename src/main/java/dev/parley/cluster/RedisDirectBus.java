package dev.parley.cluster;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.UUID;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.parley.bus.DirectBus;
import dev.parley.bus.DirectQueues;
import dev.parley.core.Conversation;
import dev.parley.core.Nickname;

import org.springframework.data.redis.connection.Message;
import org.springframework.data.redis.connection.MessageListener;

/**
 * The direct bus of the {@code cluster} profile, as {@link RedisRoomBus} is for rooms: each event
 * is delivered to this instance's connections of its parties ({@link DirectQueues}) and published
 * once on a Redis channel of its own that every instance subscribes to, which delivers it to
 * theirs. Stored messages pass through the conversations' {@link Sequencer}
 * ({@link DirectFollower}) here and on the others, so that each instance delivers a
 * conversation's messages in id order whoever stored them; what Redis loses, the others read
 * from the store.
 * <p>
 * An event crosses Redis as {@code instance\nlow\nhigh\nkind\njson}: {@code low} and {@code high}
 * are the parties as first claimed, {@code kind} the message's id, or {@code >low} or
 * {@code >high} for typing, which goes to that party only.
 */
final class RedisDirectBus implements DirectBus, MessageListener, AutoCloseable {

    private static final Logger logger = LoggerFactory.getLogger(RedisDirectBus.class);

    private static final byte NEWLINE = '\n';

    private static final String TO_LOW = ">low";

    private static final String TO_HIGH = ">high";

    private final byte[] instance = UUID.randomUUID().toString().getBytes(StandardCharsets.UTF_8);

    private final DirectQueues queues;

    private final DirectFollower follower;

    private final RedisPublisher publisher;

    private final RedisAvailability availability;

    RedisDirectBus(DirectQueues queues, DirectFollower follower, RedisPublisher publisher,
            RedisAvailability availability) {
        this.queues = queues;
        this.follower = follower;
        this.publisher = publisher;
        this.availability = availability;
    }

    @Override
    public void tell(Conversation conversation, Nickname to, Object event) {
        byte[] json = this.queues.json(event);
        this.queues.deliver(to, json);
        send(conversation, conversation.low().equals(to) ? TO_LOW : TO_HIGH, json);
    }

    @Override
    public void publishInOrder(Conversation conversation, long id, Object message) {
        byte[] json = this.queues.json(message);
        // to Redis first, as for rooms: the others then deliver while this one does
        send(conversation, Long.toString(id), json);
        this.follower.offer(conversation, id, json);
    }

    /** An event from Redis: from another instance, or this one's own come back. */
    @Override
    public void onMessage(Message message, byte[] pattern) {
        byte[] body = message.getBody();
        int[] newlines = new int[4];
        int from = 0;
        for (int i = 0; i < newlines.length; i++) {
            newlines[i] = indexOf(body, from);
            if (newlines[i] < 0) {
                logger.warn("Ignored an event on Redis that is not Parley's");
                return;
            }
            from = newlines[i] + 1;
        }
        if (Arrays.equals(body, 0, newlines[0], this.instance, 0, this.instance.length)) {
            return;
        }
        Conversation conversation = new Conversation(new Nickname(text(body, newlines[0], newlines[1])),
                new Nickname(text(body, newlines[1], newlines[2])));
        String kind = text(body, newlines[2], newlines[3]);
        byte[] json = Arrays.copyOfRange(body, newlines[3] + 1, body.length);
        if (TO_LOW.equals(kind)) {
            this.queues.deliver(conversation.low(), json);
        }
        else if (TO_HIGH.equals(kind)) {
            this.queues.deliver(conversation.high(), json);
        }
        else {
            this.follower.offer(conversation, Long.parseLong(kind), json);
        }
    }

    @Override
    public void close() {
        this.publisher.close();
    }

    private void send(Conversation conversation, String kind, byte[] json) {
        if (!this.availability.isUp()) {
            return; // the others read messages from the store at their next catch-up; typing is not missed
        }
        byte[] low = conversation.low().value().getBytes(StandardCharsets.UTF_8);
        byte[] high = conversation.high().value().getBytes(StandardCharsets.UTF_8);
        byte[] kindBytes = kind.getBytes(StandardCharsets.US_ASCII);
        ByteBuffer envelope = ByteBuffer.allocate(this.instance.length + low.length + high.length + kindBytes.length
                + json.length + 4);
        envelope.put(this.instance).put(NEWLINE).put(low).put(NEWLINE).put(high).put(NEWLINE).put(kindBytes)
            .put(NEWLINE).put(json);
        this.publisher.offer(envelope.array());
    }

    private static String text(byte[] body, int newlineBefore, int newlineAfter) {
        return new String(body, newlineBefore + 1, newlineAfter - newlineBefore - 1, StandardCharsets.UTF_8);
    }

    private static int indexOf(byte[] bytes, int from) {
        for (int i = from; i < bytes.length; i++) {
            if (bytes[i] == NEWLINE) {
                return i;
            }
        }
        return -1;
    }
}
