package dev.parley.ratelimit;

import java.time.Duration;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;

import dev.parley.core.Nickname;

/**
 * How fast one nickname may act, across all its connections and rooms (contract section 6):
 * sends in a burst and then at a steady rate, typing events at a steady rate; and how many
 * nicknames one client address may claim (section 6a). Each call takes one unit when there is
 * one. The in-process implementation counts per instance; a clustered one counts for all
 * instances together.
 */
public interface RateLimits {

    /** Takes one message for {@code nickname}; {@code false} when it is over its rate ({@code RATE_LIMITED}). */
    boolean trySend(Nickname nickname);

    /** Takes one typing event for {@code nickname}; {@code false} when over its rate (dropped silently). */
    boolean tryType(Nickname nickname);

    /**
     * Takes one nickname claim for the client at {@code clientAddress}.
     *
     * @return zero when the claim may go ahead; else how long until one would be allowed
     */
    Duration tryClaim(String clientAddress);

    /**
     * {@code parley.rate.limit.refusals} of one limit: {@code send} (a room's or a private
     * conversation's send refused with {@code RATE_LIMITED}), {@code typing} (a typing event
     * dropped) or {@code claim} (a nickname claim refused with 429). What takes a unit counts
     * what it is refused.
     */
    static Counter refusals(MeterRegistry meters, String limit) {
        return Counter.builder("parley.rate.limit.refusals")
            .description("Sends refused with RATE_LIMITED (limit=send), typing events dropped (limit=typing), "
                    + "nickname claims refused with 429 (limit=claim)")
            .tag("limit", limit)
            .register(meters);
    }
}
