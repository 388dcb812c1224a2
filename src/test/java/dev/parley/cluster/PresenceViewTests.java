package dev.parley.cluster;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;

import dev.parley.core.Nickname;
import dev.parley.core.RoomName;
import dev.parley.presence.PresenceRegistry.PresenceChange;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What an instance's subscribers are told about who is online agrees with Redis after every
 * comparison, whatever pub/sub lost, and nobody is told the same thing twice.
 */
class PresenceViewTests {

    private static final RoomName ROOM = new RoomName("lobby");

    private final PresenceView view = new PresenceView();

    @Test
    void aRoomWithoutAViewPassesEveryEvent() {
        assertThat(this.view.tell(ROOM, nick("ann"), true)).isTrue();
        assertThat(this.view.tell(ROOM, nick("ann"), true)).isTrue();
    }

    @Test
    void theFirstComparisonAdoptsRedisListWithoutTellingAnything() {
        assertThat(reconcile("ann", "bob")).isEmpty();
        assertThat(this.view.tell(ROOM, nick("cat"), true)).isTrue();
        assertThat(this.view.tell(ROOM, nick("cat"), true)).as("cat's JOIN twice").isFalse();
    }

    @Test
    void aJoinOfAnAdoptedNicknameIsToldUntilTheNextComparison() {
        reconcile("ann", "bob");
        // ann's JOIN was on its way while the list was read
        assertThat(this.view.tell(ROOM, nick("ann"), true)).isTrue();
        reconcile("ann", "bob");
        assertThat(this.view.tell(ROOM, nick("bob"), true)).as("bob is no longer taken on trust").isFalse();
    }

    @Test
    void aJoinToldBeforeTheFirstComparisonIsNotTakenOnTrust() {
        this.view.begin(ROOM, null);
        assertThat(this.view.tell(ROOM, nick("ann"), true)).isTrue();
        reconcile("ann");
        // Redis restarted before the next comparison: ann's JOIN is announced again
        assertThat(this.view.tell(ROOM, nick("ann"), true)).isFalse();
    }

    @Test
    void theFirstListIsAdoptedWithWhatWasToldLaidOverIt() {
        this.view.begin(ROOM, null);
        this.view.tell(ROOM, nick("ann"), true);
        this.view.tell(ROOM, nick("bob"), true);
        this.view.tell(ROOM, nick("cat"), false);
        // Redis restarted and is empty until the instances renew; cat was online before
        assertThat(reconcile("cat")).isEmpty();
        assertThat(this.view.tell(ROOM, nick("ann"), true)).as("ann's JOIN announced again").isFalse();
        assertThat(this.view.tell(ROOM, nick("bob"), false)).as("bob's LEAVE").isTrue();
        assertThat(this.view.tell(ROOM, nick("cat"), true)).as("cat's JOIN").isTrue();
    }

    @Test
    void aViewBegunWithTheListTellsTheJoinsAfterIt() {
        this.view.begin(ROOM, Set.of(nick("ann")));
        assertThat(this.view.tell(ROOM, nick("bob"), true)).as("bob joins after the follow").isTrue();
        assertThat(this.view.tell(ROOM, nick("ann"), true)).as("ann's JOIN on its way, on trust").isTrue();
        assertThat(this.view.tell(ROOM, nick("bob"), true)).isFalse();
    }

    @Test
    void aJoinAnnouncedAgainIsNotToldTwice() {
        reconcile("ann");
        reconcile("ann");
        // Redis restarted: ann's instance renews her and announces her JOIN again
        assertThat(this.view.tell(ROOM, nick("ann"), true)).isFalse();
        assertThat(this.view.tell(ROOM, nick("ann"), false)).isTrue();
        assertThat(this.view.tell(ROOM, nick("ann"), false)).as("a LEAVE told twice").isFalse();
    }

    @Test
    void aJoinAndALeaveThatPubSubLostAreToldWhenTwoComparisonsInARowFindThem() {
        reconcile("ann", "bob");
        reconcile("ann", "bob");
        // bob left and cat came while this instance's subscription was away
        assertThat(reconcile("ann", "cat")).as("found once: may be on their way").isEmpty();
        assertThat(reconcile("ann", "cat")).containsExactlyInAnyOrder(
                new PresenceChange(ROOM, nick("cat"), true, 2), new PresenceChange(ROOM, nick("bob"), false, 2));
        assertThat(reconcile("ann", "cat")).as("nothing new").isEmpty();
        assertThat(this.view.tell(ROOM, nick("cat"), true)).as("cat's own JOIN, arriving late").isFalse();
    }

    @Test
    void anEventOnItsWayIsNotToldByAComparison() {
        reconcile("ann");
        reconcile("ann");
        assertThat(reconcile("ann", "bob")).isEmpty();
        assertThat(this.view.tell(ROOM, nick("bob"), true)).as("bob's JOIN arrives").isTrue();
        assertThat(reconcile("ann", "bob")).isEmpty();
    }

    @Test
    void aComparisonWithAListReadBeforeAnEventWasToldWaitsForTheNext() {
        reconcile("ann");
        reconcile("ann");
        reconcile("ann", "bob");
        List<PresenceChange> changes = this.view.reconcile(List.of(ROOM), rooms -> {
            // while Redis is read, bob's JOIN is told: the list read may not have him yet
            this.view.tell(ROOM, nick("bob"), true);
            return Map.of(ROOM, Set.of(nick("ann")));
        });
        assertThat(changes).as("no LEAVE for bob from a list read before his JOIN").isEmpty();
        assertThat(reconcile("ann", "bob")).isEmpty();
    }

    @Test
    void aFirstListReadWhileAnEventWasToldIsNotAdopted() {
        this.view.begin(ROOM, null);
        List<PresenceChange> changes = this.view.reconcile(List.of(ROOM), rooms -> {
            // bob's JOIN is told while the room's first list is read, without him
            assertThat(this.view.tell(ROOM, nick("bob"), true)).isTrue();
            return Map.of(ROOM, Set.of(nick("ann")));
        });
        assertThat(changes).isEmpty();
        assertThat(this.view.tell(ROOM, nick("bob"), false)).as("not adopted yet: every change is told").isTrue();
        assertThat(this.view.tell(ROOM, nick("bob"), true)).isTrue();
        assertThat(this.view.tell(ROOM, nick("bob"), true)).as("but not a repeat").isFalse();
        assertThat(reconcile("ann", "bob")).as("adopted now, silently").isEmpty();
        reconcile("ann", "bob");
        assertThat(this.view.tell(ROOM, nick("bob"), true)).isFalse();
    }

    private List<PresenceChange> reconcile(String... online) {
        Set<Nickname> nicknames = Arrays.stream(online).map(PresenceViewTests::nick).collect(Collectors.toSet());
        return this.view.reconcile(List.of(ROOM), rooms -> Map.of(ROOM, nicknames));
    }

    private static Nickname nick(String name) {
        return new Nickname(name);
    }
}
