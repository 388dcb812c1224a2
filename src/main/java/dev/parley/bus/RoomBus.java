package dev.parley.bus;

import dev.parley.core.RoomName;

/**
 * Publishes a room's events ({@code MESSAGE}, {@code JOIN}, {@code LEAVE}, {@code TYPING}) to
 * every subscriber of {@code /topic/room.{name}}: the one way anything reaches a room's
 * subscribers, since clients cannot publish there (the destination policy refuses it).
 * <p>
 * Order: the events that one thread publishes reach each subscriber on this instance in that
 * order. A caller that needs a room's events in an order across threads (messages in id order)
 * publishes them under its own lock. The in-process implementation hands the event to the
 * broker on the caller's thread; an implementation that spans instances must keep the same
 * order per room.
 */
public interface RoomBus {

    /** Sends {@code event}, serialised once as JSON, to every subscriber of {@code room}. */
    void publish(RoomName room, Object event);

    /**
     * Sends a room's stored message, whose {@code id} is its place in the room's gap-free
     * sequence. Every subscriber, on every instance, receives a room's messages in id order
     * without a gap, also where consecutive ids were stored by different instances: an
     * implementation that spans instances holds a message until its predecessors have been
     * delivered, and reads them from the store when they are late. One instance publishes a
     * room's messages in id order.
     */
    default void publishInOrder(RoomName room, long id, Object message) {
        publish(room, message);
    }
}
