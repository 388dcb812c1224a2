package dev.parley.core;

import org.junit.jupiter.api.Test;

import org.springframework.messaging.Message;
import org.springframework.messaging.simp.stomp.StompCommand;
import org.springframework.messaging.simp.stomp.StompHeaderAccessor;
import org.springframework.messaging.support.MessageBuilder;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

class ChatUserTests {

    @Test
    void theUserBoundAtConnectIsReadFromTheFrame() {
        ChatUser alice = new ChatUser(new Nickname("alice"));
        StompHeaderAccessor headers = StompHeaderAccessor.create(StompCommand.SEND);
        headers.setUser(alice);
        Message<byte[]> frame = MessageBuilder.createMessage(new byte[0], headers.getMessageHeaders());

        assertThat(ChatUser.of(frame)).isSameAs(alice);
    }

    @Test
    void aFrameWithoutAChatUserIsRefused() {
        Message<byte[]> frame = MessageBuilder.createMessage(new byte[0],
                StompHeaderAccessor.create(StompCommand.SEND).getMessageHeaders());

        assertThatIllegalStateException().isThrownBy(() -> ChatUser.of(frame));
    }

}
