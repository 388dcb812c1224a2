package dev.parley.core;

/**
 * The STOMP destinations of the wire contract (section 3), spelled once. Clients send to
 * {@value #APP_PREFIX}... and subscribe to a room's topic, a room's online list and their own
 * queues; everything under {@value #TOPIC} and {@value #QUEUE} belongs to the broker, which only
 * the server publishes to.
 */
public final class Destinations {

    /** Where clients send: the application's handlers. */
    public static final String APP = "/app";

    /** {@link #APP} with its separator: every destination a client may send to starts with it. */
    public static final String APP_PREFIX = APP + "/";

    /** The broker's topics. */
    public static final String TOPIC = "/topic";

    /** The broker's queues, reached per user through {@link #USER}. */
    public static final String QUEUE = "/queue";

    /** The prefix that turns a queue into the subscribing user's own. */
    public static final String USER = "/user";

    /** A room's events: this, then the room's name. */
    public static final String ROOM_TOPIC_PREFIX = TOPIC + "/room.";

    /**
     * A room's operations ({@code join}, {@code leave}, {@code send}, {@code typing}) and its
     * online list ({@code users}): this, the room's name, a dot and the operation.
     */
    public static final String ROOM_APP_PREFIX = APP + "/room.";

    /** Error replies, as the server sends them to one user's connection. */
    public static final String ERRORS_QUEUE = QUEUE + "/errors";

    /** Error replies, as a client subscribes to them. */
    public static final String USER_ERRORS = USER + ERRORS_QUEUE;

    /** A principal's private conversations, as the server sends them to one user's connections. */
    public static final String DIRECT_QUEUE = QUEUE + "/direct";

    /** A principal's private conversations, as a client subscribes to them (contract section 10). */
    public static final String USER_DIRECT = USER + DIRECT_QUEUE;

    private Destinations() {
    }
}
