package dev.parley.message;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.LongStream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import dev.parley.core.Nickname;
import dev.parley.core.RoomName;
import dev.parley.core.StoreWrites;
import dev.parley.message.MessageHistory.Draft;
import dev.parley.support.MigratedDatabase;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The history on PostgreSQL, as instances of a cluster share it: groups of messages that two
 * instances store at once over the same rooms, in any order, are all stored, each room's ids
 * 1..N without a gap. Each instance takes its rooms' next ids in its own transaction; taken in
 * the order the messages came, two instances' groups could wait for each other's ids and
 * PostgreSQL would end one of them as a deadlock (the bench's fan-out on two instances lost
 * messages so). Appends to one room queue for its row's lock, so that an instance whose id was
 * taken clashes once and not again and again (it once lost 50 times in a row and refused a
 * message).
 */
class MessageHistoryClusterTests {

    private static final List<RoomName> ROOMS = List.of(new RoomName("r0"), new RoomName("r1"), new RoomName("r2"),
            new RoomName("r3"), new RoomName("r4"));

    private final MigratedDatabase database = new MigratedDatabase();

    @AfterEach
    void dropDatabase() {
        this.database.close();
    }

    /** An instance of its own: its own memory of the rooms' last ids and its own write lock. */
    private MessageHistory instance() {
        return new MessageHistory(this.database.jdbc(), this.database.transactions(), new StoreWrites(),
                this.database.dataSource());
    }

    @Test
    void groupsOfTwoInstancesOverTheSameRoomsInOppositeOrdersAreAllStored() throws Exception {
        int groups = 150;
        ExecutorService threads = Executors.newFixedThreadPool(2);
        try {
            Future<Integer> first = threads.submit(() -> appendGroups(instance(), "a", ROOMS, groups));
            List<RoomName> reversed = new ArrayList<>(ROOMS);
            Collections.reverse(reversed);
            Future<Integer> second = threads.submit(() -> appendGroups(instance(), "b", reversed, groups));
            int stored = first.get(2, TimeUnit.MINUTES) + second.get(2, TimeUnit.MINUTES);
            assertThat(stored).isEqualTo(2 * groups * ROOMS.size() * 2);
        }
        finally {
            threads.shutdownNow();
        }
        MessageHistory reader = instance();
        for (RoomName room : ROOMS) {
            assertThat(reader.after(room, 0, 10_000)).extracting(ChatMessage::id)
                .as("ids of %s", room)
                .containsExactlyElementsOf(LongStream.rangeClosed(1, groups * 4L).boxed().toList());
        }
    }

    @Test
    void appendsOfTwoInstancesToOneRoomQueueForItAndClashAtMostOnce() throws Exception {
        // the shape that starved one instance before rooms were locked: each appends back to
        // back, and the one whose memory is old needs a read before its next try
        int messages = 400;
        RoomName room = ROOMS.get(0);
        List<MessageHistory> instances = List.of(instance(), instance());
        ExecutorService threads = Executors.newFixedThreadPool(2);
        try {
            List<Future<Integer>> appended = new ArrayList<>();
            for (MessageHistory history : instances) {
                appended.add(threads.submit(() -> {
                    int stored = 0;
                    for (int i = 0; i < messages; i++) {
                        stored += history.append(room, new Nickname("alice"), new MessageText("m" + i), null,
                                Instant.parse("2026-12-07T00:00:00Z")).isPresent() ? 1 : 0;
                    }
                    return stored;
                }));
            }
            for (Future<Integer> stored : appended) {
                assertThat(stored.get(2, TimeUnit.MINUTES)).isEqualTo(messages);
            }
        }
        finally {
            threads.shutdownNow();
        }
        assertThat(instances).allSatisfy(history -> assertThat(history.mostClashes()).isLessThanOrEqualTo(1));
        assertThat(instance().after(room, 0, 10_000)).extracting(ChatMessage::id)
            .containsExactlyElementsOf(LongStream.rangeClosed(1, 2L * messages).boxed().toList());
    }

    @Test
    void aMessageAloneWhoseClientIdWasUsedStoresNothingAndLeavesNoGap() {
        // alone and in a room it remembers, a message locks the room in its insert; the insert
        // that does nothing sends it the group's way, which tells a used clientId from a taken id
        MessageHistory history = instance();
        RoomName room = ROOMS.get(0);
        Nickname alice = new Nickname("alice");
        Instant at = Instant.parse("2026-12-07T00:00:00Z");
        assertThat(history.append(room, alice, new MessageText("hello"), new ClientId("c-1"), at)).isPresent();
        assertThat(history.append(room, alice, new MessageText("hello"), new ClientId("c-1"), at)).isEmpty();
        assertThat(history.append(room, alice, new MessageText("next"), new ClientId("c-2"), at)).get()
            .extracting(ChatMessage::id)
            .isEqualTo(2L);
        assertThat(instance().after(room, 0, 10)).extracting(ChatMessage::text).containsExactly("hello", "next");
    }

    @Test
    void aRoomCreatedByTwoInstancesAtOnceTakesBothGroups() throws Exception {
        // neither finds the room's row to lock: both create it, one waits for the other's commit
        for (int round = 0; round < 20; round++) {
            RoomName room = new RoomName("new" + round);
            List<MessageHistory> instances = List.of(instance(), instance());
            ExecutorService threads = Executors.newFixedThreadPool(2);
            try {
                List<Future<Integer>> appended = new ArrayList<>();
                for (MessageHistory history : instances) {
                    appended.add(threads.submit(() -> (int) history.appendAll(List.of(
                            new Draft(room, new Nickname("alice"), new MessageText("one"), null, Instant.EPOCH),
                            new Draft(room, new Nickname("alice"), new MessageText("two"), null, Instant.EPOCH)))
                        .stream()
                        .filter(Optional::isPresent)
                        .count()));
                }
                for (Future<Integer> stored : appended) {
                    assertThat(stored.get(1, TimeUnit.MINUTES)).isEqualTo(2);
                }
            }
            finally {
                threads.shutdownNow();
            }
            assertThat(instance().after(room, 0, 10)).extracting(ChatMessage::id).containsExactly(1L, 2L, 3L, 4L);
        }
    }

    /** Stores {@code groups} groups of two messages per room, rooms in the given order; returns how many were stored. */
    private static int appendGroups(MessageHistory history, String sender, List<RoomName> rooms, int groups) {
        int stored = 0;
        for (int group = 0; group < groups; group++) {
            List<Draft> drafts = new ArrayList<>();
            for (RoomName room : rooms) {
                for (int i = 0; i < 2; i++) {
                    drafts.add(new Draft(room, new Nickname(sender), new MessageText(sender + group + "." + i), null,
                            Instant.parse("2026-12-06T00:00:00Z")));
                }
            }
            stored += (int) history.appendAll(drafts).stream().filter(Optional::isPresent).count();
        }
        return stored;
    }
}
