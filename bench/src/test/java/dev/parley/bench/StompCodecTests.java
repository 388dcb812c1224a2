package dev.parley.bench;

import java.util.Random;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class StompCodecTests {

    @Test
    void encodesAFrameWithoutBodyWithoutContentLength() {
        String encoded = StompCodec.encode(StompFrame.builder("SUBSCRIBE")
                .header("id", "0")
                .header("destination", "/topic/room.general")
                .header("receipt", "r1")
                .build());
        assertEquals("SUBSCRIBE\nid:0\ndestination:/topic/room.general\nreceipt:r1\n\n\0", encoded);
    }

    @Test
    void encodesTheBodyWithItsLengthInUtf8Bytes() {
        String encoded = StompCodec.encode(StompFrame.builder("SEND")
                .header("destination", "/app/room.general.send")
                .body("{\"text\":\"héllo €😀\"}")
                .build());
        // é 2 bytes, € 3 bytes, 😀 4 bytes (a surrogate pair)
        int expected = "{\"text\":\"hllo \"}".length() + 2 + 3 + 4;
        assertEquals("SEND\ndestination:/app/room.general.send\ncontent-length:" + expected
                + "\n\n{\"text\":\"héllo €😀\"}\0", encoded);
    }

    @Test
    void keepsAGivenContentLength() {
        String encoded = StompCodec.encode(StompFrame.builder("SEND").header("content-length", "2").body("{}").build());
        assertEquals("SEND\ncontent-length:2\n\n{}\0", encoded);
    }

    @Test
    void escapesHeaderValuesOfOrdinaryFrames() {
        String encoded = StompCodec.encode(StompFrame.builder("SEND")
                .header("x-note", "a:b\nc\\d\re")
                .build());
        assertEquals("SEND\nx-note:a\\cb\\nc\\\\d\\re\n\n\0", encoded);
    }

    @Test
    void leavesConnectHeadersUnescaped() {
        String encoded = StompCodec.encode(StompFrame.builder("CONNECT")
                .header("accept-version", "1.2")
                .header("host", "127.0.0.1")
                .header("passcode", "ab\\cd")
                .header("heart-beat", "0,0")
                .build());
        assertEquals("CONNECT\naccept-version:1.2\nhost:127.0.0.1\npasscode:ab\\cd\nheart-beat:0,0\n\n\0", encoded);
    }

    @Test
    void refusesANewlineInAConnectHeader() {
        StompFrame frame = StompFrame.builder("CONNECT").header("login", "a\nb").build();
        assertThrows(IllegalArgumentException.class, () -> StompCodec.encode(frame));
    }

    @Test
    void unescapesEveryDefinedEscape() {
        assertEquals("a:b\nc\\d\re", StompCodec.unescape("a\\cb\\nc\\\\d\\re"));
        assertEquals("plain", StompCodec.unescape("plain"));
    }

    @Test
    void refusesUndefinedEscapes() {
        assertThrows(StompCodec.StompException.class, () -> StompCodec.unescape("tab\\there"));
        assertThrows(StompCodec.StompException.class, () -> StompCodec.unescape("dangling\\"));
    }

    @Test
    void escapingRoundTripsArbitraryText() {
        Random random = new Random(42);
        String alphabet = "ab:\\\n\rcé";
        for (int i = 0; i < 2000; i++) {
            StringBuilder value = new StringBuilder();
            int length = random.nextInt(12);
            for (int j = 0; j < length; j++) {
                value.append(alphabet.charAt(random.nextInt(alphabet.length())));
            }
            String escaped = StompCodec.escape(value.toString());
            assertTrue(escaped.indexOf('\n') < 0 && escaped.indexOf(':') < 0 && escaped.indexOf('\r') < 0, escaped);
            assertEquals(value.toString(), StompCodec.unescape(escaped));
        }
    }

    @Test
    void countsUtf8Bytes() {
        assertEquals(0, StompCodec.utf8Length(""));
        for (String text : new String[] { "abc", "é", "€", "😀", "aé€😀z", "\u0000" }) {
            assertEquals(StompCodec.utf8(text).length, StompCodec.utf8Length(text), text);
        }
    }
}
