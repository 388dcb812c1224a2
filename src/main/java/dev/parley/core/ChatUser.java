package dev.parley.core;

import java.security.Principal;

import org.springframework.messaging.Message;
import org.springframework.messaging.simp.SimpMessageHeaderAccessor;

/**
 * The principal of a STOMP session, bound once at CONNECT. Its name is the nickname as it was
 * first claimed, whatever case the client logged in with.
 */
public record ChatUser(Nickname nickname) implements Principal {

    /**
     * The user of a frame that passed CONNECT. Handlers call this rather than declaring a
     * {@code ChatUser} parameter: Spring's principal argument resolver asks on every call
     * whether the parameter is optional, which parses the method's parameter annotations each
     * time (see docs/performance.md, session 3, for what that cost).
     *
     * @throws IllegalStateException if the frame has no chat user, which {@code StompAuthentication}
     * does not let happen
     */
    public static ChatUser of(Message<?> frame) {
        if (SimpMessageHeaderAccessor.getUser(frame.getHeaders()) instanceof ChatUser user) {
            return user;
        }
        throw new IllegalStateException("a frame without a chat user passed CONNECT");
    }

    @Override
    public String getName() {
        return this.nickname.value();
    }
}
