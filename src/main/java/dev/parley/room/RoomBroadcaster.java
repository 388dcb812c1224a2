package dev.parley.room;

import org.springframework.context.annotation.Lazy;
import org.springframework.messaging.simp.SimpMessageSendingOperations;
import org.springframework.stereotype.Component;

/**
 * The one writer of {@code /topic/room.{name}}. Clients cannot publish there (the destination
 * policy refuses it), so everything a room's subscribers receive has come through here.
 * <p>
 * Events are handed to the broker on the caller's thread; callers that need a room's events in
 * a given order publish them in that order, under their own lock.
 */
@Component
public class RoomBroadcaster {

    private final SimpMessageSendingOperations broker;

    // lazy: the broker is configured by the WebSocket configuration, whose interceptors need us
    RoomBroadcaster(@Lazy SimpMessageSendingOperations broker) {
        this.broker = broker;
    }

    /** Sends {@code event} (serialised once, as JSON) to every subscriber of the room. */
    public void publish(RoomName room, Object event) {
        this.broker.convertAndSend(room.topic(), event);
    }
}
