package dev.parley.identity;

import java.util.HashMap;
import java.util.Map;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class ConnectionSubscriptionsTests {

    private final Map<String, Object> attributes = new HashMap<>();

    private final ConnectionSubscriptions subscriptions = ConnectionSubscriptions.of(this.attributes);

    @Test
    void theConnectionHoldsAtMostTheLimitAndAnUnsubscribeAnywhereFreesAPlace() {
        for (int i = 0; i < 5; i++) {
            assertThat(this.subscriptions.subscribe("s" + i, "/topic/room.r" + i, 5)).isTrue();
        }
        assertThat(this.subscriptions.subscribe("s5", "/topic/room.r5", 5)).isFalse();

        this.subscriptions.unsubscribe("s2");
        this.subscriptions.unsubscribe("s2");
        this.subscriptions.unsubscribe("unknown");

        assertThat(this.subscriptions.size()).isEqualTo(4);
        assertThat(this.subscriptions.subscribe("s5", "/topic/room.r5", 5)).isTrue();
        assertThat(this.subscriptions.subscribe("s6", "/topic/room.r6", 5)).isFalse();
        // the ones left after the unsubscribe are still held: their ids take no second place
        for (String held : new String[] { "s0", "s1", "s3", "s4", "s5" }) {
            assertThat(this.subscriptions.subscribe(held, "/topic/room.again", 5)).isTrue();
        }
        assertThat(this.subscriptions.size()).isEqualTo(5);
    }

    @Test
    void anOnlineListOrASubscribeWithoutIdTakesNoPlace() {
        assertThat(this.subscriptions.subscribe("s0", "/app/room.general.online", 1)).isTrue();
        assertThat(this.subscriptions.subscribe(null, "/topic/room.general", 1)).isTrue();
        assertThat(this.subscriptions.subscribe("s1", null, 1)).isTrue();

        assertThat(this.subscriptions.size()).isZero();
        assertThat(ConnectionSubscriptions.of(this.attributes)).isSameAs(this.subscriptions);
    }
}
