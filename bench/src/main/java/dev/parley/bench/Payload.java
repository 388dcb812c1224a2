package dev.parley.bench;

/**
 * The text of a bench message: {@code pb:<step>:<m|w>:<room seq>:<send nanos>[:<padding>]}.
 * {@code m} marks a message sent in the measured window, {@code w} one sent in warm-up; the room
 * sequence numbers the bench's own messages per room (for duplicate detection), the send time is
 * the sender's {@link System#nanoTime()} (one process, so it is comparable on receipt).
 */
public record Payload(int step, boolean measured, int roomSeq, long sendNanos) {

    private static final String PREFIX = "pb:";

    public String format(int padTo) {
        StringBuilder out = new StringBuilder(Math.max(48, padTo));
        out.append(PREFIX).append(this.step).append(':').append(this.measured ? 'm' : 'w').append(':')
                .append(this.roomSeq).append(':').append(this.sendNanos);
        if (out.length() < padTo) {
            out.append(':');
            while (out.length() < padTo) {
                out.append('x');
            }
        }
        return out.toString();
    }

    /** The payload in a message text, or {@code null} when the text is not a bench payload. */
    public static Payload parse(String text) {
        if (text == null || !text.startsWith(PREFIX)) {
            return null;
        }
        try {
            int a = PREFIX.length();
            int b = text.indexOf(':', a);
            int step = Integer.parseInt(text, a, b, 10);
            char flag = text.charAt(b + 1);
            if ((flag != 'm' && flag != 'w') || text.charAt(b + 2) != ':') {
                return null;
            }
            int c = b + 3;
            int d = text.indexOf(':', c);
            int roomSeq = Integer.parseInt(text, c, d, 10);
            int e = text.indexOf(':', d + 1);
            long nanos = Long.parseLong(text, d + 1, (e < 0) ? text.length() : e, 10);
            return new Payload(step, flag == 'm', roomSeq, nanos);
        }
        catch (RuntimeException ex) {
            return null;
        }
    }
}
