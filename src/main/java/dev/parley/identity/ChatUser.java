package dev.parley.identity;

import java.security.Principal;

/**
 * The principal of a STOMP session, bound once at CONNECT. Its name is the nickname as it was
 * first claimed, whatever case the client logged in with.
 */
public record ChatUser(Nickname nickname) implements Principal {

    @Override
    public String getName() {
        return this.nickname.value();
    }
}
