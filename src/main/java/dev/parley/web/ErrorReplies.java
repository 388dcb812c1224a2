package dev.parley.web;

import org.jspecify.annotations.Nullable;

import dev.parley.core.Destinations;
import dev.parley.core.ErrorCode;

import org.springframework.context.annotation.Lazy;
import org.springframework.messaging.simp.SimpMessageHeaderAccessor;
import org.springframework.messaging.simp.SimpMessageSendingOperations;
import org.springframework.messaging.simp.SimpMessageType;
import org.springframework.stereotype.Component;

/**
 * Error replies sent after the frame that caused them was handled: a message refused when it
 * was stored, on another thread. Same shape and destination as {@link StompErrorHandler}'s, to
 * the one connection that sent the frame.
 */
@Component
public class ErrorReplies {

    private final SimpMessageSendingOperations broker;

    private final ErrorReplyCounts counts;

    // lazy: the broker is configured by the WebSocket configuration, whose interceptors need us
    ErrorReplies(@Lazy SimpMessageSendingOperations broker, ErrorReplyCounts counts) {
        this.broker = broker;
        this.counts = counts;
    }

    /**
     * Sends an error to connection {@code sessionId} of {@code user}.
     *
     * @param destination the destination of the refused frame
     * @param clientId the refused frame's {@code clientId}, if it had one
     */
    public void send(String user, String sessionId, ErrorCode code, String message, String destination,
            @Nullable String clientId) {
        SimpMessageHeaderAccessor headers = SimpMessageHeaderAccessor.create(SimpMessageType.MESSAGE);
        headers.setSessionId(sessionId);
        headers.setLeaveMutable(true);
        this.counts.replied(code);
        this.broker.convertAndSendToUser(user, Destinations.ERRORS_QUEUE,
                new ErrorReply(code, message, destination, clientId), headers.getMessageHeaders());
    }
}
