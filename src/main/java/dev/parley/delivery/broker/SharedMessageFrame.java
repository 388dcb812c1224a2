package dev.parley.delivery.broker;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

import org.jspecify.annotations.Nullable;

/**
 * One STOMP MESSAGE frame for every subscriber of a destination, encoded once. Subscribers'
 * frames differ only in the {@code subscription} header, which comes last among the headers, so
 * each subscriber's frame is the shared head, its subscription id and the shared tail.
 * <p>
 * The frame carries what Spring's own encoder writes for a broker message: {@code destination},
 * {@code content-type} (when known), {@code message-id}, {@code content-length} and
 * {@code subscription}. The {@code message-id} is the same for every subscriber of one
 * message, as in RabbitMQ or ActiveMQ: it identifies the message, which STOMP 1.2 asks of it.
 * Header values are escaped as STOMP 1.2 requires of every frame but CONNECT and CONNECTED.
 * <p>
 * Subscribers with the same subscription id get the same array: most clients number their
 * subscriptions alike ({@code stomp.js}: {@code sub-0}, {@code sub-1}, ...), so a broadcast
 * to a room makes one frame per distinct id instead of one per subscriber. The arrays are
 * therefore shared and must not be changed. One instance serves one broadcast, on one thread.
 */
final class SharedMessageFrame {

    private static final byte[] SUBSCRIPTION = "\nsubscription:".getBytes(StandardCharsets.US_ASCII);

    private final byte[] head;

    private final byte[] tail;

    private @Nullable String firstId;

    private byte @Nullable [] firstFrame;

    /** Frames for ids other than the first, made only when a broadcast meets more than one id. */
    private @Nullable Map<String, byte[]> otherFrames;

    private SharedMessageFrame(byte[] head, byte[] tail) {
        this.head = head;
        this.tail = tail;
    }

    /**
     * @param contentType the {@code content-type} header, or {@code null} for none
     */
    static SharedMessageFrame of(String destination, String contentType, String messageId, byte[] body) {
        ByteArrayOutputStream head = new ByteArrayOutputStream(96 + destination.length());
        head.writeBytes("MESSAGE\ndestination:".getBytes(StandardCharsets.US_ASCII));
        head.writeBytes(escape(destination));
        if (contentType != null) {
            head.writeBytes("\ncontent-type:".getBytes(StandardCharsets.US_ASCII));
            head.writeBytes(escape(contentType));
        }
        head.writeBytes("\nmessage-id:".getBytes(StandardCharsets.US_ASCII));
        head.writeBytes(escape(messageId));
        head.writeBytes(("\ncontent-length:" + body.length).getBytes(StandardCharsets.US_ASCII));
        head.writeBytes(SUBSCRIPTION);

        byte[] tail = new byte[body.length + 3];
        tail[0] = '\n';
        tail[1] = '\n';
        System.arraycopy(body, 0, tail, 2, body.length);
        tail[tail.length - 1] = 0;
        return new SharedMessageFrame(head.toByteArray(), tail);
    }

    /**
     * The whole frame, UTF-8, for the subscriber whose subscription id is {@code subscriptionId}:
     * shared with every subscriber of the same id, not to be changed.
     */
    byte[] forSubscription(String subscriptionId) {
        byte[] first = this.firstFrame;
        if (first == null) {
            first = frame(subscriptionId);
            this.firstId = subscriptionId;
            this.firstFrame = first;
            return first;
        }
        if (subscriptionId.equals(this.firstId)) {
            return first;
        }
        Map<String, byte[]> others = this.otherFrames;
        if (others == null) {
            others = new HashMap<>();
            this.otherFrames = others;
        }
        byte[] frame = others.get(subscriptionId);
        if (frame == null) {
            frame = frame(subscriptionId);
            others.put(subscriptionId, frame);
        }
        return frame;
    }

    private byte[] frame(String subscriptionId) {
        byte[] id = escape(subscriptionId);
        byte[] frame = new byte[this.head.length + id.length + this.tail.length];
        System.arraycopy(this.head, 0, frame, 0, this.head.length);
        System.arraycopy(id, 0, frame, this.head.length, id.length);
        System.arraycopy(this.tail, 0, frame, this.head.length + id.length, this.tail.length);
        return frame;
    }

    /** STOMP 1.2 header escaping: backslash, carriage return, line feed and colon. */
    static byte[] escape(String value) {
        StringBuilder escaped = null;
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            String replacement = switch (c) {
                case '\\' -> "\\\\";
                case '\r' -> "\\r";
                case '\n' -> "\\n";
                case ':' -> "\\c";
                default -> null;
            };
            if (replacement != null && escaped == null) {
                escaped = new StringBuilder(value.length() + 8).append(value, 0, i);
            }
            if (escaped != null) {
                if (replacement != null) {
                    escaped.append(replacement);
                }
                else {
                    escaped.append(c);
                }
            }
        }
        return (escaped != null ? escaped.toString() : value).getBytes(StandardCharsets.UTF_8);
    }
}
