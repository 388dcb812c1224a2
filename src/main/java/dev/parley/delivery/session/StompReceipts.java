package dev.parley.delivery.session;

import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import org.springframework.messaging.Message;
import org.springframework.messaging.MessageChannel;
import org.springframework.messaging.MessageHandler;
import org.springframework.messaging.simp.stomp.StompCommand;
import org.springframework.messaging.simp.stomp.StompHeaderAccessor;
import org.springframework.messaging.support.ExecutorChannelInterceptor;
import org.springframework.messaging.support.ExecutorSubscribableChannel;
import org.springframework.messaging.support.MessageBuilder;
import org.springframework.messaging.support.MessageHeaderAccessor;

/**
 * Answers a client frame's {@code receipt} header with a RECEIPT once every handler of the
 * inbound channel has handled the frame (STOMP 1.2), which Spring's simple broker does only for
 * DISCONNECT. A RECEIPT for a SUBSCRIBE thus proves the subscription is registered: a client can
 * wait for it before relying on the subscription.
 */
public final class StompReceipts implements ExecutorChannelInterceptor {

    private static final byte[] NO_BODY = new byte[0];

    private final MessageChannel clientOutboundChannel;

    /** Handlers that have handled each frame awaiting its receipt (inbound frames carry no id). */
    private final Map<Message<?>, AtomicInteger> handled = Collections.synchronizedMap(new IdentityHashMap<>());

    public StompReceipts(MessageChannel clientOutboundChannel) {
        this.clientOutboundChannel = clientOutboundChannel;
    }

    @Override
    public void afterMessageHandled(Message<?> message, MessageChannel channel, MessageHandler handler,
            Exception ex) {
        StompHeaderAccessor accessor = MessageHeaderAccessor.getAccessor(message, StompHeaderAccessor.class);
        if (accessor == null || accessor.getReceipt() == null || !needsReceipt(accessor.getCommand())) {
            return;
        }
        int handlers = (channel instanceof ExecutorSubscribableChannel subscribable)
                ? subscribable.getSubscribers().size() : 1;
        if (handlers > 1 && this.handled.computeIfAbsent(message, key -> new AtomicInteger()).incrementAndGet() < handlers) {
            return;
        }
        this.handled.remove(message);
        StompHeaderAccessor receipt = StompHeaderAccessor.create(StompCommand.RECEIPT);
        receipt.setReceiptId(accessor.getReceipt());
        receipt.setSessionId(accessor.getSessionId());
        this.clientOutboundChannel.send(MessageBuilder.createMessage(NO_BODY, receipt.getMessageHeaders()));
    }

    /** CONNECT is answered by CONNECTED, and DISCONNECT's receipt by Spring itself. */
    private static boolean needsReceipt(StompCommand command) {
        return command != null && command != StompCommand.CONNECT && command != StompCommand.STOMP
                && command != StompCommand.DISCONNECT;
    }
}
