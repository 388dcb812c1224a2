package dev.parley.bus;

import dev.parley.core.Conversation;
import dev.parley.core.Destinations;
import dev.parley.core.Nickname;

import org.springframework.context.annotation.Lazy;
import org.springframework.context.annotation.Profile;
import org.springframework.messaging.simp.SimpMessageSendingOperations;
import org.springframework.stereotype.Component;

/**
 * The {@link DirectBus} of one instance: each event goes to the user queue of each party through
 * Spring's in-process broker, on the caller's thread. A user's destination reaches every
 * connection of that principal here, and the broker only those that subscribed to it.
 */
@Component
@Profile("!cluster")
class LocalDirectBus implements DirectBus {

    private final SimpMessageSendingOperations broker;

    // lazy: the broker is configured by the WebSocket configuration, whose interceptors need us
    LocalDirectBus(@Lazy SimpMessageSendingOperations broker) {
        this.broker = broker;
    }

    @Override
    public void tell(Conversation conversation, Nickname to, Object event) {
        this.broker.convertAndSendToUser(to.value(), Destinations.DIRECT_QUEUE, event);
    }

    @Override
    public void publishInOrder(Conversation conversation, long id, Object message) {
        this.broker.convertAndSendToUser(conversation.low().value(), Destinations.DIRECT_QUEUE, message);
        this.broker.convertAndSendToUser(conversation.high().value(), Destinations.DIRECT_QUEUE, message);
    }
}
