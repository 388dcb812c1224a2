package dev.parley.identity;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.NullSource;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;

class DestinationPolicyTests {

    @ParameterizedTest
    @ValueSource(strings = { "/app/room.general.send", "/app/anything", "/app/room.a.b.join" })
    void sendGoesToApplicationDestinations(String destination) {
        assertThat(DestinationPolicy.maySend(destination)).isTrue();
    }

    @ParameterizedTest
    @NullSource
    @ValueSource(strings = { "/topic/room.general", "/queue/errors", "/user/alice/queue/errors", "/app", "app/x",
            "/user/queue/direct", "/user/bob/queue/direct", "/queue/direct-user1" })
    void sendNeverGoesStraightToTheBroker(String destination) {
        assertThat(DestinationPolicy.maySend(destination)).isFalse();
    }

    @ParameterizedTest
    @ValueSource(strings = { "/topic/room.general", "/topic/room.a", "/app/room.general.users", "/user/queue/errors",
            "/user/queue/direct" })
    void subscribesToRoomsTheirUsersAndOwnErrors(String destination) {
        assertThat(DestinationPolicy.maySubscribe(destination)).isTrue();
    }

    @ParameterizedTest
    @NullSource
    @ValueSource(strings = { "/topic/room.", "/topic/room.General", "/topic/room.a.b", "/topic/other",
            "/queue/errors", "/queue/errors-user1", "/user/queue/other", "/user/bob/queue/errors",
            "/app/room.general.send", "/app/room..users", "/app/room.users", "/app/room.a.b.users",
            "/user/bob/queue/direct", "/user//queue/direct", "/user/queue/direct-user1", "/user/queue/direct/",
            "/user/queue/direct.x", "/user/queue/direct*", "/user/queue/**", "/user/**", "/user/queue/Direct",
            "/user/queue/%64irect", "/user/queue/../queue/direct", "/user/./queue/direct", "/queue/direct",
            "/queue/direct-user1", "/queue/direct-user*", "/queue/**", "/queue/*", "/topic/direct",
            "/app/direct.bob.send", "/user/queue/direct ", " /user/queue/direct" })
    void refusesEverythingElse(String destination) {
        assertThat(DestinationPolicy.maySubscribe(destination)).isFalse();
    }
}
