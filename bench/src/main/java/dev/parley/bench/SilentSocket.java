package dev.parley.bench;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A client that opens a connection and then says nothing, on a plain socket (no WebSocket
 * library, as anyone could): either a WebSocket whose handshake completes but which never sends
 * STOMP's CONNECT (contract section 6a: closed within 10 s), or a TCP connection that never
 * sends an HTTP request at all (left to the HTTP server's own timeout). Measures how long the
 * server keeps it.
 */
final class SilentSocket {

    /**
     * @param upgraded the server answered the handshake with 101 (the bare TCP connection: false)
     * @param status the handshake's status line, or null
     * @param closeFrameSeconds from the 101 to the server's WebSocket close frame, or -1 if none came
     * @param closeStatus the close frame's status code, or -1
     * @param endSeconds from the connection being open (the 101, for a WebSocket) to the server
     *        closing the TCP connection, or -1 if it was still open after the time allowed
     */
    record Outcome(boolean upgraded, String status, double closeFrameSeconds, int closeStatus, double endSeconds,
            String note) {
    }

    /** A WebSocket frame as the server sends it (unmasked). */
    record Frame(int opcode, byte[] payload) {
    }

    static final int OPCODE_CLOSE = 8;

    private SilentSocket() {
    }

    /** Completes the WebSocket handshake to {@code ws}, then waits (at most {@code limit}) for the server to close. */
    static Outcome upgradedWithoutConnect(URI ws, Duration limit) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(ws.getHost(), port(ws)), (int) limit.toMillis());
            socket.setSoTimeout((int) limit.toMillis());
            OutputStream out = socket.getOutputStream();
            DataInputStream in = new DataInputStream(socket.getInputStream());
            out.write(handshake(ws, key()).getBytes(StandardCharsets.US_ASCII));
            out.flush();
            String head = readHead(in);
            String status = head.lines().findFirst().orElse("");
            if (!status.contains(" 101 ")) {
                return new Outcome(false, status, -1, -1, -1, "handshake refused");
            }
            long open = System.nanoTime();
            double closeFrame = -1;
            int closeStatus = -1;
            try {
                while (true) {
                    Frame frame = readFrame(in);
                    if (frame.opcode() == OPCODE_CLOSE && closeFrame < 0) {
                        closeFrame = seconds(open);
                        closeStatus = closeStatus(frame.payload());
                        // answer it, as a client should, so that the server may end the TCP connection
                        out.write(maskedClose(closeStatus));
                        out.flush();
                    }
                }
            }
            catch (EOFException ex) {
                return new Outcome(true, status, closeFrame, closeStatus, seconds(open), null);
            }
            catch (SocketTimeoutException ex) {
                return new Outcome(true, status, closeFrame, closeStatus, -1,
                        "still open after " + limit.toSeconds() + " s");
            }
            catch (IOException ex) {
                // a reset is a close too
                return new Outcome(true, status, closeFrame, closeStatus, seconds(open), ex.toString());
            }
        }
        catch (IOException ex) {
            return new Outcome(false, null, -1, -1, -1, ex.toString());
        }
    }

    /** Opens a TCP connection to the server of {@code ws}, sends nothing, waits (at most {@code limit}) for it to close. */
    static Outcome bareTcp(URI ws, Duration limit) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(ws.getHost(), port(ws)), (int) limit.toMillis());
            socket.setSoTimeout((int) limit.toMillis());
            long open = System.nanoTime();
            InputStream in = socket.getInputStream();
            try {
                // whatever the server writes (an error page) is read until it closes
                while (in.read() >= 0) {
                    // nothing to do with it
                }
                return new Outcome(false, null, -1, -1, seconds(open), null);
            }
            catch (SocketTimeoutException ex) {
                return new Outcome(false, null, -1, -1, -1, "still open after " + limit.toSeconds() + " s");
            }
            catch (IOException ex) {
                return new Outcome(false, null, -1, -1, seconds(open), ex.toString());
            }
        }
        catch (IOException ex) {
            return new Outcome(false, null, -1, -1, -1, ex.toString());
        }
    }

    static String handshake(URI ws, String key) {
        String path = (ws.getRawPath() == null || ws.getRawPath().isEmpty()) ? "/" : ws.getRawPath();
        if (ws.getRawQuery() != null) {
            path += "?" + ws.getRawQuery();
        }
        return "GET " + path + " HTTP/1.1\r\n"
                + "Host: " + ws.getHost() + ":" + port(ws) + "\r\n"
                + "Upgrade: websocket\r\n"
                + "Connection: Upgrade\r\n"
                + "Sec-WebSocket-Key: " + key + "\r\n"
                + "Sec-WebSocket-Version: 13\r\n"
                + "Sec-WebSocket-Protocol: v12.stomp\r\n"
                + "\r\n";
    }

    /** The response's status line and headers, up to the blank line. */
    static String readHead(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int matched = 0;
        byte[] end = { '\r', '\n', '\r', '\n' };
        while (matched < end.length) {
            int b = in.read();
            if (b < 0) {
                throw new EOFException("closed during the handshake");
            }
            head.write(b);
            matched = (b == end[matched]) ? matched + 1 : ((b == '\r') ? 1 : 0);
        }
        return head.toString(StandardCharsets.ISO_8859_1);
    }

    /** Reads one frame; {@link EOFException} once the server has closed the TCP connection. */
    static Frame readFrame(DataInputStream in) throws IOException {
        int first = in.readUnsignedByte();
        int second = in.readUnsignedByte();
        long length = second & 0x7f;
        if (length == 126) {
            length = in.readUnsignedShort();
        }
        else if (length == 127) {
            length = in.readLong();
        }
        byte[] mask = null;
        if ((second & 0x80) != 0) {
            mask = new byte[4];
            in.readFully(mask);
        }
        if (length > 1 << 20) {
            throw new IOException("frame of " + length + " bytes");
        }
        byte[] payload = new byte[(int) length];
        in.readFully(payload);
        if (mask != null) {
            for (int i = 0; i < payload.length; i++) {
                payload[i] ^= mask[i % 4];
            }
        }
        return new Frame(first & 0x0f, payload);
    }

    /** A close frame's status code (its first two bytes), or -1 when it has none. */
    static int closeStatus(byte[] payload) {
        return (payload.length < 2) ? -1 : ((payload[0] & 0xff) << 8) | (payload[1] & 0xff);
    }

    /** A client's close frame: clients must mask what they send. */
    static byte[] maskedClose(int status) {
        byte[] mask = new byte[4];
        ThreadLocalRandom.current().nextBytes(mask);
        boolean withStatus = status >= 0;
        byte[] frame = new byte[withStatus ? 8 : 6];
        frame[0] = (byte) (0x80 | OPCODE_CLOSE);
        frame[1] = (byte) (0x80 | (withStatus ? 2 : 0));
        System.arraycopy(mask, 0, frame, 2, 4);
        if (withStatus) {
            frame[6] = (byte) (((status >> 8) & 0xff) ^ mask[0]);
            frame[7] = (byte) ((status & 0xff) ^ mask[1]);
        }
        return frame;
    }

    private static String key() {
        byte[] nonce = new byte[16];
        ThreadLocalRandom.current().nextBytes(nonce);
        return Base64.getEncoder().encodeToString(nonce);
    }

    private static int port(URI ws) {
        if (ws.getPort() > 0) {
            return ws.getPort();
        }
        return "wss".equals(ws.getScheme()) ? 443 : 80;
    }

    private static double seconds(long sinceNanos) {
        return (System.nanoTime() - sinceNanos) / 1e9;
    }
}
