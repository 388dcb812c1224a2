package dev.parley.identity;

import java.time.Duration;

/** A client address has claimed as many nicknames as it may for now (contract section 6a). */
public class ClaimsLimitedException extends RuntimeException {

    private final Duration retryAfter;

    ClaimsLimitedException(Duration retryAfter) {
        super(detail(retryAfter), null, false, false);
        this.retryAfter = retryAfter;
    }

    /** How long until a claim from the same address would be allowed. */
    public Duration retryAfter() {
        return this.retryAfter;
    }

    /** Whole seconds, rounded up: a client that waits this long is not refused again. */
    public long retryAfterSeconds() {
        return seconds(this.retryAfter);
    }

    private static long seconds(Duration wait) {
        return Math.max(1, (wait.toMillis() + 999) / 1000);
    }

    private static String detail(Duration wait) {
        long seconds = seconds(wait);
        String when = (seconds < 120) ? seconds + " seconds" : ((seconds + 59) / 60) + " minutes";
        return "too many nicknames claimed from your address: try again in " + when;
    }
}
