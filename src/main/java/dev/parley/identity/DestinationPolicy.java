package dev.parley.identity;

import dev.parley.core.RoomName;

/**
 * What a client may SEND to and SUBSCRIBE to (contract section 3). Everything else is a
 * protocol violation; in particular nobody publishes straight to a broker destination.
 */
final class DestinationPolicy {

    private static final String APP_PREFIX = "/app/";

    private static final String ROOM_TOPIC_PREFIX = "/topic/room.";

    private static final String USERS_PREFIX = "/app/room.";

    private static final String USERS_SUFFIX = ".users";

    private static final String ERRORS = "/user/queue/errors";

    private DestinationPolicy() {
    }

    /** Only the application's handlers take SENDs; they check the rest themselves. */
    static boolean maySend(String destination) {
        return destination != null && destination.startsWith(APP_PREFIX);
    }

    static boolean maySubscribe(String destination) {
        if (destination == null) {
            return false;
        }
        if (destination.equals(ERRORS)) {
            return true;
        }
        if (destination.startsWith(ROOM_TOPIC_PREFIX)) {
            return RoomName.isValid(destination.substring(ROOM_TOPIC_PREFIX.length()));
        }
        if (destination.startsWith(USERS_PREFIX) && destination.endsWith(USERS_SUFFIX)
                && destination.length() > USERS_PREFIX.length() + USERS_SUFFIX.length()) {
            return RoomName.isValid(destination.substring(USERS_PREFIX.length(),
                    destination.length() - USERS_SUFFIX.length()));
        }
        return false;
    }
}
