package dev.parley.identity;

import dev.parley.core.Destinations;
import dev.parley.core.RoomName;

/**
 * What a client may SEND to and SUBSCRIBE to (contract section 3). Everything else is a
 * protocol violation; in particular nobody publishes straight to a broker destination.
 */
final class DestinationPolicy {

    private static final String USERS_SUFFIX = ".users";

    private DestinationPolicy() {
    }

    /** Only the application's handlers take SENDs; they check the rest themselves. */
    static boolean maySend(String destination) {
        return destination != null && destination.startsWith(Destinations.APP_PREFIX);
    }

    static boolean maySubscribe(String destination) {
        if (destination == null) {
            return false;
        }
        // exactly these spellings: the user prefix makes them the subscriber's own queues, and
        // any other (another user's name, a session's suffix, a pattern) is refused
        if (destination.equals(Destinations.USER_ERRORS) || destination.equals(Destinations.USER_DIRECT)) {
            return true;
        }
        if (destination.startsWith(Destinations.ROOM_TOPIC_PREFIX)) {
            return RoomName.isValid(destination.substring(Destinations.ROOM_TOPIC_PREFIX.length()));
        }
        String users = Destinations.ROOM_APP_PREFIX;
        if (destination.startsWith(users) && destination.endsWith(USERS_SUFFIX)
                && destination.length() > users.length() + USERS_SUFFIX.length()) {
            return RoomName.isValid(destination.substring(users.length(),
                    destination.length() - USERS_SUFFIX.length()));
        }
        return false;
    }
}
