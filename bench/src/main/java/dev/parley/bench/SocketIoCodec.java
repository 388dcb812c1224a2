package dev.parley.bench;

import java.util.List;

/**
 * Engine.IO v4 / Socket.IO v5 packets as they travel over a WebSocket, one packet per text
 * message: just what the bench needs to measure the Socket.IO reference server through the same
 * client code as Parley, without a Socket.IO client library (whose threads and costs would be
 * measured instead). No binary attachments, no HTTP long-polling payloads.
 * <p>
 * An Engine.IO packet is its type digit and its data: {@code 0} open (the handshake JSON
 * follows), {@code 1} close, {@code 2} ping, {@code 3} pong, {@code 4} message, {@code 5} upgrade,
 * {@code 6} noop. A message carries a Socket.IO packet: its type digit ({@code 0} connect,
 * {@code 1} disconnect, {@code 2} event, {@code 3} ack, {@code 4} connect error, {@code 5} and
 * {@code 6} binary), the namespace when it is not {@code /} ({@code /chat,}), the ack id when
 * there is one (digits), then the JSON data. For example {@code 0{"sid":"x","pingInterval":25000,…}},
 * {@code 40}, {@code 40{"sid":"y"}}, {@code 2}, {@code 3}, {@code 42["chat message",{"text":"hi"}]},
 * {@code 420["join","r"]}, {@code 430[]}.
 */
public final class SocketIoCodec {

    public static final char OPEN = '0';

    public static final char CLOSE = '1';

    public static final char PING = '2';

    public static final char PONG = '3';

    public static final char MESSAGE = '4';

    public static final int CONNECT = 0;

    public static final int DISCONNECT = 1;

    public static final int EVENT = 2;

    public static final int ACK = 3;

    public static final int CONNECT_ERROR = 4;

    /** No Socket.IO type (not a message), no ack id. */
    public static final int NONE = -1;

    private SocketIoCodec() {
    }

    /**
     * One decoded packet.
     *
     * @param engineType the Engine.IO type, {@code '0'..'6'}
     * @param type the Socket.IO type of a {@link #MESSAGE}, else {@link #NONE}
     * @param namespace the Socket.IO namespace ({@code "/"} unless one was given)
     * @param ackId the ack id, or {@link #NONE}
     * @param data what follows: JSON for a Socket.IO packet or the handshake, {@code ""} when nothing
     */
    public record Packet(char engineType, int type, String namespace, long ackId, String data) {

        public boolean is(int socketIoType) {
            return this.engineType == MESSAGE && this.type == socketIoType;
        }

        /** An event's name and arguments, an ack's arguments: the data's array elements. */
        public List<String> arguments() {
            return Json.elements(this.data);
        }
    }

    public static final class SocketIoException extends RuntimeException {
        SocketIoException(String message) {
            super(message);
        }
    }

    public static Packet decode(CharSequence message) {
        String text = message.toString();
        if (text.isEmpty()) {
            throw new SocketIoException("empty packet");
        }
        char engineType = text.charAt(0);
        if (engineType < '0' || engineType > '6') {
            throw new SocketIoException("unknown Engine.IO packet type '" + engineType + "'");
        }
        if (engineType != MESSAGE) {
            return new Packet(engineType, NONE, "/", NONE, text.substring(1));
        }
        if (text.length() < 2 || text.charAt(1) < '0' || text.charAt(1) > '6') {
            throw new SocketIoException("no Socket.IO packet type in " + shorten(text));
        }
        int type = text.charAt(1) - '0';
        if (type == 5 || type == 6) {
            throw new SocketIoException("binary packets are not supported: " + shorten(text));
        }
        int i = 2;
        String namespace = "/";
        if (i < text.length() && text.charAt(i) == '/') {
            int comma = text.indexOf(',', i);
            int end = (comma < 0) ? text.length() : comma;
            namespace = text.substring(i, end);
            i = (comma < 0) ? end : comma + 1;
        }
        long ackId = NONE;
        int digits = i;
        while (i < text.length() && Character.isDigit(text.charAt(i))) {
            i++;
        }
        if (i > digits) {
            ackId = Long.parseLong(text, digits, i, 10);
        }
        return new Packet(engineType, type, namespace, ackId, text.substring(i));
    }

    /** Connect to the default namespace {@code /}, without auth data. */
    public static String connect() {
        return "40";
    }

    /** The answer to the server's ping. */
    public static String pong() {
        return "3";
    }

    /**
     * An event to the default namespace.
     *
     * @param ackId asks the server to acknowledge with this id, or {@link #NONE}
     * @param jsonArguments the arguments, each already JSON ({@link Json#quote(String)} for a string)
     */
    public static String event(long ackId, String name, String... jsonArguments) {
        StringBuilder out = new StringBuilder(32 + name.length());
        out.append(MESSAGE).append(EVENT);
        if (ackId != NONE) {
            out.append(ackId);
        }
        out.append('[');
        Json.quoteTo(out, name);
        for (String argument : jsonArguments) {
            out.append(',').append(argument);
        }
        return out.append(']').toString();
    }

    private static String shorten(String text) {
        return (text.length() > 80) ? text.substring(0, 80) + "…" : text;
    }
}
