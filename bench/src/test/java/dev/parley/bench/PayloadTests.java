package dev.parley.bench;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

class PayloadTests {

    @Test
    void roundTrips() {
        Payload payload = new Payload(3, true, 12345, 987654321012345L);
        assertEquals(payload, Payload.parse(payload.format(0)));
        Payload warmup = new Payload(0, false, 0, -5);
        assertEquals(warmup, Payload.parse(warmup.format(0)));
    }

    @Test
    void padsToTheRequestedLength() {
        Payload payload = new Payload(1, true, 2, 3);
        String text = payload.format(500);
        assertEquals(500, text.length());
        assertEquals(payload, Payload.parse(text));
        assertEquals("pb:1:m:2:3", payload.format(5));
    }

    @Test
    void ignoresOtherTexts() {
        assertNull(Payload.parse("hello"));
        assertNull(Payload.parse(null));
        assertNull(Payload.parse("pb:x:m:1:2"));
        assertNull(Payload.parse("pb:1:q:1:2"));
        assertNull(Payload.parse("pb:1:m:1"));
    }
}
