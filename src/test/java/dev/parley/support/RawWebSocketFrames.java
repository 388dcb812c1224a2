package dev.parley.support;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ThreadLocalRandom;

/**
 * WebSocket frames (RFC 6455) as a client reads and writes them on a raw socket, for tests that
 * must see how the server frames its messages or that read slowly on purpose.
 */
public final class RawWebSocketFrames {

    public static final int OPCODE_CONTINUATION = 0x0;

    public static final int OPCODE_TEXT = 0x1;

    public static final int OPCODE_BINARY = 0x2;

    public static final int OPCODE_CLOSE = 0x8;

    public static final int OPCODE_PING = 0x9;

    private static final int FIN = 0x80;

    private static final int RSV1 = 0x40;

    private RawWebSocketFrames() {
    }

    /** One frame as received: its first header byte and its payload. */
    public record Frame(int first, byte[] payload) {

        public int opcode() {
            return this.first & 0x0f;
        }

        public boolean fin() {
            return (this.first & FIN) != 0;
        }

        /** Set on the first frame of a compressed message ({@code permessage-deflate}). */
        public boolean rsv1() {
            return (this.first & RSV1) != 0;
        }
    }

    /** Reads the next frame (a server's: unmasked). */
    public static Frame read(DataInputStream in) throws IOException {
        int first = in.readUnsignedByte();
        int second = in.readUnsignedByte();
        long length = second & 0x7f;
        if (length == 126) {
            length = in.readUnsignedShort();
        }
        else if (length == 127) {
            length = in.readLong();
        }
        byte[] payload = new byte[Math.toIntExact(length)];
        in.readFully(payload);
        return new Frame(first, payload);
    }

    /** {@code text} as one masked text frame, as a client must send it (up to 64 KiB). */
    public static byte[] maskedText(String text) {
        return masked(OPCODE_TEXT, text.getBytes(StandardCharsets.UTF_8));
    }

    /** A masked ping; a control frame's payload has at most 125 bytes. */
    public static byte[] maskedPing(byte[] payload) {
        if (payload.length > 125) {
            throw new IllegalArgumentException("A ping carries at most 125 bytes, not " + payload.length);
        }
        return masked(OPCODE_PING, payload);
    }

    private static byte[] masked(int opcode, byte[] payload) {
        return masked(opcode, payload, true);
    }

    /**
     * One masked frame of any opcode and length, the last of its message or not ({@code fin}):
     * how a client sends a message in fragments, or a frame a server must refuse.
     */
    public static byte[] masked(int opcode, byte[] payload, boolean fin) {
        ByteArrayOutputStream frame = new ByteArrayOutputStream();
        frame.write((fin ? FIN : 0) | opcode);
        if (payload.length < 126) {
            frame.write(0x80 | payload.length);
        }
        else if (payload.length <= 0xffff) {
            frame.write(0x80 | 126);
            frame.write(payload.length >>> 8);
            frame.write(payload.length & 0xff);
        }
        else {
            frame.write(0x80 | 127);
            for (int shift = 56; shift >= 0; shift -= 8) {
                frame.write((int) ((long) payload.length >>> shift) & 0xff);
            }
        }
        byte[] mask = new byte[4];
        ThreadLocalRandom.current().nextBytes(mask);
        frame.writeBytes(mask);
        for (int i = 0; i < payload.length; i++) {
            frame.write(payload[i] ^ mask[i % 4]);
        }
        return frame.toByteArray();
    }
}
