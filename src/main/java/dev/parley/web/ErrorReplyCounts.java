package dev.parley.web;

import java.util.EnumMap;
import java.util.Map;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;

import dev.parley.core.ErrorCode;

import org.springframework.stereotype.Component;

/**
 * {@code parley.error.replies}: the replies on {@code /user/queue/errors}, by code. Every code's
 * counter exists from the start, so a dashboard shows a code at zero before its first error.
 */
@Component
class ErrorReplyCounts {

    private final Map<ErrorCode, Counter> counters = new EnumMap<>(ErrorCode.class);

    ErrorReplyCounts(MeterRegistry meters) {
        for (ErrorCode code : ErrorCode.values()) {
            this.counters.put(code, Counter.builder("parley.error.replies")
                .description("Error replies sent on /user/queue/errors, by code")
                .tag("code", code.name())
                .register(meters));
        }
    }

    void replied(ErrorCode code) {
        this.counters.get(code).increment();
    }
}
