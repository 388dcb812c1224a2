package dev.parley.presence;

import org.springframework.context.event.EventListener;
import org.springframework.messaging.Message;
import org.springframework.messaging.MessageChannel;
import org.springframework.messaging.simp.stomp.StompCommand;
import org.springframework.messaging.simp.stomp.StompHeaderAccessor;
import org.springframework.messaging.support.ChannelInterceptor;
import org.springframework.messaging.support.MessageHeaderAccessor;
import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;
import org.springframework.web.socket.messaging.SessionDisconnectEvent;

/**
 * Ends a connection's presence as soon as it is known to be over: at its STOMP DISCONNECT frame
 * and at Spring's {@link SessionDisconnectEvent}. Both usually happen, in either order; on
 * SockJS xhr-streaming the event can come a minute after a clean DISCONNECT, and for an abrupt
 * close only the event comes. {@link Presence#disconnect} is idempotent, so each may report it.
 */
@Component
@Order(PresenceListener.ORDER)
public class PresenceListener implements ChannelInterceptor {

    /** Its place among the client inbound channel's interceptors: after the CONNECT gate. */
    public static final int ORDER = 100;

    private final Presence presence;

    PresenceListener(Presence presence) {
        this.presence = presence;
    }

    @Override
    public Message<?> preSend(Message<?> message, MessageChannel channel) {
        StompHeaderAccessor accessor = MessageHeaderAccessor.getAccessor(message, StompHeaderAccessor.class);
        if (accessor != null && accessor.getCommand() == StompCommand.DISCONNECT && accessor.getSessionId() != null) {
            this.presence.disconnect(accessor.getSessionId());
        }
        return message;
    }

    @EventListener
    void onDisconnect(SessionDisconnectEvent event) {
        this.presence.disconnect(event.getSessionId());
    }
}
