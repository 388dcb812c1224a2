package dev.parley.delivery.session;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;

import org.springframework.messaging.Message;
import org.springframework.messaging.simp.stomp.BufferingStompDecoder;
import org.springframework.messaging.simp.stomp.StompCommand;
import org.springframework.messaging.simp.stomp.StompConversionException;
import org.springframework.messaging.simp.stomp.StompDecoder;
import org.springframework.messaging.simp.stomp.StompHeaderAccessor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CompleteFramesDecoderTests {

    /** The parts a plain WebSocket connection's frames arrive in (its receive buffer, in chars). */
    private static final int PART = 256;

    private static final int FRAME_LIMIT = 64 * 1024;

    /** How many times a decoder began to parse a frame's headers: its header initializer counts them. */
    private final AtomicInteger parses = new AtomicInteger();

    @Test
    void frameOfManyHeadersInPartsIsParsedOnceWhenItsNulArrives() {
        byte[] frame = headerHeavyFrame(6_000);

        List<Message<byte[]>> messages = decodeInParts(new CompleteFramesDecoder(), frame);

        assertThat(messages).hasSize(1);
        StompHeaderAccessor headers = StompHeaderAccessor.wrap(messages.get(0));
        assertThat(headers.getCommand()).isEqualTo(StompCommand.SEND);
        assertThat(headers.getFirstNativeHeader("x-h5999")).isEqualTo("v");
        assertThat(this.parses).as("parses of the frame's headers").hasValue(1);
    }

    @Test
    void springsDecoderParsesTheSameFrameAgainAtEveryPart() {
        // the cost the decoder removes: about one parse of everything buffered per part
        byte[] frame = headerHeavyFrame(6_000);

        List<Message<byte[]>> messages = decodeInParts(new StompDecoder(), frame);

        assertThat(messages).hasSize(1);
        assertThat(this.parses.get()).isGreaterThan(frame.length / PART / 2);
    }

    @Test
    void heartBeatsAreStillDecoded() {
        BufferingStompDecoder decoder = buffering(new CompleteFramesDecoder());

        List<Message<byte[]>> messages = decoder.decode(bytes("\n"));

        assertThat(messages).hasSize(1);
        assertThat(StompHeaderAccessor.wrap(messages.get(0)).isHeartbeat()).isTrue();
    }

    @Test
    void completeFramesAreDecodedAndTheUnfinishedOneKept() {
        BufferingStompDecoder decoder = buffering(new CompleteFramesDecoder());

        List<Message<byte[]>> first = decoder.decode(bytes("SEND\ndestination:/app/a\n\n1\0\nSEND\ndestination:/app/b\n\n2"));
        List<Message<byte[]>> second = decoder.decode(bytes("2\0"));

        assertThat(first).extracting(message -> new String(message.getPayload(), StandardCharsets.UTF_8))
            .containsExactly("1");
        assertThat(second).extracting(message -> new String(message.getPayload(), StandardCharsets.UTF_8))
            .containsExactly("22");
        assertThat(StompHeaderAccessor.wrap(second.get(0)).getDestination()).isEqualTo("/app/b");
    }

    @Test
    void bodyWithNulsIsReadByItsContentLength() {
        String body = "a\0b\0c";
        byte[] frame = bytes("SEND\ndestination:/app/a\ncontent-length:" + body.length() + "\n\n" + body + "\0").array();

        List<Message<byte[]>> messages = decodeInParts(new CompleteFramesDecoder(), frame, 3);

        assertThat(messages).hasSize(1);
        assertThat(new String(messages.get(0).getPayload(), StandardCharsets.UTF_8)).isEqualTo(body);
    }

    @Test
    void unreadableFrameIsRefusedAtItsNul() {
        BufferingStompDecoder decoder = buffering(new CompleteFramesDecoder());

        assertThat(decoder.decode(bytes("FOO\nx:y\n"))).isEmpty();
        assertThatThrownBy(() -> decoder.decode(bytes("\n\0"))).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void frameWithoutNulIsRefusedBeyondTheLimit() {
        BufferingStompDecoder decoder = buffering(new CompleteFramesDecoder());
        byte[] part = "x".repeat(PART).getBytes(StandardCharsets.US_ASCII);

        assertThatThrownBy(() -> {
            for (int i = 0; i <= FRAME_LIMIT / PART; i++) {
                decoder.decode(ByteBuffer.wrap(part));
            }
        }).isInstanceOf(StompConversionException.class).hasMessageContaining("buffer size limit");
    }

    private List<Message<byte[]>> decodeInParts(StompDecoder stompDecoder, byte[] frame) {
        return decodeInParts(stompDecoder, frame, PART);
    }

    private List<Message<byte[]>> decodeInParts(StompDecoder stompDecoder, byte[] frame, int part) {
        BufferingStompDecoder decoder = buffering(stompDecoder);
        List<Message<byte[]>> messages = new ArrayList<>();
        for (int start = 0; start < frame.length; start += part) {
            messages.addAll(decoder.decode(ByteBuffer.wrap(Arrays.copyOfRange(frame, start,
                    Math.min(frame.length, start + part)))));
        }
        return messages;
    }

    private BufferingStompDecoder buffering(StompDecoder stompDecoder) {
        stompDecoder.setHeaderInitializer(headers -> this.parses.incrementAndGet());
        return new BufferingStompDecoder(stompDecoder, FRAME_LIMIT);
    }

    private static byte[] headerHeavyFrame(int headers) {
        StringBuilder frame = new StringBuilder("SEND\ndestination:/app/room.a.typing\n");
        for (int i = 0; i < headers; i++) {
            frame.append("x-h").append(i).append(":v\n");
        }
        return frame.append("\n{}\0").toString().getBytes(StandardCharsets.UTF_8);
    }

    private static ByteBuffer bytes(String text) {
        return ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8));
    }
}
