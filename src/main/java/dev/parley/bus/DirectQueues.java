package dev.parley.bus;

import org.springframework.context.annotation.Lazy;
import org.springframework.messaging.Message;
import org.springframework.messaging.simp.SimpMessageHeaderAccessor;
import org.springframework.messaging.simp.SimpMessageType;
import org.springframework.messaging.simp.SimpMessagingTemplate;
import org.springframework.messaging.simp.user.SimpSession;
import org.springframework.messaging.simp.user.SimpUser;
import org.springframework.messaging.simp.user.SimpUserRegistry;
import org.springframework.messaging.support.MessageBuilder;
import org.springframework.stereotype.Component;
import org.springframework.util.MimeTypeUtils;

import dev.parley.core.Destinations;
import dev.parley.core.Nickname;

/**
 * Delivers an event, as JSON, to the {@code /user/queue/direct} of every connection of one
 * nickname on this instance: to each session's own queue, {@code /queue/direct-user{session}},
 * where the broker registered that session's subscription, for the sessions that
 * {@link SimpUserRegistry} knows here. Spring's user destinations would resolve the same
 * queues, but send one message object to each session in turn, and the first send leaves it
 * immutable: a principal with two connections got an exception instead of its second delivery
 * (Spring Framework 7.0.10).
 */
@Component
public class DirectQueues {

    private static final String SESSION_SUFFIX = "-user";

    private final SimpMessagingTemplate broker;

    private final SimpUserRegistry users;

    // lazy: the broker is configured by the WebSocket configuration, whose interceptors need us
    DirectQueues(@Lazy SimpMessagingTemplate broker, @Lazy SimpUserRegistry users) {
        this.broker = broker;
        this.users = users;
    }

    /** The event as the broker serialises it. */
    public byte[] json(Object event) {
        Message<?> converted = this.broker.getMessageConverter().toMessage(event, null);
        if (converted == null || !(converted.getPayload() instanceof byte[] json)) {
            throw new IllegalStateException("the broker's converter did not write " + event.getClass() + " as bytes");
        }
        return json;
    }

    /** Whether {@code nickname} has a connection on this instance. */
    public boolean isConnectedHere(Nickname nickname) {
        return this.users.getUser(nickname.value()) != null;
    }

    /**
     * Sends {@code json} to every connection of {@code to} here that subscribed to its
     * conversations; on the caller's thread, so that what one thread delivers arrives in order.
     */
    public void deliver(Nickname to, byte[] json) {
        // principals are named as first claimed, and so is every nickname of a conversation
        SimpUser user = this.users.getUser(to.value());
        if (user == null) {
            return;
        }
        for (SimpSession session : user.getSessions()) {
            SimpMessageHeaderAccessor headers = SimpMessageHeaderAccessor.create(SimpMessageType.MESSAGE);
            headers.setContentType(MimeTypeUtils.APPLICATION_JSON);
            headers.setLeaveMutable(true);
            this.broker.send(Destinations.DIRECT_QUEUE + SESSION_SUFFIX + session.getId(),
                    MessageBuilder.createMessage(json, headers.getMessageHeaders()));
        }
    }
}
