package dev.parley.web;

import java.util.Set;

import dev.parley.core.ChatException;
import dev.parley.core.Destinations;
import dev.parley.core.ErrorCode;

import org.springframework.messaging.Message;
import org.springframework.messaging.handler.annotation.MessageMapping;
import org.springframework.messaging.simp.SimpMessageHeaderAccessor;
import org.springframework.stereotype.Controller;

/**
 * The answer for a SEND to an {@code /app} destination that names no operation, which Spring
 * would otherwise drop silently. {@code **} is the least specific pattern, so every real
 * mapping wins over it.
 */
@Controller
class UnknownDestinationController {

    private static final Set<String> OPERATIONS = Set.of("join", "leave", "send", "typing");

    @MessageMapping("**")
    void unknown(Message<?> frame) {
        String destination = SimpMessageHeaderAccessor.getDestination(frame.getHeaders());
        throw new ChatException(isRoomOperation(destination) ? ErrorCode.INVALID_ROOM : ErrorCode.BAD_REQUEST,
                isRoomOperation(destination) ? "invalid room name" : "unknown destination");
    }

    /**
     * {@code /app/room.{x}.{op}} with a real operation: it reached this handler only because
     * {@code x} is no valid room name (say {@code a.b}).
     */
    private static boolean isRoomOperation(String destination) {
        if (destination == null || !destination.startsWith(Destinations.ROOM_APP_PREFIX)) {
            return false;
        }
        int lastDot = destination.lastIndexOf('.');
        return lastDot >= Destinations.ROOM_APP_PREFIX.length() && OPERATIONS.contains(destination.substring(lastDot + 1));
    }
}
