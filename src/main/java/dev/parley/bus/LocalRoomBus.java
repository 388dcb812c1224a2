package dev.parley.bus;

import dev.parley.core.RoomName;

import org.springframework.context.annotation.Lazy;
import org.springframework.context.annotation.Profile;
import org.springframework.messaging.simp.SimpMessageSendingOperations;
import org.springframework.stereotype.Component;

/**
 * The {@link RoomBus} of one instance: each event goes to Spring's in-process broker (Parley's
 * delivery engine), on the caller's thread.
 */
@Component
@Profile("!cluster")
class LocalRoomBus implements RoomBus {

    private final SimpMessageSendingOperations broker;

    // lazy: the broker is configured by the WebSocket configuration, whose interceptors need us
    LocalRoomBus(@Lazy SimpMessageSendingOperations broker) {
        this.broker = broker;
    }

    @Override
    public void publish(RoomName room, Object event) {
        this.broker.convertAndSend(room.topic(), event);
    }
}
