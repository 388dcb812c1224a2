package dev.parley.delivery.broker;

import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.parley.delivery.session.ClientSessionDecorator;

import org.springframework.messaging.Message;
import org.springframework.messaging.simp.SimpMessageHeaderAccessor;
import org.springframework.messaging.simp.SimpMessageType;
import org.springframework.messaging.simp.broker.SimpleBrokerMessageHandler;
import org.springframework.messaging.support.ExecutorSubscribableChannel;
import org.springframework.messaging.support.MessageBuilder;

import static org.assertj.core.api.Assertions.assertThat;

class FanOutBrokerTests {

    private final Map<String, ClientSessionDecorator> connections = FanOutBroker.newConnectionRegistry();

    private FanOutBroker broker;

    @BeforeEach
    void startBroker() {
        SimpleBrokerMessageHandler configured = new SimpleBrokerMessageHandler(new ExecutorSubscribableChannel(),
                new ExecutorSubscribableChannel(), new ExecutorSubscribableChannel(), List.of("/topic"));
        this.broker = new FanOutBroker(configured, this.connections, new LongAdder());
        this.broker.start();
    }

    @AfterEach
    void stopBroker() {
        this.broker.stop();
    }

    private static Message<byte[]> subscribe(String session) {
        SimpMessageHeaderAccessor headers = SimpMessageHeaderAccessor.create(SimpMessageType.SUBSCRIBE);
        headers.setSessionId(session);
        headers.setSubscriptionId("0");
        headers.setDestination("/topic/room.general");
        return MessageBuilder.createMessage(new byte[0], headers.getMessageHeaders());
    }

    private int subscribers() {
        SimpMessageHeaderAccessor headers = SimpMessageHeaderAccessor.create(SimpMessageType.MESSAGE);
        headers.setDestination("/topic/room.general");
        return this.broker.getSubscriptionRegistry()
            .findSubscriptions(MessageBuilder.createMessage(new byte[0], headers.getMessageHeaders()))
            .size();
    }

    @Test
    void subscribeOfAConnectionAlreadyClosedLeavesNoSubscription() {
        // the connection left the registry (closed, its DISCONNECT handled) before its SUBSCRIBE came
        this.broker.handleMessage(subscribe("gone"));
        assertThat(subscribers()).isZero();
    }
}
