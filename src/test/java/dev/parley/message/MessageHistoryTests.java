package dev.parley.message;

import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.LongStream;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sqlite.SQLiteDataSource;

import dev.parley.core.Nickname;
import dev.parley.core.RoomName;
import dev.parley.message.MessageHistory.Draft;

import org.springframework.jdbc.core.simple.JdbcClient;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The room counters on a real database (SQLite in a file, as the service runs it) with the
 * service's migrations; several {@link MessageHistory} instances on one database stand for
 * clustered instances.
 */
class MessageHistoryTests {

    private static final RoomName ROOM = new RoomName("lobby");

    private static final Nickname ALICE = new Nickname("alice");

    @TempDir
    Path directory;

    private SQLiteDataSource dataSource;

    @BeforeEach
    void freshDatabase() {
        this.dataSource = EmbeddedStore.migrated(this.directory);
    }

    private MessageHistory instance() {
        return EmbeddedStore.history(this.dataSource);
    }

    private static long append(MessageHistory history, String text, String clientId) {
        return history.append(ROOM, ALICE, new MessageText(text), (clientId != null) ? new ClientId(clientId) : null,
                Instant.parse("2026-12-02T00:00:00Z")).map(ChatMessage::id).orElse(-1L);
    }

    @Test
    void theInsertIsPreparedOncePerPooledConnectionAndAgainWhenThePoolReplacesIt() {
        HikariConfig config = new HikariConfig();
        config.setDataSource(this.dataSource);
        config.setMaximumPoolSize(1);
        try (HikariDataSource pool = new HikariDataSource(config)) {
            MessageHistory history = EmbeddedStore.history(pool);
            for (int i = 1; i <= 20; i++) {
                append(history, "single " + i, "c" + i);
            }
            List<Draft> group = new ArrayList<>();
            for (int i = 1; i <= 5; i++) {
                group.add(new Draft(ROOM, ALICE, new MessageText("grouped " + i), null,
                        Instant.parse("2026-12-02T00:00:00Z")));
            }
            history.appendAll(group);
            // a clientId used before: the reused statement inserts nothing, as a fresh one would
            assertThat(append(history, "again", "c3")).isEqualTo(-1L);
            assertThat(history.insertsPrepared()).isEqualTo(1);

            pool.getHikariPoolMXBean().softEvictConnections();
            assertThat(append(history, "after the pool closed its connection", null)).isEqualTo(26L);
            assertThat(history.insertsPrepared()).isEqualTo(2);
            assertThat(history.latest(ROOM, 100)).extracting(ChatMessage::id)
                .containsExactlyElementsOf(LongStream.rangeClosed(1, 26).boxed().toList());
            assertThat(history.latest(ROOM, 1).get(0).clientId()).isNull();
        }
    }

    @Test
    void consecutiveAppendsTakeConsecutiveIds() {
        MessageHistory history = instance();
        assertThat(List.of(append(history, "one", null), append(history, "two", null), append(history, "three", null)))
            .containsExactly(1L, 2L, 3L);
        assertThat(history.latest(ROOM, 10)).extracting(ChatMessage::text).containsExactly("one", "two", "three");
    }

    @Test
    void appendsOfTwoInstancesToOneRoomNeverShareAnId() {
        MessageHistory first = instance();
        MessageHistory second = instance();
        List<Long> ids = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            ids.add(append(first, "first " + i, null));
            ids.add(append(first, "first again " + i, null));
            ids.add(append(second, "second " + i, null));
        }
        assertThat(ids).containsExactly(1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L, 9L);
        assertThat(first.after(ROOM, 0, 20)).extracting(ChatMessage::id).containsExactly(1L, 2L, 3L, 4L, 5L, 6L, 7L,
                8L, 9L);
    }

    @Test
    void aRepeatedClientIdStoresNothingAndLeavesNoGap() {
        MessageHistory history = instance();
        assertThat(append(history, "hello", "c-1")).isEqualTo(1L);
        assertThat(history.append(ROOM, ALICE, new MessageText("hello"), new ClientId("c-1"), Instant.now())).isEmpty();
        assertThat(append(history, "next", "c-2")).isEqualTo(2L);
        assertThat(history.latest(ROOM, 10)).extracting(ChatMessage::text).containsExactly("hello", "next");
    }

    @Test
    void roomsReportTheirCountAndLatestTimeFromTheirLatestMessage() {
        MessageHistory history = instance();
        RoomName quiet = new RoomName("quiet");
        history.append(ROOM, ALICE, new MessageText("one"), null, Instant.parse("2026-12-02T00:00:01Z"));
        history.append(ROOM, ALICE, new MessageText("two"), null, Instant.parse("2026-12-02T00:00:02Z"));
        history.append(quiet, ALICE, new MessageText("hush"), null, Instant.parse("2026-12-02T00:00:03Z"));
        assertThat(history.rooms("", "", 10)).containsExactly(
                new RoomStats(ROOM, 2, Instant.parse("2026-12-02T00:00:02Z")),
                new RoomStats(quiet, 1, Instant.parse("2026-12-02T00:00:03Z")));
    }

    @Test
    void roomsComeInPagesByNameAfterANameAndUnderAPrefix() {
        MessageHistory history = instance();
        for (String name : List.of("b_1", "a", "b-1", "b01", "bx", "c")) {
            history.append(new RoomName(name), ALICE, new MessageText("hi"), null, Instant.parse("2026-12-02T00:00:00Z"));
        }
        assertThat(names(history.rooms("", "", 3))).containsExactly("a", "b-1", "b01");
        assertThat(names(history.rooms("b01", "", 3))).containsExactly("b_1", "bx", "c");
        assertThat(names(history.rooms("", "b", 10))).containsExactly("b-1", "b01", "b_1", "bx");
        // '_' is no wildcard
        assertThat(names(history.rooms("", "b_", 10))).containsExactly("b_1");
        assertThat(names(history.rooms("c", "", 10))).isEmpty();
    }

    private static List<String> names(List<RoomStats> rooms) {
        return rooms.stream().map(stats -> stats.room().value()).toList();
    }

    @Test
    void historyIsReadThroughThePrimaryKeyInOrderWithoutSorting() {
        JdbcClient jdbc = JdbcClient.create(this.dataSource);
        for (String query : List.of(MessageHistory.LAST_ID, MessageHistory.BEFORE, MessageHistory.AFTER,
                MessageHistory.ROOMS.replace("{byteOrder}", ""))) {
            List<String> plan = jdbc.sql("explain query plan " + query)
                .param("room", "lobby")
                .param("id", 1)
                .param("limit", 10)
                .param("after", "")
                .param("prefix", "lob%")
                .query((rs, row) -> rs.getString("detail"))
                .list();
            // the primary key (room, id) is SQLite's first automatic index of the table
            assertThat(plan).as(query)
                .anySatisfy(step -> assertThat(step).contains("SEARCH m").contains("sqlite_autoindex_message_1"))
                .noneSatisfy(step -> assertThat(step).contains("TEMP B-TREE"))
                .noneSatisfy(step -> assertThat(step).contains("message_client_id"));
        }
    }

    @Test
    void aGroupTakesEachRoomsNextIdsInTheOrderGiven() {
        MessageHistory history = instance();
        RoomName other = new RoomName("other");
        append(history, "before", null);
        List<Optional<ChatMessage>> stored = history.appendAll(List.of(draft(ROOM, "a", null), draft(other, "b", null),
                draft(ROOM, "c", null), draft(other, "d", null), draft(ROOM, "e", null)));
        assertThat(stored).extracting(message -> message.orElseThrow().id()).containsExactly(2L, 1L, 3L, 2L, 4L);
        assertThat(history.latest(ROOM, 10)).extracting(ChatMessage::text).containsExactly("before", "a", "c", "e");
        assertThat(history.latest(other, 10)).extracting(ChatMessage::text).containsExactly("b", "d");
    }

    @Test
    void aClientIdRepeatedInOneGroupIsStoredOnceAndTakesNoId() {
        MessageHistory history = instance();
        List<Optional<ChatMessage>> stored = history.appendAll(List.of(draft(ROOM, "once", "c-1"),
                draft(ROOM, "again", "c-1"), draft(ROOM, "next", "c-2")));
        assertThat(stored).extracting(message -> message.map(ChatMessage::id).orElse(-1L)).containsExactly(1L, -1L, 2L);
        assertThat(history.latest(ROOM, 10)).extracting(ChatMessage::text).containsExactly("once", "next");
    }

    @Test
    void aFailedGroupStoresNothingAndLeavesNoGap() {
        MessageHistory history = instance();
        append(history, "one", null);
        // the store refuses the group's second message, as a full disk would
        JdbcClient.create(this.dataSource).sql("create trigger refuse before insert on message when new.body = 'boom' "
                + "begin select raise(abort, 'refused'); end").update();
        assertThatThrownBy(() -> history.appendAll(List.of(draft(ROOM, "two", null), draft(ROOM, "boom", null))))
            .isInstanceOf(RuntimeException.class);
        assertThat(history.latest(ROOM, 10)).extracting(ChatMessage::text).containsExactly("one");
        assertThat(append(history, "three", null)).isEqualTo(2L);
    }

    @Test
    void theLastStoredIdsOfManyRoomsAreReadAtOnce() {
        MessageHistory history = instance();
        RoomName other = new RoomName("other");
        RoomName empty = new RoomName("empty");
        history.appendAll(List.of(draft(ROOM, "a", null), draft(ROOM, "b", null), draft(other, "c", null)));
        assertThat(history.lastStoredIds(List.of(ROOM, other, empty))).containsOnly(Map.entry(ROOM, 2L),
                Map.entry(other, 1L));
    }

    private static Draft draft(RoomName room, String text, String clientId) {
        return new Draft(room, ALICE, new MessageText(text), (clientId != null) ? new ClientId(clientId) : null,
                Instant.parse("2026-12-02T00:00:00Z"));
    }

    @Test
    void instancesAppendingAtOnceTakeEveryIdOnceWithoutGaps() throws Exception {
        int instances = 3;
        int perInstance = 300;
        List<Callable<List<Long>>> appenders = new ArrayList<>();
        for (int i = 0; i < instances; i++) {
            MessageHistory history = instance();
            String name = "instance " + i;
            // one thread per instance: MessageService serialises a room's appends on an instance
            appenders.add(() -> {
                List<Long> ids = new ArrayList<>();
                for (int n = 0; n < perInstance; n++) {
                    ids.add(append(history, name + " #" + n, null));
                }
                return ids;
            });
        }
        ExecutorService pool = Executors.newFixedThreadPool(instances);
        List<Long> ids = new ArrayList<>();
        try {
            for (Future<List<Long>> result : pool.invokeAll(appenders)) {
                ids.addAll(result.get(60, TimeUnit.SECONDS));
            }
        }
        finally {
            pool.shutdownNow();
        }
        List<Long> expected = LongStream.rangeClosed(1, instances * perInstance).boxed().toList();
        assertThat(ids).containsExactlyInAnyOrderElementsOf(expected);
        assertThat(instance().after(ROOM, 0, instances * perInstance + 10)).extracting(ChatMessage::id)
            .containsExactlyElementsOf(expected);
    }

}
