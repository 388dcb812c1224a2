package dev.parley.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class StompDecoderTests {

    private static final String MESSAGE = "MESSAGE\ndestination:/topic/room.general\nsubscription:0\nmessage-id:7\n"
            + "content-type:application/json\ncontent-length:26\n\n{\"type\":\"MESSAGE\",\"id\":42}\0";

    @Test
    void decodesOneFrame() {
        List<StompFrame> frames = new StompDecoder().feed(MESSAGE);
        assertEquals(1, frames.size());
        StompFrame frame = frames.get(0);
        assertEquals("MESSAGE", frame.command());
        assertEquals("/topic/room.general", frame.header("destination"));
        assertEquals("0", frame.header("subscription"));
        assertEquals(5, frame.headers().size());
        assertEquals("{\"type\":\"MESSAGE\",\"id\":42}", frame.body());
        assertNull(frame.header("receipt"));
    }

    @Test
    void decodesSeveralFramesInOneMessageWithHeartbeatsBetween() {
        StompDecoder decoder = new StompDecoder();
        List<StompFrame> frames = decoder.feed("\n" + MESSAGE + "\n\r\n" + "RECEIPT\nreceipt-id:r1\n\n\0" + MESSAGE + "\n");
        assertEquals(List.of("MESSAGE", "RECEIPT", "MESSAGE"), frames.stream().map(StompFrame::command).toList());
        assertEquals("r1", frames.get(1).header("receipt-id"));
        assertEquals("", frames.get(1).body());
        assertEquals(4, decoder.heartbeats());
        assertEquals(0, decoder.buffered());
    }

    @Test
    void countsHeartbeatsAlone() {
        StompDecoder decoder = new StompDecoder();
        assertTrue(decoder.feed("\n").isEmpty());
        assertTrue(decoder.feed("\r").isEmpty());
        assertTrue(decoder.feed("\n\n").isEmpty());
        assertEquals(3, decoder.heartbeats());
    }

    @Test
    void decodesAFrameSplitAtEveryPosition() {
        String stream = MESSAGE + "\n" + "ERROR\nmessage:bad\\cthing\n\nbody without length\0";
        for (int split = 0; split <= stream.length(); split++) {
            StompDecoder decoder = new StompDecoder();
            List<StompFrame> frames = new ArrayList<>(decoder.feed(stream.substring(0, split)));
            frames.addAll(decoder.feed(stream.substring(split)));
            assertEquals(2, frames.size(), "split at " + split);
            assertEquals("{\"type\":\"MESSAGE\",\"id\":42}", frames.get(0).body());
            assertEquals("bad:thing", frames.get(1).header("message"));
            assertEquals("body without length", frames.get(1).body());
        }
    }

    @Test
    void decodesAStreamFedOneCharAtATime() {
        StompDecoder decoder = new StompDecoder();
        List<StompFrame> frames = new ArrayList<>();
        String stream = MESSAGE + MESSAGE + "\n\n" + MESSAGE;
        for (int i = 0; i < stream.length(); i++) {
            frames.addAll(decoder.feed(stream.substring(i, i + 1)));
        }
        assertEquals(3, frames.size());
        assertEquals(2, decoder.heartbeats());
    }

    @Test
    void acceptsCrLfLineEnds() {
        List<StompFrame> frames = new StompDecoder().feed("CONNECTED\r\nversion:1.2\r\nheart-beat:0,0\r\n\r\n\0");
        assertEquals("1.2", frames.get(0).header("version"));
        assertEquals("0,0", frames.get(0).header("heart-beat"));
    }

    @Test
    void readsABodyByContentLengthEvenWithNulsAndMultiByteCharacters() {
        String body = "a\0é😀";
        int bytes = StompCodec.utf8Length(body);
        String frame = "MESSAGE\ncontent-length:" + bytes + "\n\n" + body + "\0";
        for (int split = 0; split <= frame.length(); split++) {
            StompDecoder decoder = new StompDecoder();
            List<StompFrame> frames = new ArrayList<>(decoder.feed(frame.substring(0, split)));
            frames.addAll(decoder.feed(frame.substring(split)));
            assertEquals(1, frames.size(), "split at " + split);
            assertEquals(body, frames.get(0).body());
        }
    }

    @Test
    void theFirstOfRepeatedHeadersCounts() {
        StompFrame frame = new StompDecoder().feed("MESSAGE\nfoo:first\nfoo:second\n\n\0").get(0);
        assertEquals("first", frame.header("foo"));
        assertEquals(2, frame.headers().size());
    }

    @Test
    void unescapesHeadersExceptInConnected() {
        StompFrame message = new StompDecoder().feed("MESSAGE\nx:a\\cb\\\\c\\nd\n\n\0").get(0);
        assertEquals("a:b\\c\nd", message.header("x"));
        StompFrame connected = new StompDecoder().feed("CONNECTED\nx:a\\cb\n\n\0").get(0);
        assertEquals("a\\cb", connected.header("x"));
    }

    @Test
    void refusesMalformedFrames() {
        assertThrows(StompCodec.StompException.class, () -> new StompDecoder().feed("MESSAGE\nno colon\n\n\0"));
        assertThrows(StompCodec.StompException.class, () -> new StompDecoder().feed("MESSAGE\ncontent-length:1\n\nab\0"));
        assertThrows(StompCodec.StompException.class, () -> new StompDecoder().feed("message\n\n\0"));
        assertThrows(StompCodec.StompException.class, () -> new StompDecoder().feed("MESSAGE\nx:bad\\t\n\n\0"));
        assertThrows(StompCodec.StompException.class, () -> new StompDecoder().feed("\rX"));
    }

    @Test
    void refusesAnEndlessFrame() {
        StompDecoder decoder = new StompDecoder(100);
        assertThrows(StompCodec.StompException.class, () -> decoder.feed("MESSAGE\n\n" + "x".repeat(200)));
    }

    @Test
    void decodesWhatTheEncoderWrites() {
        Random random = new Random(7);
        String alphabet = "az:\\\n\ré€{}\"";
        StringBuilder stream = new StringBuilder();
        List<StompFrame> sent = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            StompFrame.Builder builder = StompFrame.builder(i % 2 == 0 ? "SEND" : "MESSAGE");
            int headers = random.nextInt(4);
            for (int h = 0; h < headers; h++) {
                builder.header("h" + h, randomText(random, alphabet, 8));
            }
            StompFrame frame = builder.body(randomText(random, alphabet + "\0", 30)).build();
            sent.add(frame);
            stream.append(StompCodec.encode(frame));
            if (random.nextInt(4) == 0) {
                stream.append('\n');
            }
        }
        StompDecoder decoder = new StompDecoder();
        List<StompFrame> received = new ArrayList<>();
        int pos = 0;
        while (pos < stream.length()) {
            int next = Math.min(stream.length(), pos + 1 + random.nextInt(90));
            received.addAll(decoder.feed(stream.substring(pos, next)));
            pos = next;
        }
        assertEquals(sent.size(), received.size());
        for (int i = 0; i < sent.size(); i++) {
            StompFrame expected = sent.get(i);
            StompFrame actual = received.get(i);
            assertEquals(expected.command(), actual.command());
            assertEquals(expected.body(), actual.body());
            for (StompFrame.Header header : expected.headers()) {
                assertEquals(header.value(), actual.header(header.name()));
            }
        }
    }

    private static String randomText(Random random, String alphabet, int max) {
        StringBuilder text = new StringBuilder();
        int length = random.nextInt(max + 1);
        for (int i = 0; i < length; i++) {
            text.append(alphabet.charAt(random.nextInt(alphabet.length())));
        }
        return text.toString();
    }
}
