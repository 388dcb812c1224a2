package dev.parley.bench;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;

/**
 * What one connection of the abuse workload got back, counted: whether its CONNECT was answered
 * with CONNECTED or an ERROR frame, its RECEIPTs, its error replies on
 * {@code /user/queue/errors} by code, the first ERROR frame and how many RECEIPTs came before
 * it, and whether and when it was closed. The abuse workload sends many frames each asking for a
 * RECEIPT and waits until a number of them has arrived or the connection is gone
 * ({@link #receiptsOrClose(int)}).
 */
final class StompTally implements StompConnection.Handler {

    /** The subscription id the workload gives {@code /user/queue/errors}. */
    static final String ERRORS_SUBSCRIPTION = "errors";

    private final CompletableFuture<Boolean> connected = new CompletableFuture<>();

    private final CompletableFuture<String> closed = new CompletableFuture<>();

    private final Map<String, Integer> errorReplies = new TreeMap<>();

    private int receipts;

    private int receiptsBeforeError = -1;

    private String errorMessage;

    private long closedAtNanos;

    private int awaited = Integer.MAX_VALUE;

    private CompletableFuture<Void> awaitedReceipts = new CompletableFuture<>();

    @Override
    public synchronized void onFrame(StompConnection connection, StompFrame frame) {
        switch (frame.command()) {
            case "CONNECTED" -> this.connected.complete(true);
            case "RECEIPT" -> {
                this.receipts++;
                if (this.receipts >= this.awaited) {
                    this.awaitedReceipts.complete(null);
                }
            }
            case "MESSAGE" -> {
                if (ERRORS_SUBSCRIPTION.equals(frame.header("subscription"))) {
                    this.errorReplies.merge(code(frame.body()), 1, Integer::sum);
                }
            }
            case "ERROR" -> {
                if (this.errorMessage == null) {
                    this.errorMessage = String.valueOf(frame.header("message"));
                    this.receiptsBeforeError = this.receipts;
                }
                this.connected.complete(false);
            }
            default -> {
                // heart-beats are off; nothing else is expected
            }
        }
    }

    @Override
    public synchronized void onClosed(StompConnection connection, String reason) {
        this.closedAtNanos = System.nanoTime();
        this.connected.complete(false);
        this.closed.complete(reason);
        this.awaitedReceipts.complete(null);
    }

    private static String code(String body) {
        try {
            return String.valueOf(Json.fields(body).get("code"));
        }
        catch (RuntimeException ex) {
            return "unparseable";
        }
    }

    /** Completes with true on CONNECTED, false on an ERROR frame or a close before it. */
    CompletableFuture<Boolean> connected() {
        return this.connected;
    }

    /** Completes with the reason when the server closed the connection (or it failed). */
    CompletableFuture<String> closed() {
        return this.closed;
    }

    /**
     * Completes once {@code count} RECEIPTs have arrived in all, or the connection has closed:
     * call it before sending the frames whose receipts make up the count.
     */
    synchronized CompletableFuture<Void> receiptsOrClose(int count) {
        this.awaited = count;
        this.awaitedReceipts = new CompletableFuture<>();
        if (this.receipts >= count || this.closed.isDone()) {
            this.awaitedReceipts.complete(null);
        }
        return this.awaitedReceipts;
    }

    synchronized int receipts() {
        return this.receipts;
    }

    /** How many RECEIPTs arrived before the first ERROR frame; all of them if there was none. */
    synchronized int receiptsBeforeError() {
        return (this.receiptsBeforeError < 0) ? this.receipts : this.receiptsBeforeError;
    }

    /** The {@code message} header of the first ERROR frame, or null. */
    synchronized String errorMessage() {
        return this.errorMessage;
    }

    synchronized int errorReplies(String code) {
        return this.errorReplies.getOrDefault(code, 0);
    }

    synchronized int errorReplies() {
        return this.errorReplies.values().stream().mapToInt(Integer::intValue).sum();
    }

    /** Error replies by code. */
    synchronized Map<String, Integer> errorRepliesByCode() {
        return new TreeMap<>(this.errorReplies);
    }

    synchronized boolean isClosed() {
        return this.closed.isDone();
    }

    /** When (System.nanoTime) it closed, 0 while open. */
    synchronized long closedAtNanos() {
        return this.closedAtNanos;
    }
}
