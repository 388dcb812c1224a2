package dev.parley.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * A streaming STOMP 1.2 decoder for text: fed the WebSocket messages (or message fragments) of one
 * connection in order, it emits every complete frame. A message may hold several frames, a frame
 * may be split across messages, and end-of-lines between frames (heart-beats) are counted and
 * skipped. Lines may end in LF or CR LF. A body is read by {@code content-length} (UTF-8 bytes)
 * when the header is present, else up to the NUL. Not thread-safe: one decoder per connection.
 */
public final class StompDecoder {

    /** Bytes buffered without a complete frame before the stream is declared broken. */
    private final int maxBuffered;

    private final StringBuilder buffer = new StringBuilder(256);

    private long heartbeats;

    public StompDecoder() {
        this(1 << 20);
    }

    public StompDecoder(int maxBuffered) {
        this.maxBuffered = maxBuffered;
    }

    /** Decodes what it can; the rest waits for the next chunk. */
    public List<StompFrame> feed(CharSequence chunk) {
        List<StompFrame> frames = new ArrayList<>(2);
        feed(chunk, frames::add);
        return frames;
    }

    public void feed(CharSequence chunk, Consumer<StompFrame> sink) {
        this.buffer.append(chunk);
        int consumed = decode(sink);
        if (consumed > 0) {
            this.buffer.delete(0, consumed);
        }
        if (this.buffer.length() > this.maxBuffered) {
            throw new StompCodec.StompException("more than " + this.maxBuffered + " chars without a complete frame");
        }
    }

    /** End-of-lines seen between frames (heart-beats). */
    public long heartbeats() {
        return this.heartbeats;
    }

    /** Chars held back waiting for the rest of a frame. */
    public int buffered() {
        return this.buffer.length();
    }

    private int decode(Consumer<StompFrame> sink) {
        StringBuilder buf = this.buffer;
        int pos = 0;
        int length = buf.length();
        while (true) {
            // heart-beats: EOLs before a frame
            while (pos < length) {
                char c = buf.charAt(pos);
                if (c == '\n') {
                    this.heartbeats++;
                    pos++;
                }
                else if (c == '\r') {
                    if (pos + 1 >= length) {
                        return pos;
                    }
                    if (buf.charAt(pos + 1) != '\n') {
                        throw new StompCodec.StompException("CR not followed by LF between frames");
                    }
                    this.heartbeats++;
                    pos += 2;
                }
                else {
                    break;
                }
            }
            if (pos >= length) {
                return pos;
            }
            int end = decodeFrame(buf, pos, length, sink);
            if (end < 0) {
                return pos;
            }
            pos = end;
        }
    }

    /** Decodes the frame starting at {@code start}; the index after its NUL, or -1 if incomplete. */
    private static int decodeFrame(StringBuilder buf, int start, int length, Consumer<StompFrame> sink) {
        int eol = buf.indexOf("\n", start);
        if (eol < 0) {
            return -1;
        }
        String command = line(buf, start, eol);
        if (command.isEmpty() || !isCommand(command)) {
            throw new StompCodec.StompException("not a STOMP command: " + printable(command));
        }
        boolean unescape = StompCodec.escapes(command);
        List<StompFrame.Header> headers = new ArrayList<>(6);
        String contentLength = null;
        int lineStart = eol + 1;
        while (true) {
            eol = buf.indexOf("\n", lineStart);
            if (eol < 0) {
                return -1;
            }
            String line = line(buf, lineStart, eol);
            lineStart = eol + 1;
            if (line.isEmpty()) {
                break;
            }
            int colon = line.indexOf(':');
            if (colon <= 0) {
                throw new StompCodec.StompException("malformed header line: " + printable(line));
            }
            String name = line.substring(0, colon);
            String value = line.substring(colon + 1);
            if (unescape) {
                name = StompCodec.unescape(name);
                value = StompCodec.unescape(value);
            }
            if (contentLength == null && name.equals("content-length")) {
                contentLength = value;
            }
            headers.add(new StompFrame.Header(name, value));
        }
        int bodyStart = lineStart;
        int bodyEnd;
        if (contentLength != null) {
            int bytes;
            try {
                bytes = Integer.parseInt(contentLength.trim());
            }
            catch (NumberFormatException ex) {
                throw new StompCodec.StompException("bad content-length: " + contentLength);
            }
            if (bytes < 0) {
                throw new StompCodec.StompException("bad content-length: " + contentLength);
            }
            bodyEnd = skipUtf8Bytes(buf, bodyStart, length, bytes);
            if (bodyEnd < 0 || bodyEnd >= length) {
                return -1;
            }
            if (buf.charAt(bodyEnd) != '\0') {
                throw new StompCodec.StompException("frame body longer than its content-length " + bytes);
            }
        }
        else {
            bodyEnd = buf.indexOf("\0", bodyStart);
            if (bodyEnd < 0) {
                return -1;
            }
        }
        sink.accept(new StompFrame(command, headers, buf.substring(bodyStart, bodyEnd)));
        return bodyEnd + 1;
    }

    /** The index after {@code bytes} UTF-8 bytes from {@code from}, or -1 if the buffer ends first. */
    private static int skipUtf8Bytes(StringBuilder buf, int from, int length, int bytes) {
        int i = from;
        int counted = 0;
        while (counted < bytes) {
            if (i >= length) {
                return -1;
            }
            char c = buf.charAt(i);
            if (c < 0x80) {
                counted++;
                i++;
            }
            else if (c < 0x800) {
                counted += 2;
                i++;
            }
            else if (Character.isHighSurrogate(c)) {
                if (i + 1 >= length) {
                    return -1;
                }
                counted += 4;
                i += 2;
            }
            else {
                counted += 3;
                i++;
            }
        }
        if (counted != bytes) {
            throw new StompCodec.StompException("content-length " + bytes + " ends inside a character");
        }
        return i;
    }

    private static String line(StringBuilder buf, int from, int eol) {
        int end = (eol > from && buf.charAt(eol - 1) == '\r') ? eol - 1 : eol;
        return buf.substring(from, end);
    }

    private static boolean isCommand(String command) {
        for (int i = 0; i < command.length(); i++) {
            char c = command.charAt(i);
            if (c < 'A' || c > 'Z') {
                return false;
            }
        }
        return true;
    }

    private static String printable(String text) {
        String shortened = text.length() > 60 ? text.substring(0, 60) + "…" : text;
        return shortened.replace("\0", "\\0").replace("\r", "\\r");
    }
}
