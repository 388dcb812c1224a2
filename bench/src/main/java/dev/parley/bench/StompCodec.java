package dev.parley.bench;

import java.nio.charset.StandardCharsets;

/**
 * Encodes STOMP 1.2 frames as text and escapes/unescapes header values.
 * <p>
 * Header values are escaped ({@code \\ \r \n :} as {@code \\\\ \\r \\n \\c}) in every frame except
 * CONNECT and CONNECTED, which STOMP 1.2 leaves unescaped for 1.0 compatibility. The encoder adds
 * a {@code content-length} header (UTF-8 bytes of the body) unless the frame has one or has no
 * body.
 */
public final class StompCodec {

    private StompCodec() {
    }

    public static String encode(StompFrame frame) {
        boolean escape = escapes(frame.command());
        StringBuilder out = new StringBuilder(64 + frame.body().length());
        out.append(frame.command()).append('\n');
        boolean hasLength = false;
        for (StompFrame.Header header : frame.headers()) {
            hasLength |= header.name().equals("content-length");
            appendHeader(out, header.name(), header.value(), escape);
        }
        if (!hasLength && !frame.body().isEmpty()) {
            out.append("content-length:").append(utf8Length(frame.body())).append('\n');
        }
        out.append('\n').append(frame.body()).append('\0');
        return out.toString();
    }

    /** Header values are escaped in every frame but CONNECT and CONNECTED (STOMP 1.2). */
    static boolean escapes(String command) {
        return !command.equals("CONNECT") && !command.equals("CONNECTED");
    }

    private static void appendHeader(StringBuilder out, String name, String value, boolean escape) {
        if (escape) {
            escapeTo(out, name);
            out.append(':');
            escapeTo(out, value);
        }
        else {
            if (name.indexOf('\n') >= 0 || name.indexOf(':') >= 0 || value.indexOf('\n') >= 0) {
                throw new IllegalArgumentException("header of a CONNECT frame cannot hold ':' in its name or a newline: " + name);
            }
            out.append(name).append(':').append(value);
        }
        out.append('\n');
    }

    public static String escape(String value) {
        StringBuilder out = new StringBuilder(value.length() + 8);
        escapeTo(out, value);
        return out.toString();
    }

    private static void escapeTo(StringBuilder out, String value) {
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            switch (c) {
                case '\\' -> out.append("\\\\");
                case '\r' -> out.append("\\r");
                case '\n' -> out.append("\\n");
                case ':' -> out.append("\\c");
                default -> out.append(c);
            }
        }
    }

    /**
     * Undoes {@link #escape}.
     *
     * @throws StompException for an escape STOMP 1.2 does not define (it must be treated as a
     *         fatal protocol error)
     */
    public static String unescape(String value) {
        int backslash = value.indexOf('\\');
        if (backslash < 0) {
            return value;
        }
        StringBuilder out = new StringBuilder(value.length());
        out.append(value, 0, backslash);
        for (int i = backslash; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c != '\\') {
                out.append(c);
                continue;
            }
            if (i + 1 >= value.length()) {
                throw new StompException("header value ends inside an escape: " + value);
            }
            char next = value.charAt(++i);
            switch (next) {
                case '\\' -> out.append('\\');
                case 'r' -> out.append('\r');
                case 'n' -> out.append('\n');
                case 'c' -> out.append(':');
                default -> throw new StompException("undefined escape \\" + next + " in header value: " + value);
            }
        }
        return out.toString();
    }

    public static int utf8Length(CharSequence text) {
        int bytes = 0;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c < 0x80) {
                bytes++;
            }
            else if (c < 0x800) {
                bytes += 2;
            }
            else if (Character.isHighSurrogate(c) && i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1))) {
                bytes += 4;
                i++;
            }
            else {
                bytes += 3;
            }
        }
        return bytes;
    }

    static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    /** A malformed frame: a fatal protocol error. */
    public static final class StompException extends RuntimeException {
        public StompException(String message) {
            super(message);
        }
    }
}
