package dev.parley.support;

/** The STOMP destinations of contract section 4, spelled once for the tests. */
public final class Destinations {

    /** Where a connection's error replies arrive. */
    public static final String ERRORS = "/user/queue/errors";

    private Destinations() {
    }

    /** The room's events: {@code /topic/room.{room}}. */
    public static String topic(String room) {
        return "/topic/room." + room;
    }

    /** {@code /app/room.{room}.join}. */
    public static String join(String room) {
        return app(room, "join");
    }

    /** {@code /app/room.{room}.leave}. */
    public static String leave(String room) {
        return app(room, "leave");
    }

    /** {@code /app/room.{room}.send}. */
    public static String send(String room) {
        return app(room, "send");
    }

    /** {@code /app/room.{room}.typing}. */
    public static String typing(String room) {
        return app(room, "typing");
    }

    /** The online list, answered once on SUBSCRIBE: {@code /app/room.{room}.users}. */
    public static String users(String room) {
        return app(room, "users");
    }

    /**
     * {@code /app/room.{room}.{operation}}, for a test that takes the operation as a parameter;
     * otherwise prefer the named helpers.
     */
    public static String app(String room, String operation) {
        return "/app/room." + room + "." + operation;
    }
}
