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
        JsonNode text = body.get("text");
        if (text == null || !text.isString()) {
            throw new ChatException(ErrorCode.INVALID_MESSAGE, "text must be a JSON string");
        }
        MessageText messageText = MessageText.of(text.stringValue(), this.maxLength);
        JsonNode clientId = body.get("clientId");
        ClientId id = null;
        if (clientId != null && !clientId.isNull()) {
            id = new ClientId(clientId.isString() ? clientId.stringValue() : null);
        }
        this.messages.post(room, user, messageText, id, sessionId,
                SimpMessageHeaderAccessor.getDestination(frame.getHeaders()));
    }
}
