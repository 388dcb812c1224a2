package dev.parley.identity;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

import dev.parley.support.MutableClock;
import dev.parley.support.ParleyApi;
import dev.parley.support.ParleyApi.Response;
import dev.parley.support.ParleyIntegrationTestBase;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.context.annotation.Primary;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Nickname claims per client address, with the contract's limits (section 6a: 5 at once, 20 per
 * hour), which the other tests' contexts lift (src/test/resources/application.properties). The
 * hourly bound itself is {@code LocalRateLimitsTests}'s.
 */
class ClaimLimitIntegrationTests {

    private static final String CONTRACT_LIMITS_1 = "chat.limits.claim-burst=5";

    private static final String CONTRACT_LIMITS_2 = "chat.limits.claims-per-hour=20";

    /** The peer address counts; a forwarded one is a header anyone can send. */
    @Nested
    @SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT,
            properties = { "spring.datasource.url=jdbc:sqlite:target/test-db/parley-claims-${random.uuid}.db",
                    "server.shutdown=immediate", CONTRACT_LIMITS_1, CONTRACT_LIMITS_2 })
    @Import(StoppedClock.class)
    class ByDefault extends ParleyIntegrationTestBase {

        @Autowired
        MutableClock clock;

        @Autowired
        MeterRegistry meters;

        @BeforeEach
        void refillEveryAddress() {
            // every test claims from 127.0.0.1: what the one before took is back after an hour
            this.clock.advance(Duration.ofHours(2));
        }

        @Test
        void sixthClaimAtOnceIsRefusedWithRetryAfter() {
            Counter refusals = this.meters.get("parley.rate.limit.refusals").tag("limit", "claim").counter();
            double before = refusals.count();
            for (int claim = 1; claim <= 5; claim++) {
                this.api.claim(ParleyApi.uniqueName("burst"));
            }
            Response refused = claim(this.api, ParleyApi.uniqueName("burst"));
            assertThat(refused.status()).isEqualTo(429);
            assertThat(refused.isProblem()).isTrue();
            assertThat(refused.json().path("detail").asString()).contains("too many nicknames claimed");
            // one claim per 3 minutes comes back
            assertThat(refused.header("Retry-After")).isEqualTo("180");
            assertThat(refusals.count()).as("counted").isEqualTo(before + 1);
            this.clock.advance(Duration.ofSeconds(180));
            this.api.claim(ParleyApi.uniqueName("burst"));
        }

        @Test
        void forwardedAddressIsIgnored() {
            for (int claim = 1; claim <= 5; claim++) {
                assertThat(claim(this.api, ParleyApi.uniqueName("fwd"), "X-Forwarded-For", "203.0.113." + claim)
                    .status()).isEqualTo(201);
            }
            assertThat(claim(this.api, ParleyApi.uniqueName("fwd"), "X-Forwarded-For", "203.0.113.99").status())
                .isEqualTo(429);
        }

        @Test
        void invalidNicknameUsesNoClaim() {
            for (int claim = 1; claim <= 10; claim++) {
                assertThat(claim(this.api, "no spaces allowed").status()).isEqualTo(400);
            }
            this.api.claim(ParleyApi.uniqueName("valid"));
        }
    }

    /** Behind a proxy the operator trusts (Tomcat's RemoteIpValve trusts 127.0.0.1 by default). */
    @Nested
    @SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT,
            properties = { "spring.datasource.url=jdbc:sqlite:target/test-db/parley-claims-${random.uuid}.db",
                    "server.shutdown=immediate", CONTRACT_LIMITS_1, CONTRACT_LIMITS_2,
                    "server.forward-headers-strategy=native" })
    class BehindATrustedProxy extends ParleyIntegrationTestBase {

        @Test
        void forwardedAddressesAreCountedApart() {
            for (int claim = 1; claim <= 5; claim++) {
                assertThat(claim(this.api, ParleyApi.uniqueName("a"), "X-Forwarded-For", "198.51.100.1").status())
                    .isEqualTo(201);
            }
            assertThat(claim(this.api, ParleyApi.uniqueName("a"), "X-Forwarded-For", "198.51.100.1").status())
                .isEqualTo(429);
            assertThat(claim(this.api, ParleyApi.uniqueName("b"), "X-Forwarded-For", "198.51.100.2").status())
                .isEqualTo(201);
        }
    }

    private static Response claim(ParleyApi api, String nickname, String... headers) {
        return api.post("/api/nicknames", Map.of("nickname", nickname), headers);
    }

    @TestConfiguration(proxyBeanMethods = false)
    static class StoppedClock {

        @Bean
        @Primary
        MutableClock testClock() {
            return new MutableClock(Instant.parse("2030-01-01T00:00:00Z"));
        }
    }
}
