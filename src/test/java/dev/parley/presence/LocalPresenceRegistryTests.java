package dev.parley.presence;

import java.time.Clock;

import org.junit.jupiter.api.Test;

import dev.parley.core.Nickname;
import dev.parley.core.RoomName;
import dev.parley.presence.PresenceRegistry.PresenceChange;

import static org.assertj.core.api.Assertions.assertThat;

class LocalPresenceRegistryTests {

    private final LocalPresenceRegistry registry = new LocalPresenceRegistry(Clock.systemUTC());

    private final RoomName general = new RoomName("general");

    private final RoomName random = new RoomName("random");

    private final Nickname alice = new Nickname("Alice");

    private final Nickname bob = new Nickname("bob");

    @Test
    void firstJoinComesOnlineWithCount() {
        assertThat(this.registry.join("s1", this.alice, this.general))
                .contains(new PresenceChange(this.general, this.alice, true, 1));
        assertThat(this.registry.join("s2", this.bob, this.general))
                .contains(new PresenceChange(this.general, this.bob, true, 2));
        assertThat(this.registry.isJoined("s1", this.general)).isTrue();
        assertThat(this.registry.isJoined("s1", this.random)).isFalse();
    }

    @Test
    void joiningTwiceIsHarmless() {
        this.registry.join("s1", this.alice, this.general);
        assertThat(this.registry.join("s1", this.alice, this.general)).isEmpty();
        assertThat(this.registry.users(this.general)).containsExactly(this.alice);
    }

    @Test
    void secondTabOfANicknameIsNoNewPresence() {
        this.registry.join("s1", this.alice, this.general);
        assertThat(this.registry.join("s2", new Nickname("alice"), this.general)).isEmpty();
        assertThat(this.registry.leave("s1", this.general)).isEmpty();
        assertThat(this.registry.users(this.general)).containsExactly(this.alice);
        assertThat(this.registry.leave("s2", this.general))
                .contains(new PresenceChange(this.general, this.alice, false, 0));
        assertThat(this.registry.users(this.general)).isEmpty();
    }

    @Test
    void joiningIsPerConnection() {
        this.registry.join("s1", this.alice, this.general);
        this.registry.join("s2", this.alice, this.random);
        assertThat(this.registry.isJoined("s2", this.general)).isFalse();
    }

    @Test
    void disconnectLeavesEveryRoom() {
        this.registry.join("s1", this.alice, this.general);
        this.registry.join("s1", this.alice, this.random);
        this.registry.join("s2", this.bob, this.general);
        assertThat(this.registry.disconnect("s1")).containsExactly(
                new PresenceChange(this.general, this.alice, false, 1),
                new PresenceChange(this.random, this.alice, false, 0));
        assertThat(this.registry.onlineCounts()).containsOnlyKeys(this.general).containsEntry(this.general, 1);
    }

    @Test
    void duplicateDisconnectIsIgnored() {
        this.registry.join("s1", this.alice, this.general);
        assertThat(this.registry.disconnect("s1")).hasSize(1);
        assertThat(this.registry.disconnect("s1")).isEmpty();
        assertThat(this.registry.users(this.general)).isEmpty();
    }

    @Test
    void joinArrivingAfterDisconnectBringsNoGhostOnline() {
        this.registry.disconnect("s1");
        assertThat(this.registry.join("s1", this.alice, this.general)).isEmpty();
        assertThat(this.registry.users(this.general)).isEmpty();
        assertThat(this.registry.isJoined("s1", this.general)).isFalse();
    }

    @Test
    void leavingARoomNotJoinedChangesNothing() {
        assertThat(this.registry.leave("s1", this.general)).isEmpty();
        this.registry.join("s1", this.alice, this.random);
        assertThat(this.registry.leave("s1", this.general)).isEmpty();
    }

    @Test
    void usersAreSortedCaseInsensitively() {
        this.registry.join("s1", new Nickname("carol"), this.general);
        this.registry.join("s2", new Nickname("Bob"), this.general);
        this.registry.join("s3", new Nickname("alice"), this.general);
        assertThat(this.registry.users(this.general)).extracting(Nickname::value)
                .containsExactly("alice", "Bob", "carol");
    }
}
