package dev.parley.web;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.parley.core.ChatException;
import dev.parley.core.Destinations;
import dev.parley.core.ErrorCode;

import org.springframework.messaging.Message;
import org.springframework.messaging.converter.MessageConversionException;
import org.springframework.messaging.handler.annotation.MessageExceptionHandler;
import org.springframework.messaging.simp.SimpMessageHeaderAccessor;
import org.springframework.messaging.simp.annotation.SendToUser;
import org.springframework.web.bind.annotation.ControllerAdvice;

/**
 * The one path of STOMP errors: whatever a {@code @MessageMapping} handler refuses is answered on
 * {@code /user/queue/errors}, to the offending connection only, which stays open.
 */
@ControllerAdvice
class StompErrorHandler {

    private static final Logger logger = LoggerFactory.getLogger(StompErrorHandler.class);

    private final ErrorReplyCounts counts;

    StompErrorHandler(ErrorReplyCounts counts) {
        this.counts = counts;
    }

    @MessageExceptionHandler
    @SendToUser(destinations = Destinations.ERRORS_QUEUE, broadcast = false)
    ErrorReply refused(ChatException ex, Message<?> frame) {
        return reply(ex.code(), ex.getMessage(), frame);
    }

    @MessageExceptionHandler
    @SendToUser(destinations = Destinations.ERRORS_QUEUE, broadcast = false)
    ErrorReply unreadable(MessageConversionException ex, Message<?> frame) {
        return reply(ErrorCode.BAD_REQUEST, "the body could not be read", frame);
    }

    @MessageExceptionHandler
    @SendToUser(destinations = Destinations.ERRORS_QUEUE, broadcast = false)
    ErrorReply failed(Exception ex, Message<?> frame) {
        logger.error("Failed to handle a frame to {}", SimpMessageHeaderAccessor.getDestination(frame.getHeaders()), ex);
        return reply(ErrorCode.INTERNAL_ERROR, "the server failed; nothing was stored", frame);
    }

    private ErrorReply reply(ErrorCode code, String message, Message<?> frame) {
        this.counts.replied(code);
        String destination = SimpMessageHeaderAccessor.getDestination(frame.getHeaders());
        return new ErrorReply(code, message, destination, JsonBody.clientIdOf(frame.getPayload()));
    }
}
