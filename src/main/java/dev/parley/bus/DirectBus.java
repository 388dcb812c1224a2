package dev.parley.bus;

import dev.parley.core.Conversation;
import dev.parley.core.Nickname;

/**
 * Publishes the events of private conversations to the connections of their parties that
 * subscribed to {@code /user/queue/direct}: the one way anything reaches that queue, since
 * clients cannot publish to it (the destination policy refuses it). The conversations' side of
 * what {@link RoomBus} is for rooms, with the same guarantees of order.
 */
public interface DirectBus {

    /** Sends an ephemeral {@code event} (typing), serialised once as JSON, to the connections of {@code to}. */
    void tell(Conversation conversation, Nickname to, Object event);

    /**
     * Sends a conversation's stored message, whose {@code id} is its place in the conversation's
     * gap-free sequence, to the connections of both parties (the sender's own included). Every
     * connection, on every instance, receives a conversation's messages in id order without a gap,
     * also where consecutive ids were stored by different instances. One instance publishes a
     * conversation's messages in id order.
     */
    void publishInOrder(Conversation conversation, long id, Object message);
}
