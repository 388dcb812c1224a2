package dev.parley.identity;

import java.util.Arrays;
import java.util.Map;

import org.jspecify.annotations.Nullable;

import dev.parley.core.Destinations;

/**
 * The subscriptions one connection holds, by id, so that it holds at most
 * {@code chat.limits.subscriptions-per-connection} (contract section 6a). Kept in the
 * connection's session attributes: they go with the connection however it ends, and nothing
 * outside it grows with them.
 * <p>
 * A subscription counts while the server holds it: from its SUBSCRIBE to its UNSUBSCRIBE. A
 * SUBSCRIBE with an id the connection holds already takes no second place (the broker keeps one
 * subscription per id). A subscription to an {@code /app/...} destination, such as a room's
 * online list, is answered once and held by nobody, so it does not count.
 * <p>
 * The ids are kept in an array searched from the start: a connection holds a few subscriptions
 * (its rooms and its own queues) and at most the limit, and every idle connection keeps this
 * object; a {@code HashSet} took 176 bytes for its first id.
 */
final class ConnectionSubscriptions {

    private static final String ATTRIBUTE = ConnectionSubscriptions.class.getName();

    private static final String[] NONE = {};

    private String[] ids = NONE;

    private int size;

    private ConnectionSubscriptions() {
    }

    /** The subscriptions of the connection whose session attributes these are. */
    static ConnectionSubscriptions of(Map<String, Object> sessionAttributes) {
        // a plain WebSocket's attributes are a HashMap
        synchronized (sessionAttributes) {
            return (ConnectionSubscriptions) sessionAttributes.computeIfAbsent(ATTRIBUTE,
                    key -> new ConnectionSubscriptions());
        }
    }

    /**
     * Counts the subscription; {@code false}, and nothing counted, when the connection holds
     * {@code limit} subscriptions already.
     */
    synchronized boolean subscribe(@Nullable String id, @Nullable String destination, int limit) {
        if (id == null || destination == null || destination.startsWith(Destinations.APP_PREFIX)
                || indexOf(id) >= 0) {
            return true;
        }
        if (this.size >= limit) {
            return false;
        }
        if (this.size == this.ids.length) {
            this.ids = Arrays.copyOf(this.ids, Math.max(2, this.size * 2));
        }
        this.ids[this.size++] = id;
        return true;
    }

    synchronized void unsubscribe(@Nullable String id) {
        int index = (id != null) ? indexOf(id) : -1;
        if (index >= 0) {
            this.ids[index] = this.ids[--this.size];
            this.ids[this.size] = null;
        }
    }

    synchronized int size() {
        return this.size;
    }

    private int indexOf(String id) {
        for (int i = 0; i < this.size; i++) {
            if (this.ids[i].equals(id)) {
                return i;
            }
        }
        return -1;
    }
}
