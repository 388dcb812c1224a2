package dev.parley.delivery.session;

import java.nio.ByteBuffer;
import java.util.Collections;
import java.util.List;

import org.jspecify.annotations.Nullable;

import org.springframework.messaging.Message;
import org.springframework.messaging.simp.SimpMessageHeaderAccessor;
import org.springframework.messaging.simp.SimpMessageType;
import org.springframework.messaging.simp.stomp.StompDecoder;
import org.springframework.util.MultiValueMap;

/**
 * Spring's STOMP decoder, which parses a connection's buffered bytes only once they can hold a
 * whole frame: a frame ends with a NUL, so bytes without one are a frame still arriving (or
 * heart-beats, which are parsed as before).
 * <p>
 * Why: a plain WebSocket connection's frames arrive in parts of a few hundred bytes (its small
 * receive buffer, {@code WebSocketConfiguration}), and Spring's buffering decoder parses
 * everything buffered again at every part. A 59 KB frame of 6,000 short headers (within the
 * 64 KiB limit, and allowed before CONNECT) took 1.8 to 3.3 s of the server's CPU that way, on
 * the thread that reads frames (found by {@code StompFrontDoorFuzzIntegrationTests}); now it is
 * parsed once, when its NUL arrives. A frame the decoder would refuse is refused at that NUL, or
 * when the buffer passes the frame limit, rather than at its first part.
 * <p>
 * It also tells the connection whose bytes it decodes whether it decoded a frame and whether
 * bytes wait for the next part ({@link ClientSessionDecorator#receivedOnlyHeartbeats}).
 */
public final class CompleteFramesDecoder extends StompDecoder {

    @Override
    public List<Message<byte[]>> decode(ByteBuffer byteBuffer,
            @Nullable MultiValueMap<String, String> partialMessageHeaders) {
        if (!containsNul(byteBuffer) && !onlyEndOfLines(byteBuffer)) {
            // left as it is: the buffering decoder keeps it and adds the next part
            ClientSessionDecorator.decoded(false, true);
            return Collections.emptyList();
        }
        List<Message<byte[]>> messages = super.decode(byteBuffer, partialMessageHeaders);
        // what remains, the buffering decoder keeps for the next part
        ClientSessionDecorator.decoded(containsFrame(messages), byteBuffer.hasRemaining());
        return messages;
    }

    private static boolean containsFrame(List<Message<byte[]>> messages) {
        for (Message<byte[]> message : messages) {
            if (SimpMessageHeaderAccessor.getMessageType(message.getHeaders()) != SimpMessageType.HEARTBEAT) {
                return true;
            }
        }
        return false;
    }

    /** Searched from the end, where the NUL of a frame just completed is. */
    private static boolean containsNul(ByteBuffer buffer) {
        for (int i = buffer.limit() - 1; i >= buffer.position(); i--) {
            if (buffer.get(i) == 0) {
                return true;
            }
        }
        return false;
    }

    private static boolean onlyEndOfLines(ByteBuffer buffer) {
        for (int i = buffer.position(); i < buffer.limit(); i++) {
            byte b = buffer.get(i);
            if (b != '\n' && b != '\r') {
                return false;
            }
        }
        return true;
    }
}
