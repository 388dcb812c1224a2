package dev.parley.identity;

import dev.parley.core.Nickname;

/**
 * How many connections each nickname holds at once, so that one nickname cannot hold more than
 * {@code chat.limits.connections-per-nickname} (contract section 6a). A connection is counted at
 * its CONNECT and released when it ends. The in-process implementation counts the connections of
 * this instance; a clustered one counts those of every instance.
 * <p>
 * Both are idempotent: counting a connection counted already, or releasing one twice (a
 * DISCONNECT and then the closed socket both report it), changes nothing the second time.
 */
public interface NicknameConnections {

    /**
     * Counts the connection for the nickname; {@code false}, and nothing counted, when the
     * nickname holds as many connections as it may already, or the connection has ended.
     */
    boolean open(String sessionId, Nickname nickname);

    /** The connection ended: it no longer counts. */
    void close(String sessionId);
}
