package dev.parley.ratelimit;

import java.time.Duration;
import java.time.Instant;

import org.junit.jupiter.api.Test;

import dev.parley.config.ChatProperties;
import dev.parley.support.MutableClock;

import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;

import static org.assertj.core.api.Assertions.assertThat;

/** Nickname claims per client address with the contract's defaults: 5 at once, 20 per hour. */
class LocalRateLimitsTests {

    private static final String ADDRESS = "203.0.113.7";

    private final MutableClock clock = new MutableClock(Instant.parse("2030-01-01T00:00:00Z"));

    private final LocalRateLimits limits = new LocalRateLimits(defaults(), this.clock);

    @Test
    void fifthClaimAtOnceIsGrantedAndTheSixthWaitsForOneHourlyShare() {
        for (int claim = 1; claim <= 5; claim++) {
            assertThat(this.limits.tryClaim(ADDRESS)).as("claim %d", claim).isZero();
        }
        // 20 per hour: one more every 3 minutes
        assertThat(this.limits.tryClaim(ADDRESS)).isEqualTo(Duration.ofMinutes(3));
        this.clock.advance(Duration.ofMinutes(3));
        assertThat(this.limits.tryClaim(ADDRESS)).isZero();
    }

    @Test
    void twentyFirstClaimWithinTheHourIsRefusedUntilTheHourIsOver() {
        int granted = 0;
        for (int minute = 0; minute < 60; minute += 3) {
            while (this.limits.tryClaim(ADDRESS).isZero()) {
                granted++;
            }
            this.clock.advance(Duration.ofMinutes(3));
        }
        assertThat(granted).isEqualTo(20);
        // at minute 60 the hour is over
        assertThat(this.limits.tryClaim(ADDRESS)).isZero();
    }

    @Test
    void claimBeyondTheHourlyBoundWaitsForTheHourEvenWithBurstLeft() {
        for (int claim = 1; claim <= 5; claim++) {
            this.limits.tryClaim(ADDRESS);
        }
        for (int claim = 6; claim <= 20; claim++) {
            this.clock.advance(Duration.ofMinutes(3));
            assertThat(this.limits.tryClaim(ADDRESS)).as("claim %d", claim).isZero();
        }
        // minute 45: 20 granted; by minute 54 the burst has 3 again, the hour none
        this.clock.advance(Duration.ofMinutes(9));
        assertThat(this.limits.tryClaim(ADDRESS)).isEqualTo(Duration.ofMinutes(6));
    }

    @Test
    void addressesAreCountedApart() {
        for (int claim = 1; claim <= 5; claim++) {
            this.limits.tryClaim(ADDRESS);
        }
        assertThat(this.limits.tryClaim(ADDRESS)).isPositive();
        assertThat(this.limits.tryClaim("198.51.100.1")).isZero();
    }

    @Test
    void addressesAreForgottenOnceTheirClaimsAreFullAgain() {
        this.limits.tryClaim(ADDRESS);
        this.limits.forgetIdle();
        assertThat(this.limits.claimingAddresses()).isEqualTo(1);
        // the burst is whole again after 3 minutes, the hour after 60
        this.clock.advance(Duration.ofMinutes(30));
        this.limits.forgetIdle();
        assertThat(this.limits.claimingAddresses()).isEqualTo(1);
        this.clock.advance(Duration.ofMinutes(31));
        this.limits.forgetIdle();
        assertThat(this.limits.claimingAddresses()).isZero();
    }

    private static ChatProperties defaults() {
        return new Binder(new MapConfigurationPropertySource()).bindOrCreate("chat", ChatProperties.class);
    }
}
