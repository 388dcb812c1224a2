package dev.parley.identity;

import java.util.Optional;

import dev.parley.core.ChatException;
import dev.parley.core.ChatUser;
import dev.parley.core.Nickname;

import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.context.annotation.Lazy;
import org.springframework.messaging.Message;
import org.springframework.messaging.MessageChannel;
import org.springframework.messaging.simp.stomp.StompCommand;
import org.springframework.messaging.simp.stomp.StompHeaderAccessor;
import org.springframework.messaging.support.ChannelInterceptor;
import org.springframework.messaging.support.MessageBuilder;
import org.springframework.messaging.support.MessageHeaderAccessor;
import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;

/**
 * The gate of the inbound channel: binds the principal at CONNECT from the {@code login} and
 * {@code passcode} headers, and lets through only frames of a connected session to destinations
 * that {@link DestinationPolicy} allows.
 * <p>
 * A refused frame is answered with a STOMP ERROR frame, after which Spring closes the
 * connection. The ERROR is sent here rather than by throwing: with the receive order preserved
 * (see {@code WebSocketConfiguration}) an exception thrown by an interceptor is only logged, and
 * the client would wait forever.
 */
@Component
@Order(StompAuthentication.ORDER)
public class StompAuthentication implements ChannelInterceptor {

    /** Its place among the client inbound channel's interceptors: first of the features: every other interceptor sees only frames of an authenticated session. */
    public static final int ORDER = 0;

    static final String INVALID_NICKNAME = "invalid nickname";

    static final String BAD_CREDENTIALS = "bad credentials";

    private static final byte[] NO_BODY = new byte[0];

    private final NicknameClaims claims;

    private final MessageChannel clientOutboundChannel;

    StompAuthentication(NicknameClaims claims,
            @Lazy @Qualifier("clientOutboundChannel") MessageChannel clientOutboundChannel) {
        this.claims = claims;
        this.clientOutboundChannel = clientOutboundChannel;
    }

    @Override
    public Message<?> preSend(Message<?> message, MessageChannel channel) {
        StompHeaderAccessor accessor = MessageHeaderAccessor.getAccessor(message, StompHeaderAccessor.class);
        if (accessor == null || accessor.getCommand() == null) {
            return message;
        }
        StompCommand command = accessor.getCommand();
        if (command == StompCommand.CONNECT || command == StompCommand.STOMP) {
            return connect(message, accessor);
        }
        if (command == StompCommand.DISCONNECT) {
            return message;
        }
        if (!(accessor.getUser() instanceof ChatUser)) {
            return refuse(accessor, "not connected");
        }
        String destination = accessor.getDestination();
        if (command == StompCommand.SEND && !DestinationPolicy.maySend(destination)) {
            return refuse(accessor, "SEND is allowed only to /app/... destinations");
        }
        if (command == StompCommand.SUBSCRIBE && !DestinationPolicy.maySubscribe(destination)) {
            return refuse(accessor, "SUBSCRIBE is not allowed to this destination");
        }
        return message;
    }

    private Message<?> connect(Message<?> message, StompHeaderAccessor accessor) {
        Nickname login;
        try {
            login = new Nickname(accessor.getLogin());
        }
        catch (ChatException ex) {
            return refuse(accessor, INVALID_NICKNAME);
        }
        String passcode = accessor.getPasscode();
        Optional<Nickname> claimed = (passcode != null) ? this.claims.verify(login, passcode) : Optional.empty();
        if (claimed.isEmpty()) {
            return refuse(accessor, BAD_CREDENTIALS);
        }
        accessor.setUser(new ChatUser(claimed.get()));
        return message;
    }

    /** Drops the frame and sends an ERROR frame, which also closes the connection. */
    private Message<?> refuse(StompHeaderAccessor frame, String reason) {
        StompHeaderAccessor error = StompHeaderAccessor.create(StompCommand.ERROR);
        error.setMessage(reason);
        error.setSessionId(frame.getSessionId());
        if (frame.getReceipt() != null) {
            error.setReceiptId(frame.getReceipt());
        }
        this.clientOutboundChannel.send(MessageBuilder.createMessage(NO_BODY, error.getMessageHeaders()));
        return null;
    }
}
