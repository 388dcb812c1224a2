package dev.parley.identity;

import java.util.HashSet;
import java.util.Map;
import java.util.Set;

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
 */
final class ConnectionSubscriptions {

    private static final String ATTRIBUTE = ConnectionSubscriptions.class.getName();

    private final Set<String> ids = new HashSet<>();

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
                || this.ids.contains(id)) {
            return true;
        }
        if (this.ids.size() >= limit) {
            return false;
        }
        this.ids.add(id);
        return true;
    }

    synchronized void unsubscribe(@Nullable String id) {
        if (id != null) {
            this.ids.remove(id);
        }
    }

    synchronized int size() {
        return this.ids.size();
    }
}
