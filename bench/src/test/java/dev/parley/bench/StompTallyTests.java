package dev.parley.bench;

import java.util.Map;
import java.util.concurrent.CompletableFuture;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class StompTallyTests {

    private static StompFrame frame(String command, String... headers) {
        StompFrame.Builder builder = StompFrame.builder(command);
        for (int i = 0; i < headers.length; i += 2) {
            builder.header(headers[i], headers[i + 1]);
        }
        return builder.build();
    }

    private static StompFrame errorReply(String code) {
        return StompFrame.builder("MESSAGE")
                .header("subscription", StompTally.ERRORS_SUBSCRIPTION)
                .body("{\"type\":\"ERROR\",\"code\":\"" + code + "\",\"message\":\"m\",\"destination\":\"d\",\"clientId\":null}")
                .build();
    }

    @Test
    void countsTheReceiptsThatCameBeforeTheErrorFrame() {
        StompTally tally = new StompTally();
        tally.onFrame(null, frame("CONNECTED", "version", "1.2"));
        for (int i = 0; i < 256; i++) {
            tally.onFrame(null, frame("RECEIPT", "receipt-id", "s" + i));
        }
        tally.onFrame(null, frame("ERROR", "message", "too many subscriptions"));
        // a receipt the server had already written is not a subscription taken after the refusal
        tally.onFrame(null, frame("RECEIPT", "receipt-id", "late"));
        tally.onClosed(null, "closed by the server: 1002");
        assertEquals(256, tally.receiptsBeforeError());
        assertEquals(257, tally.receipts());
        assertEquals("too many subscriptions", tally.errorMessage());
        assertTrue(tally.isClosed());
        assertTrue(tally.connected().join());
    }

    @Test
    void withoutAnErrorFrameEveryReceiptCounts() {
        StompTally tally = new StompTally();
        tally.onFrame(null, frame("RECEIPT", "receipt-id", "a"));
        tally.onFrame(null, frame("RECEIPT", "receipt-id", "b"));
        assertEquals(2, tally.receiptsBeforeError());
        assertNull(tally.errorMessage());
        assertFalse(tally.isClosed());
        assertEquals(0, tally.closedAtNanos());
    }

    @Test
    void aRefusedConnectIsNotConnected() {
        StompTally tally = new StompTally();
        tally.onFrame(null, frame("ERROR", "message", "too many connections"));
        assertFalse(tally.connected().join());
        StompTally closedFirst = new StompTally();
        closedFirst.onClosed(null, "error: reset");
        assertFalse(closedFirst.connected().join());
        assertEquals("error: reset", closedFirst.closed().join());
    }

    @Test
    void countsErrorRepliesByCodeOnTheErrorsSubscriptionOnly() {
        StompTally tally = new StompTally();
        tally.onFrame(null, errorReply("LIMIT_EXCEEDED"));
        tally.onFrame(null, errorReply("LIMIT_EXCEEDED"));
        tally.onFrame(null, errorReply("INVALID_ROOM"));
        tally.onFrame(null, StompFrame.builder("MESSAGE").header("subscription", "room").body("{\"code\":\"X\"}").build());
        assertEquals(2, tally.errorReplies("LIMIT_EXCEEDED"));
        assertEquals(3, tally.errorReplies());
        assertEquals(Map.of("INVALID_ROOM", 1, "LIMIT_EXCEEDED", 2), tally.errorRepliesByCode());
    }

    @Test
    void awaitedReceiptsCompleteAtTheirCountOrOnClose() {
        StompTally tally = new StompTally();
        CompletableFuture<Void> two = tally.receiptsOrClose(2);
        tally.onFrame(null, frame("RECEIPT", "receipt-id", "a"));
        assertFalse(two.isDone());
        tally.onFrame(null, frame("RECEIPT", "receipt-id", "b"));
        assertTrue(two.isDone());
        // already reached: done at once
        assertTrue(tally.receiptsOrClose(1).isDone());
        CompletableFuture<Void> many = tally.receiptsOrClose(1000);
        assertFalse(many.isDone());
        tally.onClosed(null, "closed by the server: 1002");
        assertTrue(many.isDone());
        assertTrue(tally.receiptsOrClose(5000).isDone());
    }
}
