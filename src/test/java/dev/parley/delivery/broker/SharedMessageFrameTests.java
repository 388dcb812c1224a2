package dev.parley.delivery.broker;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;

import org.junit.jupiter.api.Test;

import org.springframework.messaging.Message;
import org.springframework.messaging.simp.stomp.StompCommand;
import org.springframework.messaging.simp.stomp.StompDecoder;
import org.springframework.messaging.simp.stomp.StompHeaderAccessor;
import org.springframework.messaging.support.MessageHeaderAccessor;

import static org.assertj.core.api.Assertions.assertThat;

class SharedMessageFrameTests {

    private static final byte[] BODY = "{\"type\":\"MESSAGE\",\"text\":\"h\u00e9llo \u2603\"}".getBytes(StandardCharsets.UTF_8);

    @Test
    void eachSubscriberGetsAWholeFrameWithItsOwnSubscriptionId() {
        SharedMessageFrame frame = SharedMessageFrame.of("/topic/room.general", "application/json", "42", BODY);

        StompHeaderAccessor first = decodeOne(frame.forSubscription("sub-0"));
        StompHeaderAccessor second = decodeOne(frame.forSubscription("sub-17"));

        assertThat(first.getCommand()).isEqualTo(StompCommand.MESSAGE);
        assertThat(first.getDestination()).isEqualTo("/topic/room.general");
        assertThat(first.getFirstNativeHeader("content-type")).isEqualTo("application/json");
        assertThat(first.getMessageId()).isEqualTo("42");
        assertThat(first.getContentLength()).isEqualTo(BODY.length);
        assertThat(first.getSubscriptionId()).isEqualTo("sub-0");
        assertThat(second.getSubscriptionId()).isEqualTo("sub-17");
        assertThat(second.getMessageId()).isEqualTo("42");
    }

    @Test
    void subscribersWithTheSameSubscriptionIdShareOneFrame() {
        SharedMessageFrame frame = SharedMessageFrame.of("/topic/room.general", "application/json", "42", BODY);

        byte[] first = frame.forSubscription("sub-0");
        byte[] other = frame.forSubscription("sub-1");

        assertThat(frame.forSubscription("sub-0")).isSameAs(first);
        assertThat(frame.forSubscription("sub-1")).isSameAs(other).isNotEqualTo(first);
        assertThat(decodeOne(frame.forSubscription("sub-1")).getSubscriptionId()).isEqualTo("sub-1");
    }

    @Test
    void bodyArrivesByteForByte() {
        SharedMessageFrame frame = SharedMessageFrame.of("/topic/room.general", "application/json", "1", BODY);

        Message<byte[]> message = decode(frame.forSubscription("s")).get(0);

        assertThat(message.getPayload()).isEqualTo(BODY);
    }

    @Test
    void headerValuesAreEscapedAsStomp12Requires() {
        SharedMessageFrame frame = SharedMessageFrame.of("/topic/a:b", null, "7", BODY);

        StompHeaderAccessor headers = decodeOne(frame.forSubscription("odd:id\nwith\\escapes\r"));

        assertThat(headers.getSubscriptionId()).isEqualTo("odd:id\nwith\\escapes\r");
        assertThat(headers.getDestination()).isEqualTo("/topic/a:b");
        assertThat(headers.getFirstNativeHeader("content-type")).isNull();
    }

    @Test
    void framesOfSeveralSubscribersConcatenatedDecodeOneByOne() {
        SharedMessageFrame frame = SharedMessageFrame.of("/topic/room.general", "application/json", "9", BODY);
        byte[] first = frame.forSubscription("a");
        byte[] second = frame.forSubscription("b");
        ByteBuffer both = ByteBuffer.allocate(first.length + second.length).put(first).put(second).flip();

        List<Message<byte[]>> messages = new StompDecoder().decode(both);

        assertThat(messages).extracting(m -> accessor(m).getSubscriptionId()).containsExactly("a", "b");
    }

    private static StompHeaderAccessor decodeOne(byte[] frame) {
        List<Message<byte[]>> messages = decode(frame);
        assertThat(messages).hasSize(1);
        return accessor(messages.get(0));
    }

    private static List<Message<byte[]>> decode(byte[] frame) {
        return new StompDecoder().decode(ByteBuffer.wrap(frame));
    }

    private static StompHeaderAccessor accessor(Message<byte[]> message) {
        return MessageHeaderAccessor.getAccessor(message, StompHeaderAccessor.class);
    }
}
