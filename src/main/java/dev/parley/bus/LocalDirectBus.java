package dev.parley.bus;

import dev.parley.core.Conversation;
import dev.parley.core.Nickname;

import org.springframework.context.annotation.Profile;
import org.springframework.stereotype.Component;

/**
 * The {@link DirectBus} of one instance: each event goes to the connections of its parties here
 * ({@link DirectQueues}), on the caller's thread.
 */
@Component
@Profile("!cluster")
class LocalDirectBus implements DirectBus {

    private final DirectQueues queues;

    LocalDirectBus(DirectQueues queues) {
        this.queues = queues;
    }

    @Override
    public void tell(Conversation conversation, Nickname to, Object event) {
        this.queues.deliver(to, this.queues.json(event));
    }

    @Override
    public void publishInOrder(Conversation conversation, long id, Object message) {
        byte[] json = this.queues.json(message);
        this.queues.deliver(conversation.low(), json);
        this.queues.deliver(conversation.high(), json);
    }
}
