package dev.parley.core;

/**
 * The private conversation of two nicknames (contract section 10): the same whichever of them
 * names it, since its parties are kept in a canonical order, that of their {@link Nickname#key()
 * keys}. Each party keeps the spelling of its first claim, for display.
 *
 * @param low the party whose key sorts first
 * @param high the other party
 */
public record Conversation(Nickname low, Nickname high) {

    public Conversation {
        if (low == null || high == null || low.key().compareTo(high.key()) >= 0) {
            throw new IllegalArgumentException("a conversation is between two nicknames, in the order of their keys");
        }
    }

    /** The conversation of two different nicknames, given in either order. */
    public static Conversation between(Nickname one, Nickname other) {
        return (one.key().compareTo(other.key()) < 0) ? new Conversation(one, other) : new Conversation(other, one);
    }

    /** Whether {@code nickname} is one of the two parties. */
    public boolean includes(Nickname nickname) {
        return this.low.equals(nickname) || this.high.equals(nickname);
    }

    /** The party that is not {@code party}, which must be one of the two. */
    public Nickname other(Nickname party) {
        return this.low.equals(party) ? this.high : this.low;
    }

    @Override
    public String toString() {
        return this.low + "/" + this.high;
    }
}
