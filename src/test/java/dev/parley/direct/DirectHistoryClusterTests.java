package dev.parley.direct;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.LongStream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import dev.parley.core.Conversation;
import dev.parley.core.Nickname;
import dev.parley.core.StoreWrites;
import dev.parley.direct.DirectHistory.Draft;
import dev.parley.message.MessageText;
import dev.parley.support.MigratedDatabase;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Private conversations on PostgreSQL, as instances of a cluster share them: appends to one
 * conversation from two instances queue for its row's lock, which gives the last id there is, so
 * no stored message clashed with the other instance and the ids run 1..N without a gap. Without the lock the
 * instance whose id was taken read the last id again while the other took the next one, up to
 * 50 times, and then refused the message.
 */
class DirectHistoryClusterTests {

    private static final Nickname ALICE = new Nickname("Alice");

    private static final Nickname BOB = new Nickname("bob");

    private final MigratedDatabase database = new MigratedDatabase();

    @AfterEach
    void dropDatabase() {
        this.database.close();
    }

    /** An instance of its own: its own memory of the conversations' last ids and its own write lock. */
    private DirectHistory instance() {
        return new DirectHistory(this.database.jdbc(), this.database.transactions(), new StoreWrites(),
                this.database.dataSource());
    }

    @Test
    void appendsOfTwoInstancesToOneConversationQueueForItAndNeverClash() throws Exception {
        int messages = 400;
        List<DirectHistory> instances = List.of(instance(), instance());
        List<Integer> stored = appendAtOnce(instances, (instance, i) -> List.of(
                new Draft((instance == 0) ? ALICE : BOB, (instance == 0) ? BOB : ALICE, new MessageText("m" + i), null,
                        Instant.parse("2026-12-07T00:00:00Z"))), messages);
        assertThat(stored).containsExactly(messages, messages);
        assertThat(instances).allSatisfy(history -> assertThat(history.mostClashes()).isZero());
        Conversation conversation = Conversation.between(ALICE, BOB);
        assertThat(instance().after(conversation, 0, 10_000)).extracting(DirectMessage::id)
            .containsExactlyElementsOf(LongStream.rangeClosed(1, 2L * messages).boxed().toList());
        assertThat(instance().conversations(ALICE, 10)).singleElement()
            .extracting(ConversationSummary::lastId)
            .isEqualTo(2L * messages);
    }

    @Test
    void groupsOverNewConversationsInOppositeOrdersAreAllStored() throws Exception {
        // neither instance finds the rows to lock at first: both create them, in opposite orders
        List<Nickname> others = List.of(new Nickname("carol"), new Nickname("dave"), new Nickname("erin"));
        List<DirectHistory> instances = List.of(instance(), instance());
        int groups = 50;
        List<Integer> stored = appendAtOnce(instances, (instance, group) -> {
            List<Draft> drafts = new ArrayList<>();
            for (int k = 0; k < others.size(); k++) {
                Nickname other = others.get((instance == 0) ? k : others.size() - 1 - k);
                drafts.add(new Draft(ALICE, other, new MessageText(instance + "." + group), null, Instant.EPOCH));
            }
            return drafts;
        }, groups);
        assertThat(stored).containsExactly(groups * others.size(), groups * others.size());
        for (Nickname other : others) {
            assertThat(instance().after(Conversation.between(ALICE, other), 0, 1_000)).extracting(DirectMessage::id)
                .containsExactlyElementsOf(LongStream.rangeClosed(1, 2L * groups).boxed().toList());
        }
    }

    interface Groups {

        List<Draft> group(int instance, int number);
    }

    /** Each instance on its own thread appends {@code count} groups; how many messages each stored. */
    private static List<Integer> appendAtOnce(List<DirectHistory> instances, Groups groups, int count)
            throws Exception {
        ExecutorService threads = Executors.newFixedThreadPool(instances.size());
        try {
            List<Future<Integer>> appended = new ArrayList<>();
            for (int i = 0; i < instances.size(); i++) {
                int instance = i;
                appended.add(threads.submit(() -> {
                    int stored = 0;
                    for (int number = 0; number < count; number++) {
                        stored += (int) instances.get(instance)
                            .appendAll(groups.group(instance, number))
                            .stream()
                            .filter(Optional::isPresent)
                            .count();
                    }
                    return stored;
                }));
            }
            List<Integer> stored = new ArrayList<>();
            for (Future<Integer> future : appended) {
                stored.add(future.get(2, TimeUnit.MINUTES));
            }
            return stored;
        }
        finally {
            threads.shutdownNow();
        }
    }
}
