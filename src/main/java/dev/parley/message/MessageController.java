package dev.parley.message;

import tools.jackson.databind.JsonNode;

import dev.parley.config.ChatProperties;
import dev.parley.core.ChatException;
import dev.parley.core.ChatUser;
import dev.parley.core.ErrorCode;
import dev.parley.core.RoomName;
import dev.parley.presence.Presence;
import dev.parley.web.JsonBody;

import org.springframework.messaging.Message;
import org.springframework.messaging.handler.annotation.DestinationVariable;
import org.springframework.messaging.handler.annotation.MessageMapping;
import org.springframework.messaging.simp.SimpMessageHeaderAccessor;
import org.springframework.stereotype.Controller;

/**
 * {@code /app/room.{room}.send}: checks a message in the contract's order (room, body, joined,
 * text and clientId, then the rate limit in {@link MessageService}); a refused frame reaches
 * {@code StompErrorHandler} as a {@link ChatException}.
 */
@Controller
class MessageController {

    private final MessageService messages;

    private final Presence presence;

    private final int maxLength;

    MessageController(MessageService messages, Presence presence, ChatProperties properties) {
        this.messages = messages;
        this.presence = presence;
        this.maxLength = properties.message().maxLength();
    }

    @MessageMapping("room.{room}.send")
    void send(@DestinationVariable("room") String roomName, Message<byte[]> frame) {
        ChatUser user = ChatUser.of(frame);
        RoomName room = new RoomName(roomName);
        JsonNode body = JsonBody.object(frame.getPayload());
        String sessionId = SimpMessageHeaderAccessor.getSessionId(frame.getHeaders());
        if (!this.presence.isJoined(sessionId, room)) {
            throw new ChatException(ErrorCode.NOT_JOINED, "join room '" + room + "' before posting");
        }
        MessageText messageText = MessageText.fromBody(body, this.maxLength);
        ClientId id = ClientId.fromBody(body);
        this.messages.post(room, user, messageText, id, sessionId,
                SimpMessageHeaderAccessor.getDestination(frame.getHeaders()));
    }
}
