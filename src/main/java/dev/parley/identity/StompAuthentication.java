package dev.parley.identity;

import java.util.Map;
import java.util.Optional;

import org.jspecify.annotations.Nullable;

import dev.parley.config.ChatProperties;
import dev.parley.core.ChatException;
import dev.parley.core.ChatUser;
import dev.parley.core.Nickname;

import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.context.annotation.Lazy;
import org.springframework.context.event.EventListener;
import org.springframework.messaging.Message;
import org.springframework.messaging.MessageChannel;
import org.springframework.messaging.simp.stomp.StompCommand;
import org.springframework.messaging.simp.stomp.StompHeaderAccessor;
import org.springframework.messaging.support.ChannelInterceptor;
import org.springframework.messaging.support.MessageBuilder;
import org.springframework.messaging.support.MessageHeaderAccessor;
import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;
import org.springframework.web.socket.messaging.SessionDisconnectEvent;

/**
 * The gate of the inbound channel: binds the principal at CONNECT from the {@code login} and
 * {@code passcode} headers, and lets through only frames of a connected session to destinations
 * that {@link DestinationPolicy} allows. It also keeps what one client may make the server hold
 * (contract section 6a): a nickname's connections ({@link NicknameConnections}, released at
 * DISCONNECT and when the connection closes, whichever comes first) and a connection's
 * subscriptions ({@link ConnectionSubscriptions}).
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

    static final String TOO_MANY_CONNECTIONS = "too many connections";

    static final String TOO_MANY_SUBSCRIPTIONS = "too many subscriptions";

    private static final byte[] NO_BODY = new byte[0];

    private final NicknameClaims claims;

    private final MessageChannel clientOutboundChannel;

    private final NicknameConnections connections;

    private final int subscriptionsPerConnection;

    StompAuthentication(NicknameClaims claims,
            @Lazy @Qualifier("clientOutboundChannel") MessageChannel clientOutboundChannel,
            NicknameConnections connections, ChatProperties properties) {
        this.claims = claims;
        this.clientOutboundChannel = clientOutboundChannel;
        this.connections = connections;
        this.subscriptionsPerConnection = properties.limits().subscriptionsPerConnection();
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
            if (accessor.getSessionId() != null) {
                this.connections.close(accessor.getSessionId());
            }
            return message;
        }
        if (!(accessor.getUser() instanceof ChatUser)) {
            return refuse(accessor, "not connected");
        }
        String destination = accessor.getDestination();
        if (command == StompCommand.SEND && !DestinationPolicy.maySend(destination)) {
            return refuse(accessor, "SEND is allowed only to /app/... destinations");
        }
        // without an id the broker ignores the frame, while its RECEIPT would say it was taken
        if ((command == StompCommand.SUBSCRIBE || command == StompCommand.UNSUBSCRIBE)
                && accessor.getSubscriptionId() == null) {
            return refuse(accessor, command + " needs an id header");
        }
        if (command == StompCommand.SUBSCRIBE) {
            if (!DestinationPolicy.maySubscribe(destination)) {
                return refuse(accessor, "SUBSCRIBE is not allowed to this destination");
            }
            ConnectionSubscriptions subscriptions = subscriptions(accessor);
            if (subscriptions != null && !subscriptions.subscribe(accessor.getSubscriptionId(), destination,
                    this.subscriptionsPerConnection)) {
                return refuse(accessor, TOO_MANY_SUBSCRIPTIONS);
            }
        }
        if (command == StompCommand.UNSUBSCRIBE) {
            ConnectionSubscriptions subscriptions = subscriptions(accessor);
            if (subscriptions != null) {
                subscriptions.unsubscribe(accessor.getSubscriptionId());
            }
        }
        return message;
    }

    /** The connection is over, however it ended: it no longer counts among its nickname's. */
    @EventListener
    void onDisconnect(SessionDisconnectEvent event) {
        this.connections.close(event.getSessionId());
    }

    private static @Nullable ConnectionSubscriptions subscriptions(StompHeaderAccessor accessor) {
        Map<String, Object> attributes = accessor.getSessionAttributes();
        return (attributes != null) ? ConnectionSubscriptions.of(attributes) : null;
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
        if (accessor.getSessionId() == null || !this.connections.open(accessor.getSessionId(), claimed.get())) {
            return refuse(accessor, TOO_MANY_CONNECTIONS);
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
