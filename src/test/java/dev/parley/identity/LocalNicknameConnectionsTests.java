package dev.parley.identity;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.parley.config.ChatProperties;
import dev.parley.core.Nickname;

import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;

import static org.assertj.core.api.Assertions.assertThat;

class LocalNicknameConnectionsTests {

    private static final Nickname ALICE = new Nickname("alice");

    private final MutableClock clock = new MutableClock();

    private final LocalNicknameConnections connections = new LocalNicknameConnections(properties(2), this.clock);

    @Test
    void aNicknameHoldsAtMostTheLimit() {
        assertThat(this.connections.open("s1", ALICE)).isTrue();
        assertThat(this.connections.open("s2", new Nickname("ALICE"))).as("the same nickname in other case").isTrue();

        assertThat(this.connections.open("s3", ALICE)).isFalse();
        assertThat(this.connections.open("s4", new Nickname("bob"))).isTrue();
        assertThat(this.connections.count(ALICE)).isEqualTo(2);
    }

    @Test
    void aConnectionCountedAgainTakesNoSecondPlace() {
        this.connections.open("s1", ALICE);

        assertThat(this.connections.open("s1", ALICE)).isTrue();

        assertThat(this.connections.count(ALICE)).isOne();
    }

    @Test
    void anEndReportedTwiceFreesOnePlace() {
        this.connections.open("s1", ALICE);
        this.connections.open("s2", ALICE);

        this.connections.close("s1");
        this.connections.close("s1");

        assertThat(this.connections.count(ALICE)).isOne();
        assertThat(this.connections.open("s3", ALICE)).isTrue();
        assertThat(this.connections.open("s4", ALICE)).isFalse();
    }

    @Test
    void aConnectionThatEndedIsNotCountedByALateConnect() {
        this.connections.close("s1");

        assertThat(this.connections.open("s1", ALICE)).isFalse();

        assertThat(this.connections.count(ALICE)).isZero();
        assertThat(this.connections.connections()).isEmpty();
    }

    @Test
    void endedConnectionsAreForgottenAfterAMinute() {
        this.connections.close("s1");
        this.clock.advance(Duration.ofSeconds(61));

        this.connections.forgetEnded();

        assertThat(this.connections.open("s1", ALICE)).isTrue();
    }

    @Test
    void memoryFollowsTheOpenConnections() {
        this.connections.open("s1", ALICE);
        this.connections.open("s2", new Nickname("bob"));

        this.connections.close("s1");
        this.connections.close("s2");

        assertThat(this.connections.connections()).isEmpty();
        assertThat(this.connections.count(ALICE)).isZero();
    }

    private static ChatProperties properties(int connectionsPerNickname) {
        return new Binder(new MapConfigurationPropertySource(
                Map.of("chat.limits.connections-per-nickname", Integer.toString(connectionsPerNickname))))
            .bindOrCreate("chat", ChatProperties.class);
    }

    private static final class MutableClock extends Clock {

        private Instant now = Instant.parse("2026-01-01T00:00:00Z");

        void advance(Duration duration) {
            this.now = this.now.plus(duration);
        }

        @Override
        public ZoneOffset getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return this.now;
        }
    }
}
